package io.kekvault.kms.vault;

/**
 * Parameters of a raw cipher operation (KMIP Encrypt/Decrypt).
 *
 * @param mode          block cipher mode
 * @param iv            IV, nonce or initial counter block; null lets encrypt choose a random one
 *                      where the mode needs one
 * @param aad           additional authenticated data (GCM only), may be null
 * @param tagLengthBits GCM tag length (96..128)
 * @param tag           GCM tag to verify on decrypt, may be null when appended to the data
 */
public record CipherParams(CipherMode mode, byte[] iv, byte[] aad, int tagLengthBits, byte[] tag) {

    public static CipherParams of(CipherMode mode, byte[] iv) {
        return new CipherParams(mode, iv, null, 128, null);
    }

    public enum CipherMode { ECB, CBC, CBC_PAD, GCM }
}
