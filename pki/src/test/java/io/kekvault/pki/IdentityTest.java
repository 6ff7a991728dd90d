package io.kekvault.pki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Identities from certificates that openssl made, so the subjects are not shaped by our own code. */
class IdentityTest {

    @TempDir
    Path tmp;

    private java.security.cert.X509Certificate selfSigned(String subject, String... extra) throws PkiException {
        List<String> args = new java.util.ArrayList<>(List.of("req", "-x509", "-newkey", "ec", "-pkeyopt",
                "ec_paramgen_curve:P-256", "-nodes", "-keyout", "k.pem", "-out", "c.pem", "-days", "1", "-subj", subject));
        args.addAll(List.of(extra));
        OpenSsl.ok(tmp, args.toArray(String[]::new));
        return Pem.readCertificate(tmp.resolve("c.pem"));
    }

    @Test
    void singleCn_amongOtherAttributes_isTheIdentity() throws Exception {
        assertThat(Identity.fromCertificate(selfSigned("/C=FR/O=Lab/OU=Hosts/CN=esxi-h1")).name()).isEqualTo("esxi-h1");
        assertThat(Identity.fromCertificate(selfSigned("/CN=vcenter01.lab.example")).name())
                .isEqualTo("vcenter01.lab.example");
    }

    @Test
    void noCn_isRefused() throws Exception {
        assertThatThrownBy(() -> Identity.fromCertificate(selfSigned("/O=Lab")))
                .isInstanceOf(PkiException.class).hasMessageContaining("exactly one CN, found 0")
                .extracting(e -> ((PkiException) e).reason()).isEqualTo(PkiException.Reason.INVALID_IDENTITY);
    }

    @Test
    void twoCns_areRefused() throws Exception {
        assertThatThrownBy(() -> Identity.fromCertificate(selfSigned("/CN=admin/CN=esxi-h1")))
                .isInstanceOf(PkiException.class).hasMessageContaining("exactly one CN, found 2");
    }

    @Test
    void cnInAMultiValuedRdn_isRefused() throws Exception {
        assertThatThrownBy(() -> Identity.fromCertificate(selfSigned("/CN=esxi-h1+O=Lab", "-multivalue-rdn")))
                .isInstanceOf(PkiException.class).hasMessageContaining("multi-valued");
    }

    @Test
    void cnThatIsNotAValidName_isRefusedWithAPrintableMessage() throws Exception {
        assertThatThrownBy(() -> Identity.fromCertificate(selfSigned("/CN=esxi h1")))
                .isInstanceOf(PkiException.class).hasMessageContaining("'esxi h1'");
        assertThatThrownBy(() -> Identity.fromCertificate(selfSigned("/CN=..\\/..\\/etc")))
                .isInstanceOf(PkiException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"vcenter", "esxi-h1", "esxi-host_01", "svc@lab", "a", "A1.b-c_d@e"})
    void validNames_areAccepted(String name) {
        assertThat(new Identity(name).name()).isEqualTo(name);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "-x", ".x", "a..b", "a/b", "a\\b", "a b", "a\nb", "é", "a:b"})
    void invalidNames_areRefused(String name) {
        assertThatThrownBy(() -> new Identity(name)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Identity.parse(name)).isInstanceOf(PkiException.class);
    }
}
