package io.kekvault.pki;

import java.nio.file.Path;

/**
 * What {@link PkiService#init} created.
 *
 * @param directory the PKI directory
 * @param ca        the new CA certificate
 * @param server    the new server certificate
 */
public record InitResult(PkiDirectory directory, CertificateInfo ca, CertificateInfo server) {

    public String summary() {
        Path root = directory.root();
        return "Initialized PKI in " + root + "\n"
                + "  CA certificate     " + directory.caCertificate() + "\n"
                + "  CA key             " + directory.caKey() + "\n"
                + "  server certificate " + directory.serverCertificate() + "\n"
                + "  server key         " + directory.serverKey() + "\n"
                + "  role map           " + directory.rolesFile() + "\n"
                + ca.summary() + server.summary();
    }
}
