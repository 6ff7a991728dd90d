package io.kekvault.pki;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Options of {@link PkiService#init}. Start from {@link #defaults()} and change what you need.
 *
 * @param keyAlgorithm   key type of the CA and the server key (default EC P-256)
 * @param caName         CA common name; null means {@code Kekvault CA <random hex>}, so two CAs never share a name
 * @param serverName     server certificate common name (default {@code kekvault-kms}); clients check SANs, not this
 * @param extraSans      SANs added to {@code DNS:localhost, IP:127.0.0.1, IP:::1}: {@code DNS:name},
 *                       {@code IP:address}, or a bare name or IP literal
 * @param caValidity     CA lifetime (default 10 years)
 * @param serverValidity server certificate lifetime (default 2 years, never past the CA's end)
 * @param force          replace an existing CA (and server certificate)
 */
public record InitOptions(
        KeyAlgorithm keyAlgorithm,
        String caName,
        String serverName,
        List<String> extraSans,
        Duration caValidity,
        Duration serverValidity,
        boolean force) {

    public InitOptions {
        Objects.requireNonNull(keyAlgorithm, "keyAlgorithm");
        Objects.requireNonNull(serverName, "serverName");
        extraSans = List.copyOf(extraSans);
        Objects.requireNonNull(caValidity, "caValidity");
        Objects.requireNonNull(serverValidity, "serverValidity");
    }

    public static InitOptions defaults() {
        return new InitOptions(KeyAlgorithm.DEFAULT, null, "kekvault-kms", List.of(),
                Duration.ofDays(3650), Duration.ofDays(730), false);
    }

    public InitOptions withKeyAlgorithm(KeyAlgorithm value) {
        return new InitOptions(value, caName, serverName, extraSans, caValidity, serverValidity, force);
    }

    public InitOptions withCaName(String value) {
        return new InitOptions(keyAlgorithm, value, serverName, extraSans, caValidity, serverValidity, force);
    }

    public InitOptions withServerName(String value) {
        return new InitOptions(keyAlgorithm, caName, value, extraSans, caValidity, serverValidity, force);
    }

    public InitOptions withExtraSans(List<String> value) {
        return new InitOptions(keyAlgorithm, caName, serverName, value, caValidity, serverValidity, force);
    }

    public InitOptions withCaValidity(Duration value) {
        return new InitOptions(keyAlgorithm, caName, serverName, extraSans, value, serverValidity, force);
    }

    public InitOptions withServerValidity(Duration value) {
        return new InitOptions(keyAlgorithm, caName, serverName, extraSans, caValidity, value, force);
    }

    public InitOptions withForce(boolean value) {
        return new InitOptions(keyAlgorithm, caName, serverName, extraSans, caValidity, serverValidity, value);
    }
}
