package io.kekvault.pki;

import java.nio.file.Path;

/**
 * The files {@link PkiService#writeKeyAndCsr} wrote.
 *
 * @param identity  the CN requested
 * @param algorithm the key type
 * @param keyFile   the private key (PKCS#8 PEM, 0600)
 * @param csrFile   the request (PEM, 0600)
 * @param csrPem    the request text, to submit to {@code kekvault pki sign-csr}
 */
public record CsrResult(Identity identity, KeyAlgorithm algorithm, Path keyFile, Path csrFile, String csrPem) {

    public String summary() {
        return "Generated " + algorithm.displayName() + " key and CSR for '" + identity + "'\n"
                + "  key " + keyFile + "\n"
                + "  CSR " + csrFile + "\n";
    }
}
