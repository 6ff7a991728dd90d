package io.kekvault.esxi.disk;

import io.kekvault.esxi.crypto.XtsEngine;
import io.kekvault.esxi.crypto.XtsEngineFactory;
import io.kekvault.esxi.crypto.XtsKeys;
import io.kekvault.kmip.error.CryptographicFailureException;
import io.kekvault.kmip.error.InvalidRequestException;
import io.kekvault.kmip.error.KmsException;
import io.kekvault.secret.SecretBytes;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;

/**
 * Random-access reads and writes of any byte range of an open XTS-encrypted flat disk, as a VM
 * does while it runs.
 *
 * <p>Guarantees: data reaches the file only encrypted (XTS-AES-256, 4096-byte units, tweak =
 * unit number), so the file is always a valid encrypted disk image; writes that cover part of a
 * data unit read, decrypt, patch and re-encrypt that unit (read-modify-write). The disk's size is
 * fixed: ranges past the end are refused. Methods are synchronized, so concurrent callers see
 * each call as atomic with respect to the others in this process; a crash in the middle of a write
 * may leave some of its units old and some new (like a real disk, no journal here), and
 * {@link #flush()} makes completed writes durable. The key is copied into the engine: the caller
 * keeps and closes its {@link SecretBytes}; {@link #close()} wipes the engine and buffers.
 */
public final class EncryptedDisk implements AutoCloseable {
    private static final int UNIT = XtsEngine.DISK_DATA_UNIT;
    private static final int BATCH_UNITS = 64;

    private final FileChannel channel;
    private final XtsEngine engine;
    private final long size;
    private final ByteBuffer scratch;
    private boolean closed;

    private EncryptedDisk(FileChannel channel, XtsEngine engine, long size) {
        this.channel = channel;
        this.engine = engine;
        this.size = size;
        this.scratch = ByteBuffer.allocateDirect(BATCH_UNITS * UNIT);
    }

    /** Opens {@code flat} (read-write) encrypted under {@code key}. */
    public static EncryptedDisk open(Path flat, SecretBytes key, XtsEngineFactory engines)
            throws IOException, KmsException {
        return open(flat, key, null, engines);
    }

