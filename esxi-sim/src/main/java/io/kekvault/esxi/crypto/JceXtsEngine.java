package io.kekvault.esxi.crypto;

import io.kekvault.secret.SecretBytes;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.ShortBufferException;
import javax.crypto.spec.SecretKeySpec;

/**
 * XTS-AES-256 on the JDK's AES (AES/ECB/NoPadding, which HotSpot runs on AES-NI/VAES
 * intrinsics), with the tweak arithmetic in Java.
 *
 * <p>Per data unit: T = AES-enc(K2, n as 128-bit little-endian); for each block j,
 * C_j = AES(K1, P_j xor T_j) xor T_j with T_{j+1} = T_j * alpha in GF(2^128) (IEEE 1619 5.2:
 * shift left by one bit across the little-endian 128-bit value, xor 0x87 into the low byte on
 * carry out). The whole unit is masked, run through one ECB call and unmasked, with the masks
 * kept in a scratch array, so the AES work is one intrinsic call per unit and nothing is
 * allocated per call.
 *
 * <p>Key hygiene: scratch arrays are zeroed and the key specs destroyed on close; the JDK keeps
 * its own expanded key schedules inside {@link Cipher}, which cannot be wiped from outside and
 * become garbage. The OpenSSL engine does not have this limit.
 */
final class JceXtsEngine implements XtsEngine {
    private static final VarHandle LONGS =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long GF_128_FEEDBACK = 0x87L;

    private final int unit;
    private final Cipher dataEnc;
    private final Cipher dataDec;
    private final Cipher tweakEnc;
    private final SecretKeySpec dataKey;
    private final SecretKeySpec tweakKey;
    private final byte[] mask;
    private final byte[] work;
    private final byte[] io;
    private final byte[] tweak = new byte[BLOCK];
    private boolean closed;

    JceXtsEngine(SecretBytes key, int dataUnitSize) {
        XtsKeys.validate(key);
        this.unit = XtsArgs.checkDataUnit(dataUnitSize);
        byte[] k = key.expose();
        this.dataKey = new SecretKeySpec(k, 0, 32, "AES");
        this.tweakKey = new SecretKeySpec(k, 32, 32, "AES");
        try {
            dataEnc = Cipher.getInstance("AES/ECB/NoPadding");
            dataEnc.init(Cipher.ENCRYPT_MODE, dataKey);
            dataDec = Cipher.getInstance("AES/ECB/NoPadding");
            dataDec.init(Cipher.DECRYPT_MODE, dataKey);
            tweakEnc = Cipher.getInstance("AES/ECB/NoPadding");
            tweakEnc.init(Cipher.ENCRYPT_MODE, tweakKey);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES/ECB/NoPadding unavailable", e);
        }
        this.mask = new byte[unit];
        this.work = new byte[unit];
        this.io = new byte[unit];
    }

    @Override
    public String name() {
        return "jce";
    }

    @Override
    public int dataUnitSize() {
        return unit;
    }

    @Override
    public void encrypt(long firstUnit, byte[] src, int srcOffset, byte[] dst, int dstOffset, int length) {
        run(dataEnc, firstUnit, src, srcOffset, dst, dstOffset, length);
    }

    @Override
    public void decrypt(long firstUnit, byte[] src, int srcOffset, byte[] dst, int dstOffset, int length) {
        run(dataDec, firstUnit, src, srcOffset, dst, dstOffset, length);
    }

    @Override
    public void encrypt(long firstUnit, ByteBuffer src, ByteBuffer dst) {
        run(dataEnc, firstUnit, src, dst);
    }

    @Override
    public void decrypt(long firstUnit, ByteBuffer src, ByteBuffer dst) {
        run(dataDec, firstUnit, src, dst);
    }

    private void run(Cipher data, long firstUnit, byte[] src, int srcOffset, byte[] dst, int dstOffset, int length) {
        ensureOpen();
        long units = XtsArgs.checkUnits(firstUnit, length, unit);
        XtsArgs.checkArrays(src, srcOffset, dst, dstOffset, length);
        for (long u = 0; u < units; u++) {
            int off = (int) (u * unit);
            unit(data, firstUnit + u, src, srcOffset + off, dst, dstOffset + off);
        }
    }

    private void run(Cipher data, long firstUnit, ByteBuffer src, ByteBuffer dst) {
        ensureOpen();
        int length = src.remaining();
        long units = XtsArgs.checkUnits(firstUnit, length, unit);
        if (dst.remaining() < length) {
            throw new IllegalArgumentException("destination has " + dst.remaining() + " bytes left, need " + length);
        }
        if (dst.isReadOnly()) {
            throw new java.nio.ReadOnlyBufferException();
        }
        if (src.hasArray() && dst.hasArray()) {
            run(data, firstUnit, src.array(), src.arrayOffset() + src.position(),
                    dst.array(), dst.arrayOffset() + dst.position(), length);
            src.position(src.position() + length);
            dst.position(dst.position() + length);
            return;
        }
        XtsArgs.checkBuffers(src, dst, length);
        // Direct buffers: one bulk copy in and out per unit through a scratch array.
        for (long u = 0; u < units; u++) {
            src.get(io, 0, unit);
            unit(data, firstUnit + u, io, 0, io, 0);
            dst.put(io, 0, unit);
        }
    }

    /** One data unit: src and dst are either the same region or disjoint (checked by callers). */
    private void unit(Cipher data, long unitNumber, byte[] src, int s, byte[] dst, int d) {
        LONGS.set(tweak, 0, unitNumber);
        LONGS.set(tweak, 8, 0L);
        try {
            tweakEnc.update(tweak, 0, BLOCK, tweak, 0);
        } catch (ShortBufferException impossible) {
            throw new IllegalStateException(impossible);
        }
        long lo = (long) LONGS.get(tweak, 0);
        long hi = (long) LONGS.get(tweak, 8);
        byte[] m = mask;
        byte[] w = work;
        for (int i = 0; i < unit; i += BLOCK) {
            LONGS.set(m, i, lo);
            LONGS.set(m, i + 8, hi);
            LONGS.set(w, i, (long) LONGS.get(src, s + i) ^ lo);
            LONGS.set(w, i + 8, (long) LONGS.get(src, s + i + 8) ^ hi);
            long carry = hi >> 63;
            hi = (hi << 1) | (lo >>> 63);
            lo = (lo << 1) ^ (carry & GF_128_FEEDBACK);
        }
        try {
            data.update(w, 0, unit, dst, d);
        } catch (ShortBufferException impossible) {
            throw new IllegalStateException(impossible);
        }
        for (int i = 0; i < unit; i += 8) {
            LONGS.set(dst, d + i, (long) LONGS.get(dst, d + i) ^ (long) LONGS.get(m, i));
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("XTS engine closed");
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        Arrays.fill(mask, (byte) 0);
        Arrays.fill(work, (byte) 0);
        Arrays.fill(io, (byte) 0);
        Arrays.fill(tweak, (byte) 0);
        XtsKeys.destroyQuietly(dataKey);
        XtsKeys.destroyQuietly(tweakKey);
    }

    @Override
    public String toString() {
        return "JceXtsEngine[unit=" + unit + ", key redacted]";
    }
}
