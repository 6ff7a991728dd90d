package io.kekvault.esxi.disk;

import io.kekvault.esxi.crypto.XtsEngine;
import io.kekvault.esxi.crypto.XtsEngineFactory;
import io.kekvault.kmip.error.CryptographicFailureException;
import io.kekvault.kmip.error.InvalidRequestException;
import io.kekvault.kmip.error.KmsException;
import io.kekvault.kmip.error.ResultReason;
import io.kekvault.kmip.error.WrongStateException;
import io.kekvault.secret.SecretBytes;

import java.io.EOFException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a flat disk file from one {@link DiskForm} into another: encrypt (plain to XTS), decrypt
 * (XTS to plain) and deep rekey (XTS under key A to XTS under key B).
 *
 * <p>Crash safety: the new file is written completely under a temporary name in the same
 * directory and fsynced, then renamed atomically over the old one and the directory fsynced. A
 * small journal ({@code .<name>.kvjournal}, holding only form labels, never keys) is made durable
 * before any data is written and removed last. A process killed at any instant therefore leaves
 * either the old file or the new file, never a mix, and {@link #recover} (run first by every
 * transform) tells which: a leftover temporary file means the rename never happened, so it is
 * deleted and the old file stands; a journal without a temporary file means the rename happened.
 * Running the same transform again after a crash either redoes it from the intact old file or
 * finds it already done. Needs free space for one more copy of the disk.
 *
 * <p>Guarantees and refusals: a source key whose check value differs from the one the caller
 * expects is refused before anything is written ({@link CryptographicFailureException}); a file
 * whose size is not a multiple of 4096 is refused ({@link InvalidRequestException}); a request
 * whose source form contradicts what an interrupted transform left is refused
 * ({@link WrongStateException}). One transform at a time per file, and not while the disk is open
 * in an {@link EncryptedDisk}: callers serialize tasks on a disk.
 *
 * <p>Throughput: {@code workers} crypto threads (each with its own engines) read the old file
 * through a read-only memory mapping and encrypt into a small pool of large direct buffers;
 * finished chunks are stored with positional writes, so they complete in any order. With one
 * worker a separate writer thread overlaps writing with AES; with more, whichever worker finds
 * the file free writes all queued chunks while the others keep encrypting.
 */
public final class DiskTransformer {
    private static final Logger LOG = LoggerFactory.getLogger(DiskTransformer.class);
    /** Default chunk: 256 KiB (64 data units), small enough to stay in a core's L2 cache. */
    public static final int DEFAULT_CHUNK_BYTES = 256 << 10;
    private static final int SUB_BATCH = 8 * XtsEngine.DISK_DATA_UNIT;
    /** From this many workers on, the workers write (combining) instead of a writer thread. */
    private static final int SELF_WRITE_FROM = Integer.getInteger("kekvault.disk.selfWriteFrom", 2);
    private static final String JOURNAL_MAGIC = "kekvault-disk-transform v1";

    private final XtsEngineFactory engines;
    private final int workers;
    private final int chunkBytes;

    /** A transformer using {@code workers} crypto threads and 1 MiB chunks. */
    public DiskTransformer(XtsEngineFactory engines, int workers) {
        this(engines, workers, DEFAULT_CHUNK_BYTES);
    }

    public DiskTransformer(XtsEngineFactory engines, int workers, int chunkBytes) {
        if (workers < 1) {
            throw new IllegalArgumentException("workers must be >= 1");
        }
        if (chunkBytes < XtsEngine.DISK_DATA_UNIT || chunkBytes % XtsEngine.DISK_DATA_UNIT != 0) {
            throw new IllegalArgumentException("chunk must be a positive multiple of 4096 bytes");
        }
        this.engines = engines;
        this.workers = workers;
        this.chunkBytes = chunkBytes;
    }

    /** Plaintext to XTS under {@code key}. */
    public TransformResult encrypt(Path flat, SecretBytes key, DiskProgress progress)
            throws IOException, KmsException {
        return transform(flat, DiskForm.plain(), DiskForm.xts(key), false, progress);
    }

    /** XTS under {@code key} to plaintext. */
    public TransformResult decrypt(Path flat, SecretBytes key, DiskProgress progress)
            throws IOException, KmsException {
        return transform(flat, DiskForm.xts(key), DiskForm.plain(), false, progress);
    }

