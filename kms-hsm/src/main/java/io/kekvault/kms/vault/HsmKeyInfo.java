package io.kekvault.kms.vault;

/**
 * Attributes of a key object as the HSM reports them (read back, never assumed).
 * Holds no key material.
 */
public record HsmKeyInfo(
        String keyId,
        String label,
        KeyAlgorithm algorithm,
        int valueLengthBytes,
        boolean token,
        boolean privateObject,
        boolean sensitive,
        boolean extractable,
        boolean neverExtractable,
        boolean alwaysSensitive,
        boolean canEncrypt,
        boolean canDecrypt) {

    /** True when the object meets the KEK rules of ARCHITECTURE section 3. */
    public boolean isProtectedKek() {
        return token && privateObject && sensitive && !extractable && neverExtractable && alwaysSensitive;
    }
}
