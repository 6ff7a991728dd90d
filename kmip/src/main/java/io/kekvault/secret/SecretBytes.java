package io.kekvault.secret;

import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;

/**
 * The one holder for clear key material (DEKs, unwrapped keys) in Kekvault.
 *
 * <p>Security guarantees: the bytes are zeroized by {@link #close()}; {@link #toString()} never
 * prints them; the only way to read them is {@link #expose()}, so every place that touches raw
 * key material can be found by searching for that name. Comparison runs in constant time.
 * A closed holder refuses every further access.
 */
public final class SecretBytes implements AutoCloseable {
    private final byte[] bytes;
    private volatile boolean closed;

    private SecretBytes(byte[] bytes) {
        this.bytes = bytes;
    }

    /** Takes ownership of {@code bytes}: the caller must not use the array afterwards. */
    public static SecretBytes adopt(byte[] bytes) {
        if (bytes == null) {
            throw new IllegalArgumentException("secret bytes must not be null");
        }
        return new SecretBytes(bytes);
    }

    /** Copies {@code bytes} into a new holder; the caller keeps (and should wipe) its array. */
    public static SecretBytes copyOf(byte[] bytes, int offset, int length) {
        return new SecretBytes(Arrays.copyOfRange(bytes, offset, offset + length));
    }

    public static SecretBytes copyOf(byte[] bytes) {
        return copyOf(bytes, 0, bytes.length);
    }

    /** Fresh random secret of {@code length} bytes from {@code random} (a DRBG). */
    public static SecretBytes random(int length, SecureRandom random) {
        byte[] b = new byte[length];
        random.nextBytes(b);
        return new SecretBytes(b);
    }

    public int length() {
        return bytes.length;
    }

    /**
     * The raw bytes, without a copy. The caller must not keep a reference beyond the holder's
     * life nor hand the array to anything that may log or persist it.
     */
    public byte[] expose() {
        if (closed) {
            throw new IllegalStateException("secret already closed");
        }
        return bytes;
    }

    /** A new, independent holder with the same bytes. */
    public SecretBytes duplicate() {
        return copyOf(expose());
    }

    /** Constant-time comparison of contents. */
    public boolean contentEquals(SecretBytes other) {
        return MessageDigest.isEqual(expose(), other.expose());
    }

    public boolean isClosed() {
        return closed;
    }

    /** Zeroizes the bytes. Idempotent. */
    @Override
    public void close() {
        closed = true;
        Arrays.fill(bytes, (byte) 0);
    }

    /** Wipes an array that held key material, tolerating null. */
    public static void wipe(byte[] array) {
        if (array != null) {
            Arrays.fill(array, (byte) 0);
        }
    }

    @Override
    public String toString() {
        return "SecretBytes[" + bytes.length + " bytes, redacted]";
    }
}
