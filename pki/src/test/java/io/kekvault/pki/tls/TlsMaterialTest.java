package io.kekvault.pki.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kekvault.pki.GeneratedCsr;
import io.kekvault.pki.Identity;
import io.kekvault.pki.InitOptions;
import io.kekvault.pki.IssueOptions;
import io.kekvault.pki.IssueResult;
import io.kekvault.pki.KeyAlgorithm;
import io.kekvault.pki.OpenSsl;
import io.kekvault.pki.Pem;
import io.kekvault.pki.PkiDirectory;
import io.kekvault.pki.PkiException;
import io.kekvault.pki.PkiService;
import io.kekvault.pki.SignCsrOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TlsMaterialTest {

    private final PkiService pki = new PkiService();

    @TempDir
    Path tmp;

    @Test
    void keyThatDoesNotMatchTheCertificate_isRefused() throws Exception {
        PkiDirectory dir = PkiDirectory.of(tmp.resolve("pki"));
        pki.init(dir.root(), InitOptions.defaults());
        pki.issue(dir.root(), "esxi-h1", "host", IssueOptions.defaults());

        assertThatThrownBy(() -> TlsMaterial.load(dir.serverCertificate(), dir.key(new Identity("esxi-h1")),
                dir.caCertificate()))
                .isInstanceOf(PkiException.class).hasMessageContaining("does not match");
    }

    @Test
    void encryptedKey_isRefusedWithoutLeakingIt() throws Exception {
        OpenSsl.ok(tmp, "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-aes-256-cbc",
                "-pass", "pass:secret", "-out", "enc.key");

        assertThatThrownBy(() -> Pem.readPrivateKey(tmp.resolve("enc.key")))
                .isInstanceOf(PkiException.class).hasMessageContaining("encrypted private keys are not supported")
                .hasNoCause();
    }

    @Test
    void traditionalOpenSslKeyAndChainFile_areAccepted() throws Exception {
        PkiDirectory dir = PkiDirectory.of(tmp.resolve("pki"));
        pki.init(dir.root(), InitOptions.defaults());
        // Re-encode the server key in OpenSSL's traditional EC form and put the CA in the chain file.
        OpenSsl.ok(dir.root(), "ec", "-in", "server.key", "-out", "trad.key");
        assertThat(Files.readString(dir.root().resolve("trad.key"))).startsWith("-----BEGIN EC PRIVATE KEY-----");
        Files.writeString(dir.root().resolve("chain.pem"),
                Files.readString(dir.serverCertificate()) + Files.readString(dir.caCertificate()));

        TlsMaterial material = TlsMaterial.load(dir.root().resolve("chain.pem"), dir.root().resolve("trad.key"),
                dir.caCertificate());

        assertThat(material.certificateChain()).hasSize(2);
        pki.issue(dir.root(), "esxi-h1", "host", IssueOptions.defaults());
        try (TlsTestServer server = new TlsTestServer(TlsContext.server(material))) {
            assertThat(MutualTlsTest.exchange(MutualTlsTest.client(dir, "esxi-h1"), server.port()))
                    .startsWith("hello esxi-h1");
        }
    }

    @Test
    void requesterWithAnInMemoryKey_connectsWithItsSignedCertificate() throws Exception {
        // The vCenter side of sign-csr: key never written, certificate from the KMS CA.
        PkiDirectory dir = PkiDirectory.of(tmp.resolve("pki"));
        pki.init(dir.root(), InitOptions.defaults());
        GeneratedCsr request = pki.createCsr("vcenter", KeyAlgorithm.EC_P256);
        IssueResult signed = pki.signCsr(dir.root(), request.csrPem(), "admin", SignCsrOptions.defaults());

        TlsMaterial material = TlsMaterial.of(Pem.parseCertificates(signed.certificatePem(), "signed"),
                request.keyPair().getPrivate(), Pem.parseCertificates(signed.caCertificatePem(), "ca"));

        try (TlsTestServer server = new TlsTestServer(TlsContext.server(TlsMaterial.server(dir)));
                SSLSocket socket = TlsContext.client(material).connect("127.0.0.1", server.port(), Duration.ofSeconds(30))) {
            assertThat(MutualTlsTest.readGreeting(socket)).startsWith("hello vcenter ");
        }
    }
}
