package io.kekvault.pki;

import java.time.Duration;
import java.util.Objects;

/**
 * Options of {@link PkiService#signCsr}.
 *
 * @param validity lifetime of the certificate (default 2 years, cut at the CA's end)
 * @param force    replace an existing certificate of the same identity (its old key file, if
 *                 any, is deleted, since it no longer matches)
 */
public record SignCsrOptions(Duration validity, boolean force) {

    public SignCsrOptions {
        Objects.requireNonNull(validity, "validity");
    }

    public static SignCsrOptions defaults() {
        return new SignCsrOptions(Duration.ofDays(730), false);
    }

    public SignCsrOptions withValidity(Duration value) {
        return new SignCsrOptions(value, force);
    }

    public SignCsrOptions withForce(boolean value) {
        return new SignCsrOptions(validity, value);
    }
}
