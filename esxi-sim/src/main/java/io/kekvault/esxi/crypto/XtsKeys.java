package io.kekvault.esxi.crypto;

import io.kekvault.secret.SecretBytes;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import javax.security.auth.DestroyFailedException;

/**
 * XTS-AES-256 disk keys (DEKs): validation, generation and a key check value.
 *
 * <p>The key check value lets a host tell, before touching any data, whether the DEK it holds is
 * the one a disk was encrypted with: XTS itself cannot (no integrity tag). It is the first 8 bytes
 * of HMAC-SHA256 keyed with the DEK over a fixed label, so it reveals nothing usable about the key
 * (a 512-bit key cannot be searched for) and may be stored next to the wrapped DEK in a disk
 * descriptor. It is not a secret and not an authenticator of the data.
 */
public final class XtsKeys {
    private static final byte[] CHECK_LABEL =
            "kekvault/xts-aes-256/key-check/v1".getBytes(StandardCharsets.US_ASCII);
    private static final String CHECK_PREFIX = "kcv1:";

    private XtsKeys() {
    }

    /**
     * Refuses a key that is not 64 bytes or whose two AES-256 halves are equal (IEEE 1619-2018
     * and OpenSSL refuse equal halves: the tweak would then leak through the data key).
     */
    public static void validate(SecretBytes key) {
        if (key == null) {
            throw new IllegalArgumentException("XTS key must not be null");
        }
        byte[] k = key.expose();
        if (k.length != XtsEngine.KEY_LENGTH) {
            throw new IllegalArgumentException("XTS-AES-256 key must be 64 bytes, got " + k.length);
        }
        int diff = 0;
        for (int i = 0; i < 32; i++) {
            diff |= k[i] ^ k[32 + i];
        }
        if (diff == 0) {
            throw new IllegalArgumentException("XTS key halves must differ");
        }
    }

    /** A fresh 64-byte DEK from {@code drbg}, with distinct halves. */
    public static SecretBytes generate(SecureRandom drbg) {
        while (true) {
            SecretBytes key = SecretBytes.random(XtsEngine.KEY_LENGTH, drbg);
            try {
                validate(key);
                return key;
            } catch (IllegalArgumentException equalHalves) {
                key.close();
            }
        }
    }

    /** The key check value of {@code key}, e.g. {@code kcv1:0123456789abcdef}. */
    public static String checkValue(SecretBytes key) {
        validate(key);
        SecretKeySpec spec = new SecretKeySpec(key.expose(), "HmacSHA256");
        byte[] tag = null;
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(spec);
            tag = mac.doFinal(CHECK_LABEL);
            return CHECK_PREFIX + HexFormat.of().formatHex(tag, 0, 8);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        } finally {
            SecretBytes.wipe(tag);
            destroyQuietly(spec);
        }
    }

    /** Whether {@code key} has the check value {@code expected} (constant-time comparison). */
    public static boolean matches(SecretBytes key, String expected) {
        if (expected == null) {
            return false;
        }
        return MessageDigest.isEqual(checkValue(key).getBytes(StandardCharsets.US_ASCII),
                expected.getBytes(StandardCharsets.US_ASCII));
    }

    static void destroyQuietly(SecretKeySpec spec) {
        try {
            spec.destroy();
        } catch (DestroyFailedException notSupported) {
            // Older JDKs cannot destroy a SecretKeySpec; its copy becomes garbage like any other.
        }
    }
}
