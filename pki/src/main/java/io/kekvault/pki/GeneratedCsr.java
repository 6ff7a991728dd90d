package io.kekvault.pki;

import java.security.KeyPair;
import java.util.Objects;

/**
 * A fresh key pair and the PKCS#10 request for it (the requester's side of sign-csr).
 *
 * @param identity  the CN requested
 * @param algorithm the key type
 * @param keyPair   the key pair; the private key never leaves the requester
 * @param csrPem    the signed request, PEM
 */
public record GeneratedCsr(Identity identity, KeyAlgorithm algorithm, KeyPair keyPair, String csrPem) {

    public GeneratedCsr {
        Objects.requireNonNull(keyPair, "keyPair");
        Objects.requireNonNull(csrPem, "csrPem");
    }

    @Override
    public String toString() {
        return "GeneratedCsr[identity=" + identity + ", algorithm=" + algorithm + ", keyPair=<redacted>]";
    }
}
