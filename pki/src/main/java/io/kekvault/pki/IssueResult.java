package io.kekvault.pki;

import java.nio.file.Path;
import java.util.Optional;

/**
 * A client certificate made by {@link PkiService#issue} or {@link PkiService#signCsr}.
 *
 * @param identity          the certificate's CN
 * @param role              the role recorded for it in {@code roles.properties}
 * @param certificateFile   where the certificate was written
 * @param keyFile           where its private key was written; empty for a signed CSR (the key
 *                          stays with the requester)
 * @param certificate       a description of the certificate
 * @param certificatePem    the certificate, PEM (to hand back to the requester)
 * @param caCertificatePem  the signing CA certificate, PEM (what the requester must trust)
 */
public record IssueResult(
        Identity identity,
        String role,
        Path certificateFile,
        Optional<Path> keyFile,
        CertificateInfo certificate,
        String certificatePem,
        String caCertificatePem) {

    public String summary() {
        return "Issued client certificate for identity '" + identity + "' (role " + role + ")\n"
                + "  certificate " + certificateFile + "\n"
                + "  key         " + keyFile.map(Path::toString).orElse("(kept by the requester)") + "\n"
                + certificate.summary();
    }
}
