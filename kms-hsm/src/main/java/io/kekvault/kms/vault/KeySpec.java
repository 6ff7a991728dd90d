package io.kekvault.kms.vault;

/**
 * What to create in the HSM: algorithm, length and whether the value may ever leave it.
 *
 * @param extractable {@code false} for KEKs (the default); {@code true} only where the export
 *                    policy lets the caller's role create extractable keys
 */
public record KeySpec(KeyAlgorithm algorithm, int lengthBits, boolean extractable) {

    public KeySpec {
        if (algorithm == null) {
            throw new IllegalArgumentException("algorithm is required");
        }
        algorithm.checkLength(lengthBits);
    }

    /** The KEK of ARCHITECTURE section 3: AES-256, never extractable. */
    public static KeySpec kek() {
        return new KeySpec(KeyAlgorithm.AES, 256, false);
    }
}