    /**
     * Opens {@code flat} encrypted under {@code key}, first checking that the key has the check
     * value recorded for the disk ({@code expectedCheck}, null to skip).
     *
     * @throws CryptographicFailureException if the key does not match the expected check value
     * @throws InvalidRequestException if the file size is not a multiple of 4096
     */
    public static EncryptedDisk open(Path flat, SecretBytes key, String expectedCheck, XtsEngineFactory engines)
            throws IOException, KmsException {
        Objects.requireNonNull(engines, "engines");
        if (expectedCheck != null && !XtsKeys.matches(key, expectedCheck)) {
            throw new CryptographicFailureException("the key does not match the disk's key check value");
        }
        FileChannel ch = FileChannel.open(flat, StandardOpenOption.READ, StandardOpenOption.WRITE);
        try {
            long size = ch.size();
            if (size % UNIT != 0) {
                throw new InvalidRequestException("disk size " + size + " is not a multiple of 4096 bytes");
            }
            return new EncryptedDisk(ch, engines.create(key), size);
        } catch (IOException | KmsException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /** Size of the disk in bytes (a multiple of 4096). */
    public long size() {
        return size;
    }

    /** Reads {@code length} plaintext bytes at {@code offset} into {@code dst[dstOffset..]}. */
    public synchronized void read(long offset, byte[] dst, int dstOffset, int length) throws IOException {
        Objects.checkFromIndexSize(dstOffset, length, dst.length);
        read(offset, ByteBuffer.wrap(dst, dstOffset, length));
    }

    /** Writes {@code src[srcOffset..srcOffset+length)} as plaintext at {@code offset}. */
    public synchronized void write(long offset, byte[] src, int srcOffset, int length) throws IOException {
        Objects.checkFromIndexSize(srcOffset, length, src.length);
        write(offset, ByteBuffer.wrap(src, srcOffset, length));
    }

    /** Fills the remaining bytes of {@code dst} with plaintext from {@code offset}; its position advances. */
    public synchronized void read(long offset, ByteBuffer dst) throws IOException {
        ensureOpen();
        long length = dst.remaining();
        checkRange(offset, length);
        long pos = offset;
        long end = offset + length;
        while (pos < end) {
            long firstUnit = pos / UNIT;
            long unitStart = firstUnit * UNIT;
            int units = (int) Math.min(BATCH_UNITS, (end - unitStart + UNIT - 1) / UNIT);
            loadUnits(firstUnit, units);
            int from = (int) (pos - unitStart);
            int n = (int) Math.min(end - pos, (long) units * UNIT - from);
            dst.put(scratch.slice(from, n));
            pos += n;
        }
    }

    /** Writes the remaining bytes of {@code src} as plaintext at {@code offset}; its position advances. */
    public synchronized void write(long offset, ByteBuffer src) throws IOException {
        ensureOpen();
        long length = src.remaining();
        checkRange(offset, length);
        long pos = offset;
        long end = offset + length;
        while (pos < end) {
            long firstUnit = pos / UNIT;
            long unitStart = firstUnit * UNIT;
            int units = (int) Math.min(BATCH_UNITS, (end - unitStart + UNIT - 1) / UNIT);
            int from = (int) (pos - unitStart);
            int n = (int) Math.min(end - pos, (long) units * UNIT - from);
            boolean headPartial = from != 0;
            boolean tailPartial = (from + n) % UNIT != 0;
            if (headPartial) {
                loadUnits(firstUnit, 1);
            }
            if (tailPartial && (units > 1 || !headPartial)) {
                long lastUnit = firstUnit + units - 1;
                loadUnitInto(lastUnit, (units - 1) * UNIT);
            }
            ByteBuffer part = src.slice(src.position(), n);
            scratch.put(from, part, 0, n);
            src.position(src.position() + n);
            ByteBuffer batch = scratch.slice(0, units * UNIT);
            engine.encryptInPlace(firstUnit, batch);
            DiskTransformer.writeFully(channel, scratch.slice(0, units * UNIT), unitStart);
            pos += n;
        }
    }

    /** Makes completed writes durable (fsync). */
    public synchronized void flush() throws IOException {
        ensureOpen();
        channel.force(false);
    }

    /** Decrypts {@code units} units starting at {@code firstUnit} into the start of the scratch buffer. */
    private void loadUnits(long firstUnit, int units) throws IOException {
        ByteBuffer b = scratch.slice(0, units * UNIT);
        DiskTransformer.readFully(channel, b, firstUnit * UNIT);
        engine.decryptInPlace(firstUnit, scratch.slice(0, units * UNIT));
    }

    private void loadUnitInto(long unit, int scratchOffset) throws IOException {
        ByteBuffer b = scratch.slice(scratchOffset, UNIT);
        DiskTransformer.readFully(channel, b, unit * UNIT);
        engine.decryptInPlace(unit, scratch.slice(scratchOffset, UNIT));
    }

    private void checkRange(long offset, long length) {
        if (offset < 0 || length < 0 || offset > size - length) {
            throw new IndexOutOfBoundsException("range [" + offset + ", +" + length + ") outside disk of " + size + " bytes");
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("disk closed");
        }
    }

    /** Closes the file and wipes the engine and the plaintext scratch buffer. Idempotent. */
    @Override
    public synchronized void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            engine.close();
            scratch.clear();
            while (scratch.hasRemaining()) {
                scratch.putLong(0L);
            }
        } finally {
            channel.close();
        }
    }

    @Override
    public String toString() {
        return "EncryptedDisk[size=" + size + ", engine=" + engine.name() + "]";
    }
}
