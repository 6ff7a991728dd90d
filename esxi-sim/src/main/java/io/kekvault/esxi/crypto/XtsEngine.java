package io.kekvault.esxi.crypto;

import java.nio.ByteBuffer;

/**
 * XTS-AES-256 (IEEE Std 1619, NIST SP 800-38E) over whole data units, the cipher of an encrypted
 * virtual disk.
 *
 * <p>Contract: data unit {@code n} (counted from 0 at the start of the disk) is enciphered with
 * the tweak {@code n} written as a 128-bit little-endian integer, which is the IEEE 1619
 * data-unit-sequence-number convention used by dm-crypt's {@code plain64}, VMware and OpenSSL.
 * A call covers one or more consecutive data units: the first has number {@code firstUnit}, the
 * next {@code firstUnit + 1}, and so on; unit numbers are non-negative {@code long}s (63 bits).
 * Lengths must be a positive multiple of
 * {@link #dataUnitSize()}; there is no ciphertext stealing, since disk data units are whole
 * blocks. Source and destination may be the very same region (in place) or disjoint regions;
 * partially overlapping regions are refused.
 *
 * <p>Security guarantees and limits: confidentiality only. XTS is length-preserving and has no
 * integrity tag, so decrypting with a wrong key or tampered data yields garbage, never an error;
 * callers that must tell keys apart compare an {@link XtsKeys#checkValue key check value}
 * beforehand. Equal plaintext in the same data unit gives equal ciphertext (the usual disk
 * encryption trade-off). Both AES-256 halves of the 64-byte key must differ, as OpenSSL and
 * IEEE 1619-2018 require. The key is copied into the engine at creation; the caller keeps and
 * closes its {@link io.kekvault.secret.SecretBytes}. {@link #close()} wipes what the engine holds
 * (see each implementation for what the platform lets it wipe).
 *
 * <p>An engine is <b>not</b> thread-safe: it owns its cipher contexts and scratch buffers so the
 * hot path allocates nothing. Create one per thread from an {@link XtsEngineFactory}.
 */
public interface XtsEngine extends AutoCloseable {

    /** The data-unit size of Kekvault disks, in bytes. */
    int DISK_DATA_UNIT = 4096;

    /** AES block size in bytes. */
    int BLOCK = 16;

    /** Length of an XTS-AES-256 key: two AES-256 keys, data key first, tweak key second. */
    int KEY_LENGTH = 64;

    /** Short implementation name for logs and benchmarks, e.g. {@code openssl} or {@code jce}. */
    String name();

    /** Size in bytes of one data unit (4096 for disks; other block multiples for test vectors). */
    int dataUnitSize();

    /** Encrypts {@code length} bytes, a whole number of data units, from {@code src} into {@code dst}. */
    void encrypt(long firstUnit, byte[] src, int srcOffset, byte[] dst, int dstOffset, int length);

    /** Decrypts {@code length} bytes, a whole number of data units, from {@code src} into {@code dst}. */
    void decrypt(long firstUnit, byte[] src, int srcOffset, byte[] dst, int dstOffset, int length);

    /**
     * Encrypts all remaining bytes of {@code src} into {@code dst} (heap or direct buffers; the
     * same buffer for in place). Both positions advance by the length processed.
     */
    void encrypt(long firstUnit, ByteBuffer src, ByteBuffer dst);

    /** Decrypts all remaining bytes of {@code src} into {@code dst}; positions advance. */
    void decrypt(long firstUnit, ByteBuffer src, ByteBuffer dst);

    /** Encrypts in place. */
    default void encrypt(long firstUnit, byte[] buf, int offset, int length) {
        encrypt(firstUnit, buf, offset, buf, offset, length);
    }

    /** Decrypts in place. */
    default void decrypt(long firstUnit, byte[] buf, int offset, int length) {
        decrypt(firstUnit, buf, offset, buf, offset, length);
    }

    /** Encrypts the buffer's remaining bytes in place; its position advances to its limit. */
    default void encryptInPlace(long firstUnit, ByteBuffer buf) {
        ByteBuffer dst = buf.duplicate();
        encrypt(firstUnit, buf, dst);
    }

    /** Decrypts the buffer's remaining bytes in place; its position advances to its limit. */
    default void decryptInPlace(long firstUnit, ByteBuffer buf) {
        ByteBuffer dst = buf.duplicate();
        decrypt(firstUnit, buf, dst);
    }

    /** Wipes the engine's key material; further calls fail. Idempotent. */
    @Override
    void close();
}
