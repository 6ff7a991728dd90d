package io.kekvault.kms.vault;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.UUID;

/** How a key identifier becomes the object's {@code CKA_LABEL} and {@code CKA_ID}. */
public final class KeyLabels {
    /** Every Kekvault object's label starts with this, so {@code list} ignores foreign objects. */
    public static final String PREFIX = "kekvault:";

    private KeyLabels() {
    }

    public static String label(String keyId) {
        return PREFIX + keyId;
    }

    /** The key identifier of a label, or null for an object that is not Kekvault's. */
    public static String keyIdOf(String label) {
        return label != null && label.startsWith(PREFIX) ? label.substring(PREFIX.length()) : null;
    }

    /** 16 bytes: the UUID itself, or the first 16 bytes of SHA-256 of a non-UUID identifier. */
    public static byte[] id(String keyId) {
        try {
            UUID u = UUID.fromString(keyId);
            return ByteBuffer.allocate(16).putLong(u.getMostSignificantBits()).putLong(u.getLeastSignificantBits()).array();
        } catch (IllegalArgumentException notUuid) {
            try {
                byte[] d = MessageDigest.getInstance("SHA-256").digest(keyId.getBytes(StandardCharsets.UTF_8));
                return java.util.Arrays.copyOf(d, 16);
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** Rejects identifiers that cannot be labels (empty, too long, control characters). */
    public static void check(String keyId) {
        if (keyId == null || keyId.isEmpty() || keyId.length() > 128) {
            throw new IllegalArgumentException("key identifier must be 1..128 characters");
        }
        for (int i = 0; i < keyId.length(); i++) {
            if (Character.isISOControl(keyId.charAt(i))) {
                throw new IllegalArgumentException("key identifier has a control character");
            }
        }
    }
}
