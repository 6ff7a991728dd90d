package io.kekvault.kms.op.kmip;

import io.kekvault.kmip.error.CryptographicFailureException;
import io.kekvault.kmip.error.InvalidRequestException;
import io.kekvault.kmip.error.KmsException;
import io.kekvault.kmip.error.ResultReason;
import io.kekvault.secret.SecretBytes;
import java.security.GeneralSecurityException;
import javax.crypto.AEADBadTagException;
import javax.crypto.BadPaddingException;
import javax.crypto.Cipher;
import javax.crypto.spec.ChaCha20ParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Ciphers the HSM has no mechanism for (SoftHSM2 has no ChaCha20, no AES key wrap through
 * C_Encrypt), computed with the JDK's providers. Guarantee: only ever called with the value of a
 * key the export policy made extractable (its value may leave the HSM anyway); callers check the
 * record, and {@link io.kekvault.kms.vault.KeyVault#exportKey} refuses every other key. The key
 * value lives in a {@link SecretBytes} for the call and is zeroized after it.
 */
final class SoftwareCipher {
    private SoftwareCipher() {
    }

    /** ChaCha20 (RFC 8439 block function); an 8-byte nonce is the original 64-bit-nonce variant. */
    static byte[] chacha20(SecretBytes key, byte[] nonce, int initialCounter, byte[] data) throws KmsException {
        byte[] n12 = nonce12(nonce);
        try {
            Cipher c = Cipher.getInstance("ChaCha20");
            c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key.expose(), "ChaCha20"), new ChaCha20ParameterSpec(n12, initialCounter));
            return c.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new InvalidRequestException(ResultReason.INVALID_FIELD, "ChaCha20 parameters do not fit: " + e.getMessage(), null);
        }
    }

    /** ChaCha20-Poly1305 (RFC 8439) with its 16-byte tag; the output of encrypt is ciphertext then tag. */
    static byte[] chacha20Poly1305(boolean encrypt, SecretBytes key, byte[] nonce, byte[] aad, byte[] data) throws KmsException {
        if (nonce.length != 12) {
            throw new InvalidRequestException(ResultReason.INVALID_FIELD, "ChaCha20-Poly1305 needs a 12-byte nonce", null);
        }
        try {
            Cipher c = Cipher.getInstance("ChaCha20-Poly1305");
            c.init(encrypt ? Cipher.ENCRYPT_MODE : Cipher.DECRYPT_MODE, new SecretKeySpec(key.expose(), "ChaCha20"),
                    new IvParameterSpec(nonce));
            if (aad != null && aad.length > 0) {
                c.updateAAD(aad);
            }
            return c.doFinal(data);
        } catch (AEADBadTagException e) {
            throw new CryptographicFailureException("authentication tag check failed");
        } catch (GeneralSecurityException e) {
            throw new InvalidRequestException(ResultReason.INVALID_FIELD, "ChaCha20-Poly1305 parameters do not fit", null);
        }
    }

    /**
     * ChaCha20-Poly1305 decryption checked against a tag of 12 to 16 bytes (a truncated tag, as
     * KMIP's Tag Length allows): the full tag is recomputed over the decrypted data and compared
     * in constant time; nothing is returned unless it matches.
     */
    static byte[] chacha20Poly1305Open(SecretBytes key, byte[] nonce, byte[] aad, byte[] ciphertext, byte[] tag) throws KmsException {
        if (tag.length == 16) {
            byte[] in = java.util.Arrays.copyOf(ciphertext, ciphertext.length + 16);
            System.arraycopy(tag, 0, in, ciphertext.length, 16);
            return chacha20Poly1305(false, key, nonce, aad, in);
        }
        // RFC 8439: the ciphertext is the keystream from block 1 on; block 0 keys Poly1305.
        byte[] plain = chacha20(key, nonce, 1, ciphertext);
        byte[] again = chacha20Poly1305(true, key, nonce, aad, plain);
        byte[] full = java.util.Arrays.copyOfRange(again, again.length - 16, again.length);
        if (!java.security.MessageDigest.isEqual(java.util.Arrays.copyOf(full, tag.length), tag)) {
            java.util.Arrays.fill(plain, (byte) 0);
            throw new CryptographicFailureException("authentication tag check failed");
        }
        return plain;
    }

    /** AES key wrap (NIST SP 800-38F KW, RFC 3394). */
    static byte[] aesKeyWrap(boolean encrypt, SecretBytes key, byte[] data) throws KmsException {
        if (data.length < 16 || data.length % 8 != 0) {
            throw new InvalidRequestException(ResultReason.INVALID_FIELD,
                    "AES key wrap takes a multiple of 8 bytes, at least 16", null);
        }
        try {
            Cipher c = Cipher.getInstance("AES/KW/NoPadding");
            c.init(encrypt ? Cipher.ENCRYPT_MODE : Cipher.DECRYPT_MODE, new SecretKeySpec(key.expose(), "AES"));
            return c.doFinal(data);
        } catch (BadPaddingException e) {
            throw new CryptographicFailureException("key unwrap integrity check failed");
        } catch (GeneralSecurityException e) {
            throw new InvalidRequestException(ResultReason.INVALID_FIELD, "AES key wrap parameters do not fit", null);
        }
    }

    private static byte[] nonce12(byte[] nonce) throws InvalidRequestException {
        if (nonce.length == 12) {
            return nonce;
        }
        if (nonce.length == 8) {
            // Original ChaCha20: 64-bit counter then 64-bit nonce. With the counter's high word zero,
            // the RFC 8439 state with nonce 0^32 || N is the same state.
            byte[] n = new byte[12];
            System.arraycopy(nonce, 0, n, 4, 8);
            return n;
        }
        throw new InvalidRequestException(ResultReason.INVALID_FIELD, "ChaCha20 needs an 8- or 12-byte nonce", null);
    }
}
