package io.kekvault.bridge.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kekvault.kmip.error.InvalidRequestException;
import io.kekvault.kmip.error.NotFoundException;
import io.kekvault.pki.InitOptions;
import io.kekvault.pki.PkiService;
import io.kekvault.pki.SignCsrOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The vCenter trust flow against a real CA directory: CSR by the bridge, signed by the KMS CA, installed. */
class ProviderTrustTest {

    @Test
    void csrSignedByKmsCa_installs_andTheKeyNeverLeavesTheBridge(@TempDir Path tmp) throws Exception {
        Path ca = tmp.resolve("kms-pki");
        PkiService pki = new PkiService();
        pki.init(ca, InitOptions.defaults());
        ProviderTrust trust = new ProviderTrust(tmp.resolve("providers"));

        String csr = trust.createCsr("kms", "vcenter");
        assertThat(csr).startsWith("-----BEGIN CERTIFICATE REQUEST-----");
        assertThat(Files.getPosixFilePermissions(trust.keyFile("kms")))
                .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
        assertThat(trust.trusted("kms")).isFalse();

        var signed = pki.signCsr(ca, csr, "admin", SignCsrOptions.defaults());
        String caPem = Files.readString(ca.resolve("ca.pem"));
        assertThat(trust.install("kms", signed.certificatePem(), caPem)).isEqualTo("vcenter");
        assertThat(trust.trusted("kms")).isTrue();
        assertThat(trust.tls("kms").sslContext()).isNotNull();
        // the KMS side never got the private key
        assertThat(ca.resolve("vcenter.key")).doesNotExist();
    }

    @Test
    void certificateFromAnotherCa_isRefused_andChangesNothing(@TempDir Path tmp) throws Exception {
        Path ca = tmp.resolve("kms-pki");
        Path other = tmp.resolve("other-pki");
        PkiService pki = new PkiService();
        pki.init(ca, InitOptions.defaults());
        pki.init(other, InitOptions.defaults());
        ProviderTrust trust = new ProviderTrust(tmp.resolve("providers"));
        String csr = trust.createCsr("kms", "vcenter");
        var signedByOther = pki.signCsr(other, csr, "admin", SignCsrOptions.defaults());

        assertThatThrownBy(() -> trust.install("kms", signedByOther.certificatePem(), Files.readString(ca.resolve("ca.pem"))))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("not signed by the given CA");
        assertThat(trust.certificateFile("kms")).doesNotExist();
        assertThat(trust.caFile("kms")).doesNotExist();
        assertThat(trust.trusted("kms")).isFalse();
    }

    @Test
    void certificateForAnotherKey_isRefused(@TempDir Path tmp) throws Exception {
        Path ca = tmp.resolve("kms-pki");
        PkiService pki = new PkiService();
        pki.init(ca, InitOptions.defaults());
        ProviderTrust trust = new ProviderTrust(tmp.resolve("providers"));
        String firstCsr = trust.createCsr("kms", "vcenter");
        var signed = pki.signCsr(ca, firstCsr, "admin", SignCsrOptions.defaults());
        trust.createCsr("kms", "vcenter"); // a new key pair: the old certificate no longer matches

        assertThatThrownBy(() -> trust.install("kms", signed.certificatePem(), Files.readString(ca.resolve("ca.pem"))))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("does not match");
        assertThat(trust.trusted("kms")).isFalse();
    }

    @Test
    void installWithoutCsr_isRefused(@TempDir Path tmp) throws Exception {
        ProviderTrust trust = new ProviderTrust(tmp.resolve("providers"));
        assertThatThrownBy(() -> trust.install("kms", "x", "y")).isInstanceOf(NotFoundException.class)
                .hasMessageContaining("request a CSR first");
        assertThat(Files.exists(tmp.resolve("providers").resolve("kms"))).isFalse();
    }
}
