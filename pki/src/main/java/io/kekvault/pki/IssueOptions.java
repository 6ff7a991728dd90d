package io.kekvault.pki;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * Options of {@link PkiService#issue}. Start from {@link #defaults()}.
 *
 * @param keyAlgorithm key type of the new client key (default EC P-256)
 * @param validity     lifetime when {@code notAfter} is null (default 2 years, cut at the CA's end)
 * @param notBefore    explicit start of validity; null means now minus 5 minutes (clock skew)
 * @param notAfter     explicit end of validity (may be in the past, to make an expired certificate
 *                     for tests); must not be past the CA's end
 * @param signingCaDir another PKI directory whose CA signs the certificate (tests: a certificate
 *                     from a foreign CA); null means the target directory's CA
 * @param force        replace an existing certificate and key for the identity
 */
public record IssueOptions(
        KeyAlgorithm keyAlgorithm,
        Duration validity,
        Instant notBefore,
        Instant notAfter,
        Path signingCaDir,
        boolean force) {

    public IssueOptions {
        Objects.requireNonNull(keyAlgorithm, "keyAlgorithm");
        Objects.requireNonNull(validity, "validity");
    }

    public static IssueOptions defaults() {
        return new IssueOptions(KeyAlgorithm.DEFAULT, Duration.ofDays(730), null, null, null, false);
    }

    public IssueOptions withKeyAlgorithm(KeyAlgorithm value) {
        return new IssueOptions(value, validity, notBefore, notAfter, signingCaDir, force);
    }

    public IssueOptions withValidity(Duration value) {
        return new IssueOptions(keyAlgorithm, value, notBefore, notAfter, signingCaDir, force);
    }

    /** Sets an explicit validity period (either bound may be null to keep its default). */
    public IssueOptions withValidityPeriod(Instant from, Instant until) {
        return new IssueOptions(keyAlgorithm, validity, from, until, signingCaDir, force);
    }

    public IssueOptions withSigningCaDir(Path value) {
        return new IssueOptions(keyAlgorithm, validity, notBefore, notAfter, value, force);
    }

    public IssueOptions withForce(boolean value) {
        return new IssueOptions(keyAlgorithm, validity, notBefore, notAfter, signingCaDir, value);
    }
}