    /** Deep rekey: XTS under {@code from} to XTS under {@code to}. */
    public TransformResult rekey(Path flat, SecretBytes from, SecretBytes to,
                                 DiskProgress progress) throws IOException, KmsException {
        return transform(flat, DiskForm.xts(from), DiskForm.xts(to), false, progress);
    }

    /**
     * Rewrites {@code flat} from form {@code from} to form {@code to}.
     *
     * @param keepJournal leave the journal after success, so a crash before the caller records
     *                    the new form is still visible to {@link #recover}; the caller then
     *                    calls {@link #finish} once its records say {@code to}
     */
    public TransformResult transform(Path flat, DiskForm from, DiskForm to, boolean keepJournal, DiskProgress progress)
            throws IOException, KmsException {
        long t0 = System.nanoTime();
        DiskProgress listener = progress == null ? DiskProgress.NONE : progress;
        Path file = flat.toAbsolutePath();
        String fromLabel = from.label();
        String toLabel = to.label();
        if (fromLabel.equals(toLabel)) {
            throw new InvalidRequestException("source and target forms are the same");
        }
        if (from instanceof DiskForm.Xts x && !x.keyMatchesExpectation()) {
            throw new CryptographicFailureException(ResultReason.CRYPTOGRAPHIC_FAILURE,
                    "the key does not match the disk's key check value", null);
        }

        Recovery rec = recover(file);
        if (rec.outcome() == Recovery.Outcome.COMPLETED) {
            if (toLabel.equals(rec.toLabel()) && fromLabel.equals(rec.fromLabel())) {
                if (!keepJournal) {
                    finish(file);
                }
                listener.phase(DiskProgress.Phase.FINISHED);
                long size = Files.size(file);
                LOG.info("disk transform already complete file={} bytes={}", file.getFileName(), size);
                return new TransformResult(file, size, true, rec, workers, engines.name(), 0, System.nanoTime() - t0);
            }
            if (!fromLabel.equals(rec.toLabel())) {
                throw new WrongStateException(ResultReason.ILLEGAL_OPERATION,
                        "an interrupted transform left the disk in another form than the request's source", null);
            }
            finish(file);
        } else if (rec.outcome() == Recovery.Outcome.ROLLED_BACK && rec.fromLabel() != null
                && !fromLabel.equals(rec.fromLabel())) {
            throw new WrongStateException(ResultReason.ILLEGAL_OPERATION,
                    "an interrupted transform found the disk in another form than the request's source", null);
        }

        long size = Files.size(file);
        if (size % XtsEngine.DISK_DATA_UNIT != 0) {
            throw new InvalidRequestException("disk size " + size + " is not a multiple of 4096 bytes");
        }
        Path dir = file.getParent();
        Path temp = tempOf(file);
        Path journal = journalOf(file);

        boolean renamed = false;
        long pipelineNanos;
        try {
            try (FileChannel out = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                copyPermissions(file, temp);
                fsyncDirectory(dir);
                listener.phase(DiskProgress.Phase.TEMP_CREATED);
                writeJournal(journal, file, temp, fromLabel, toLabel, size);
                fsyncDirectory(dir);
                listener.phase(DiskProgress.Phase.JOURNAL_WRITTEN);

                long p0 = System.nanoTime();
                try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
                    pipeline(in, out, size, from, to, listener);
                }
                pipelineNanos = System.nanoTime() - p0;
                out.force(true);
            }
            listener.phase(DiskProgress.Phase.DATA_SYNCED);
            try {
                Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("the file system cannot rename atomically; refusing an unsafe transform", e);
            }
            renamed = true;
            fsyncDirectory(dir);
            listener.phase(DiskProgress.Phase.RENAMED);
        } catch (IOException | RuntimeException | Error e) {
            if (!renamed) {
                discardQuietly(temp, journal, dir, e);
            }
            throw e;
        }
        if (!keepJournal) {
            finish(file);
        }
        listener.phase(DiskProgress.Phase.FINISHED);
        long total = System.nanoTime() - t0;
        LOG.info("disk transform done file={} from={} to={} bytes={} workers={} engine={} millis={}",
                file.getFileName(), kind(fromLabel), kind(toLabel), size, workers, engines.name(), total / 1_000_000);
        return new TransformResult(file, size, false, rec, workers, engines.name(), pipelineNanos, total);
    }

    /**
     * Finds and cleans what an interrupted transform of {@code flat} left: deletes a temporary
     * file (the rename never happened, so the file is in its old form) together with its
     * journal; reports a journal without a temporary file as {@link Recovery.Outcome#COMPLETED}
     * (the file is in the journal's target form) and keeps that journal until {@link #finish}.
     */
    public static Recovery recover(Path flat) throws IOException {
        Path file = flat.toAbsolutePath();
        Path dir = file.getParent();
        Path temp = tempOf(file);
        Path journal = journalOf(file);
        Map<String, String> j = readJournal(journal);
        if (Files.exists(temp)) {
            Files.deleteIfExists(temp);
            Files.deleteIfExists(journal);
            fsyncDirectory(dir);
            String from = j == null ? null : j.get("from");
            LOG.warn("disk transform rolled back file={} reason=leftover_temp_file", file.getFileName());
            return new Recovery(Recovery.Outcome.ROLLED_BACK, from, from, j == null ? null : j.get("to"));
        }
        if (Files.exists(journal)) {
            if (j == null) {
                // Cannot happen with the write order used here (the journal is durable before the
                // temp file can be renamed); refuse to guess.
                throw new IOException("unreadable transform journal " + journal.getFileName() + " without a temporary file");
            }
            LOG.info("disk transform found completed file={} form={}", file.getFileName(), kind(j.get("to")));
            return new Recovery(Recovery.Outcome.COMPLETED, j.get("to"), j.get("from"), j.get("to"));
        }
        return Recovery.clean();
    }

    /** Removes a completed transform's journal (after the caller has recorded the new form). */
    public static void finish(Path flat) throws IOException {
        Path file = flat.toAbsolutePath();
        if (Files.exists(tempOf(file))) {
            throw new IOException("transform of " + file.getFileName() + " not complete: temporary file present");
        }
        if (Files.deleteIfExists(journalOf(file))) {
            fsyncDirectory(file.getParent());
        }
    }

    static Path tempOf(Path file) {
        return file.resolveSibling("." + file.getFileName() + ".kvtmp");
    }

    static Path journalOf(Path file) {
        return file.resolveSibling("." + file.getFileName() + ".kvjournal");
    }

    private static String kind(String label) {
        if (label == null) {
            return "unknown";
        }
        int slash = label.indexOf('/');
        return slash < 0 ? label : label.substring(0, slash);
    }

    // ---- pipeline ----

    private static final class Chunk {
        final ByteBuffer buf;
        long pos;
        int len;

        Chunk(int size) {
            buf = ByteBuffer.allocateDirect(size);
        }
    }

    private void pipeline(FileChannel in, FileChannel out, long size, DiskForm from, DiskForm to, DiskProgress progress)
            throws IOException {
        if (size == 0) {
            progress.progress(0, 0);
            return;
        }
        long chunks = (size + chunkBytes - 1) / chunkBytes;
        int pool = (int) Math.min(chunks + workers, 2L * workers + 2);
        BlockingQueue<Chunk> free = new ArrayBlockingQueue<>(pool);
        BlockingQueue<Chunk> toWrite = new ArrayBlockingQueue<>(pool + 1);
        List<Chunk> all = new ArrayList<>(pool);
        for (int i = 0; i < pool; i++) {
            Chunk c = new Chunk(chunkBytes);
            all.add(c);
            free.add(c);
        }
        AtomicLong next = new AtomicLong();
        AtomicLong written = new AtomicLong();
        boolean selfWrite = workers >= SELF_WRITE_FROM;
        java.util.concurrent.locks.ReentrantLock writeLock = new java.util.concurrent.locks.ReentrantLock();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> threads = new java.util.concurrent.CopyOnWriteArrayList<>();
        // The source is read through a read-only mapping: the workers pull the page cache straight
        // into AES, saving the copy a read() would make (on two cores that copy competes with AES).
        try (Arena arena = Arena.ofShared()) {
            MemorySegment source = in.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            try {
                for (int w = 0; w < workers; w++) {
                    threads.add(Thread.ofPlatform().name("xts-worker-" + w).start(() -> guard(failure, threads, () -> {
                        try (XtsEngine dec = engineFor(from); XtsEngine enc = engineFor(to)) {
                            while (true) {
                                Chunk c = free.take();
                                long i = next.getAndIncrement();
                                if (i >= chunks) {
                                    free.put(c);
                                    return;
                                }
                                c.pos = i * chunkBytes;
                                c.len = (int) Math.min(chunkBytes, size - c.pos);
                                transformChunk(source.asSlice(c.pos, c.len).asByteBuffer(), c, dec, enc);
                                toWrite.put(c);
                                if (selfWrite) {
                                    drainWrites(writeLock, toWrite, free, out, progress, written, size);
                                }
                            }
                        }
                    })));
                }
                if (selfWrite) {
                    for (Thread t : threads) {
                        t.join();
                    }
                    if (failure.get() == null) {
                        drainWrites(writeLock, toWrite, free, out, progress, written, size);
                        if (written.get() != size) {
                            throw new IOException("disk transform wrote " + written.get() + " of " + size + " bytes");
                        }
                    }
                } else {
                    for (long i = 0; i < chunks; i++) {
                        Chunk c = takeOrFail(toWrite, failure);
                        int len = c.len;
                        c.buf.clear().limit(len);
                        writeFully(out, c.buf, c.pos);
                        free.put(c); // from here on a worker may reuse c
                        report(progress, written, len, size);
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failure.compareAndSet(null, new InterruptedIOException("disk transform interrupted"));
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            } finally {
                if (failure.get() != null) {
                    threads.forEach(Thread::interrupt);
                }
                for (Thread t : threads) {
                    joinUninterruptibly(t);
                }
                for (Chunk c : all) {
                    wipe(c.buf);
                }
            }
        }
        Throwable t = failure.get();
        if (t != null) {
            switch (t) {
                case IOException io -> throw io;
                case RuntimeException re -> throw re;
                case Error er -> throw er;
                default -> throw new IOException("disk transform failed", t);
            }
        }
    }

    /**
     * Writes queued chunks if no other worker is writing: the file system serializes writes to
     * one file anyway (ext4 takes the inode lock), so rather than wait, or spin in the kernel, a
     * worker that finds a write in progress goes back to AES and leaves its chunk to the writer,
     * which drains the queue before letting go (flat combining). The re-check after unlocking
     * makes sure no chunk is left behind.
     */
    private static void drainWrites(java.util.concurrent.locks.ReentrantLock lock, BlockingQueue<Chunk> toWrite,
                                    BlockingQueue<Chunk> free, FileChannel out, DiskProgress progress,
                                    AtomicLong written, long size) throws IOException, InterruptedException {
        do {
            if (!lock.tryLock()) {
                return;
            }
            try {
                Chunk c;
                while ((c = toWrite.poll()) != null) {
                    int len = c.len;
                    c.buf.clear().limit(len);
                    writeFully(out, c.buf, c.pos);
                    free.put(c); // from here on another worker may reuse c
                    report(progress, written, len, size);
                }
            } finally {
                lock.unlock();
            }
        } while (!toWrite.isEmpty());
    }

    private static void report(DiskProgress progress, AtomicLong written, int len, long size) {
        synchronized (written) {
            progress.progress(written.addAndGet(len), size);
        }
    }

    private XtsEngine engineFor(DiskForm form) {
        return form instanceof DiskForm.Xts x ? engines.create(x.key()) : null;
    }

    private static void transformChunk(ByteBuffer src, Chunk c, XtsEngine dec, XtsEngine enc) {
        // A few units at a time, so a rekey re-encrypts each byte while it is still in cache.
        long firstUnit = c.pos / XtsEngine.DISK_DATA_UNIT;
        for (int off = 0; off < c.len; off += SUB_BATCH) {
            int n = Math.min(SUB_BATCH, c.len - off);
            long unit = firstUnit + off / XtsEngine.DISK_DATA_UNIT;
            ByteBuffer in = src.slice(off, n);
            ByteBuffer out = c.buf.slice(off, n);
            if (dec != null) {
                dec.decrypt(unit, in, out);
                if (enc != null) {
                    enc.encryptInPlace(unit, c.buf.slice(off, n));
                }
            } else {
                enc.encrypt(unit, in, out);
            }
        }
    }

    @FunctionalInterface
    private interface Step {
        void run() throws Exception;
    }

    private static void guard(AtomicReference<Throwable> failure, List<Thread> threads, Step step) {
        try {
            step.run();
        } catch (InterruptedException e) {
            failure.compareAndSet(null, new InterruptedIOException("disk transform interrupted"));
        } catch (Throwable t) {
            failure.compareAndSet(null, t);
            for (Thread th : threads) {
                if (th != Thread.currentThread()) {
                    th.interrupt();
                }
            }
        }
    }

    private static Chunk takeOrFail(BlockingQueue<Chunk> q, AtomicReference<Throwable> failure)
            throws InterruptedException, IOException {
        while (true) {
            Chunk c = q.poll(100, java.util.concurrent.TimeUnit.MILLISECONDS);
            if (c != null) {
                return c;
            }
            if (failure.get() != null) {
                throw new IOException("disk transform stage failed", failure.get());
            }
        }
    }

    private static void joinUninterruptibly(Thread t) {
        boolean interrupted = false;
        while (true) {
            try {
                t.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private static void wipe(ByteBuffer b) {
        b.clear();
        while (b.remaining() >= 8) {
            b.putLong(0L);
        }
        while (b.hasRemaining()) {
            b.put((byte) 0);
        }
    }

    static void readFully(FileChannel ch, ByteBuffer buf, long pos) throws IOException {
        long p = pos;
        while (buf.hasRemaining()) {
            int n = ch.read(buf, p);
            if (n < 0) {
                throw new EOFException("disk file ended at " + p + " bytes");
            }
            p += n;
        }
    }

    static void writeFully(FileChannel ch, ByteBuffer buf, long pos) throws IOException {
        long p = pos;
        while (buf.hasRemaining()) {
            p += ch.write(buf, p);
        }
    }

    // ---- journal and directory durability ----

    private static void writeJournal(Path journal, Path file, Path temp, String from, String to, long size)
            throws IOException {
        String text = JOURNAL_MAGIC + "\n"
                + "file=" + file.getFileName() + "\n"
                + "temp=" + temp.getFileName() + "\n"
                + "from=" + from + "\n"
                + "to=" + to + "\n"
                + "size=" + size + "\n"
                + "end\n";
        try (FileChannel ch = FileChannel.open(journal, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            writeFully(ch, ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)), 0);
            ch.force(true);
        }
    }

    /** The journal's fields, or null when absent or incomplete (a run that died while writing it). */
    private static Map<String, String> readJournal(Path journal) throws IOException {
        List<String> lines;
        try {
            lines = Files.readAllLines(journal, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return null;
        } catch (java.nio.charset.MalformedInputException e) {
            return null;
        }
        if (lines.isEmpty() || !lines.getFirst().equals(JOURNAL_MAGIC) || !lines.getLast().equals("end")) {
            return null;
        }
        Map<String, String> m = new LinkedHashMap<>();
        for (String l : lines.subList(1, lines.size() - 1)) {
            int eq = l.indexOf('=');
            if (eq > 0) {
                m.put(l.substring(0, eq), l.substring(eq + 1));
            }
        }
        return m.containsKey("from") && m.containsKey("to") ? m : null;
    }

    /** The new file keeps the old one's POSIX permissions (where the file system has them). */
    private static void copyPermissions(Path from, Path to) throws IOException {
        if (Files.getFileStore(from).supportsFileAttributeView(java.nio.file.attribute.PosixFileAttributeView.class)) {
            Files.setPosixFilePermissions(to, Files.getPosixFilePermissions(from));
        }
    }

    /** Makes creations, renames and deletions in {@code dir} durable. */
    static void fsyncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    private static void discardQuietly(Path temp, Path journal, Path dir, Throwable cause) {
        try {
            Files.deleteIfExists(temp);
            Files.deleteIfExists(journal);
            fsyncDirectory(dir);
        } catch (IOException e) {
            cause.addSuppressed(e);
        }
    }
}
