package io.kekvault.pki.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.kekvault.pki.InitOptions;
import io.kekvault.pki.IssueOptions;
import io.kekvault.pki.KeyAlgorithm;
import io.kekvault.pki.OpenSsl;
import io.kekvault.pki.PkiDirectory;
import io.kekvault.pki.PkiService;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** openssl s_client against the Java mutual-TLS server: what it accepts and what it refuses. */
class OpenSslClientTest {

    @TempDir
    static Path tmp;
    static PkiDirectory ec;
    static PkiDirectory rsa;
    static TlsTestServer ecServer;
    static TlsTestServer rsaServer;

    @BeforeAll
    static void start() throws Exception {
        PkiService pki = new PkiService();
        ec = PkiDirectory.of(tmp.resolve("ec"));
        rsa = PkiDirectory.of(tmp.resolve("rsa"));
        pki.init(ec.root(), InitOptions.defaults());
        pki.init(rsa.root(), InitOptions.defaults().withKeyAlgorithm(KeyAlgorithm.RSA_2048));
        pki.issue(ec.root(), "esxi-h1", "host", IssueOptions.defaults());
        pki.issue(rsa.root(), "vcenter", "admin", IssueOptions.defaults().withKeyAlgorithm(KeyAlgorithm.RSA_2048));
        ecServer = new TlsTestServer(TlsContext.server(TlsMaterial.server(ec)));
        rsaServer = new TlsTestServer(TlsContext.server(TlsMaterial.server(rsa)));
    }

    @AfterAll
    static void stop() throws Exception {
        ecServer.close();
        rsaServer.close();
    }

    private static OpenSsl.Result sClient(PkiDirectory dir, int port, String identity, String... extra) {
        List<String> args = new ArrayList<>(List.of("s_client", "-connect", "127.0.0.1:" + port, "-brief", "-ign_eof",
                "-CAfile", "ca.pem", "-verify_return_error", "-verify_hostname", "localhost", "-servername", "localhost"));
        if (identity != null) {
            args.addAll(List.of("-cert", identity + ".pem", "-key", identity + ".key"));
        }
        args.addAll(List.of(extra));
        return OpenSsl.run(dir.root(), args.toArray(String[]::new));
    }

    @Test
    void tls13_withClientCertificate_succeeds() throws Exception {
        OpenSsl.Result result = sClient(ec, ecServer.port(), "esxi-h1", "-tls1_3");

        assertThat(result.output()).contains("Protocol version: TLSv1.3", "Verification: OK", "hello esxi-h1 TLSv1.3");
        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(ecServer.nextOutcome().greeting()).startsWith("hello esxi-h1 TLSv1.3");
    }

    @Test
    void tls12_withClientCertificate_succeedsWithEcdheEcdsaGcm() throws Exception {
        OpenSsl.Result result = sClient(ec, ecServer.port(), "esxi-h1", "-tls1_2");

        assertThat(result.output()).contains("Protocol version: TLSv1.2", "Ciphersuite: ECDHE-ECDSA-AES256-GCM-SHA384",
                "Verification: OK", "hello esxi-h1 TLSv1.2 TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384");
        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(ecServer.nextOutcome().succeeded()).isTrue();
    }

    @Test
    void tls12_againstRsaServer_succeedsWithEcdheRsaGcm() throws Exception {
        OpenSsl.Result result = sClient(rsa, rsaServer.port(), "vcenter", "-tls1_2");

        assertThat(result.output()).contains("Protocol version: TLSv1.2", "Ciphersuite: ECDHE-RSA-AES256-GCM-SHA384",
                "hello vcenter TLSv1.2");
        assertThat(rsaServer.nextOutcome().succeeded()).isTrue();
    }

    @Test
    void tls11_isRefusedByTheServer() throws Exception {
        // SECLEVEL=0 lets this OpenSSL offer TLS 1.1 at all, so the refusal observed is the server's.
        OpenSsl.Result result = sClient(ec, ecServer.port(), "esxi-h1", "-tls1_1", "-cipher", "DEFAULT:@SECLEVEL=0");

        assertThat(result.exitCode()).isNotZero();
        assertThat(result.output()).doesNotContain("hello");
        TlsTestServer.Outcome outcome = ecServer.nextOutcome();
        assertThat(outcome.error()).isInstanceOf(SSLHandshakeException.class);
        assertThat(outcome.error().getMessage()).containsIgnoringCase("protocol");
    }

    @Test
    void tls12_withACbcSuiteOnly_isRefusedByTheServer() throws Exception {
        OpenSsl.Result result = sClient(ec, ecServer.port(), "esxi-h1", "-tls1_2", "-cipher", "ECDHE-ECDSA-AES256-SHA");

        assertThat(result.exitCode()).isNotZero();
        assertThat(result.output()).doesNotContain("hello");
        assertThat(ecServer.nextOutcome().error()).isInstanceOf(SSLHandshakeException.class)
                .hasMessageContaining("no cipher suites in common");
    }

    @Test
    void withoutClientCertificate_isRefusedOnBothProtocols() throws Exception {
        for (String protocol : List.of("-tls1_3", "-tls1_2")) {
            OpenSsl.Result result = sClient(ec, ecServer.port(), null, protocol);

            assertThat(result.output()).as(protocol).doesNotContain("hello");
            assertThat(ecServer.nextOutcome().error()).as(protocol).isInstanceOf(SSLHandshakeException.class)
                    .hasMessageContaining("Empty client certificate chain");
        }
    }

    @Test
    void withCertificateFromAnotherCa_isRefused() throws Exception {
        // The RSA directory's vcenter certificate is foreign to the EC server; openssl sends it regardless.
        OpenSsl.Result result = OpenSsl.run(ec.root(), "s_client", "-connect", "127.0.0.1:" + ecServer.port(), "-brief",
                "-ign_eof", "-CAfile", "ca.pem", "-verify_return_error", "-tls1_3",
                "-cert", rsa.root().resolve("vcenter.pem").toString(), "-key", rsa.root().resolve("vcenter.key").toString());

        assertThat(result.output()).doesNotContain("hello");
        assertThat(ecServer.nextOutcome().error()).isInstanceOf(SSLHandshakeException.class)
                .hasStackTraceContaining("unable to find valid certification path");
    }
}
