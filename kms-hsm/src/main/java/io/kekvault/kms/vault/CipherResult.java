package io.kekvault.kms.vault;

/**
 * Output of a raw cipher operation.
 *
 * @param data result bytes (ciphertext without the tag for GCM encrypt, or plaintext)
 * @param iv   the IV used, when the vault chose it
 * @param tag  the GCM tag on encrypt
 */
public record CipherResult(byte[] data, byte[] iv, byte[] tag) {
}
