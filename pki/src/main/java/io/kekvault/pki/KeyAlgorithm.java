package io.kekvault.pki;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.RSAKeyGenParameterSpec;
import java.util.Locale;

/**
 * Key pair algorithms the PKI generates. ECDSA P-256 is the default (small certificates, fast
 * handshakes); RSA is offered for KMIP clients that only accept RSA certificates.
 */
public enum KeyAlgorithm {
    EC_P256("EC P-256"),
    RSA_2048("RSA 2048"),
    RSA_3072("RSA 3072");

    public static final KeyAlgorithm DEFAULT = EC_P256;

    private final String displayName;

    KeyAlgorithm(String displayName) {
        this.displayName = displayName;
    }

    /** Human-readable name, as {@link CertificateInfo#publicKey()} prints it. */
    public String displayName() {
        return displayName;
    }

    /**
     * Parses CLI spellings: {@code ec}, {@code ec-p256}, {@code p256}, {@code rsa} (2048),
     * {@code rsa2048}, {@code rsa-2048}, {@code rsa3072}, {@code rsa-3072}, or the enum name.
     */
    public static KeyAlgorithm parse(String text) throws PkiException {
        String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT).replace('_', '-');
        return switch (t) {
            case "ec", "ecdsa", "p256", "p-256", "ec-p256", "ec-p-256", "secp256r1", "prime256v1" -> EC_P256;
            case "rsa", "rsa2048", "rsa-2048" -> RSA_2048;
            case "rsa3072", "rsa-3072" -> RSA_3072;
            default -> throw new PkiException(PkiException.Reason.INVALID_INPUT,
                    "unknown key algorithm '" + text + "' (use ec-p256, rsa-2048 or rsa-3072)");
        };
    }

    KeyPair generate(SecureRandom random) throws PkiException {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance(this == EC_P256 ? "EC" : "RSA");
            switch (this) {
                case EC_P256 -> generator.initialize(new ECGenParameterSpec("secp256r1"), random);
                case RSA_2048 -> generator.initialize(new RSAKeyGenParameterSpec(2048, RSAKeyGenParameterSpec.F4), random);
                case RSA_3072 -> generator.initialize(new RSAKeyGenParameterSpec(3072, RSAKeyGenParameterSpec.F4), random);
            }
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new PkiException(PkiException.Reason.CRYPTO_FAILURE, "cannot generate " + displayName + " key pair", e);
        }
    }
}
