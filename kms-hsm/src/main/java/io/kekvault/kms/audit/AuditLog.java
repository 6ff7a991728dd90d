package io.kekvault.kms.audit;

import io.kekvault.kmip.error.UnavailableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A node's append-only, hash-chained audit log: {@code audit-<node>.jsonl}, one
 * {@link AuditRecord} per line.
 *
 * <p>Guarantees:
 * <ul>
 *   <li>Appends from any number of threads get consecutive sequence numbers in file order, each
 *       record chained to the previous one's hash, so {@link AuditVerifier} detects any edited,
 *       dropped, inserted or reordered record.</li>
 *   <li>{@link #append} returns only once its record is written to the operating system
 *       ({@link AuditDurability#WRITE}: survives {@code kill -9}) or also fsynced
 *       ({@link AuditDurability#FSYNC}: survives power loss). Concurrent appends are written,
 *       and fsynced, together by whichever caller gets there first (group commit); no lock is held
 *       during I/O.</li>
 *   <li>If a write fails, that append and every append queued behind it fail with
 *       {@link UnavailableException}, the file is cut back to its last complete record and the
 *       chain resumes from there; after a failed fsync the log refuses further appends, since the
 *       kernel may have dropped the data it reported as written.</li>
 *   <li>On open, the chain resumes from the last complete record. A final line left incomplete by a
 *       crash is reported (log, {@link #recovery()}, and an {@code audit.recover} record), saved
 *       beside the log, and cut off; nothing else is ever removed. A corrupt last complete record
 *       refuses the open.</li>
 *   <li>One process at a time: the file is locked while open.</li>
 * </ul>
 * Records never hold key material, PINs or request bodies: see {@link AuditEvent}.
 */
public final class AuditLog implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AuditLog.class);
    static final String RECOVER_OPERATION = "audit.recover";
    static final String SYSTEM_IDENTITY = "kekvault";

    private final AuditConfig config;
    private final Path file;
    // Written through RandomAccessFile, not FileChannel: an interrupted appender must not close
    // the log for everyone (FileChannel I/O is interruptible and closes the channel).
    private final RandomAccessFile raf;
    private final FileLock fileLock;
    private final String nodeJson;
    private final AuditRecovery recovery;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition written = lock.newCondition();
    private final MessageDigest digest = AuditCodec.sha256();

    // Guarded by lock.
    private long lastSequence;           // head of the chain, including queued records
    private String lastHash;
    private long durableSequence;        // last record on disk
    private String durableHash;
    private long position;               // end of the records on disk
    private List<Ticket> queued = new ArrayList<>();
    private ByteArrayOutputStream queuedBytes = new ByteArrayOutputStream(8192);
    private boolean flushing;
    private boolean closed;
    private String refusal;              // non-null once the log refuses appends

    private volatile long readableEnd;   // for queries: bytes that hold complete records

    /** One append waiting for its batch to be written. */
    private static final class Ticket {
        boolean done;
        boolean failed;
    }

    private AuditLog(AuditConfig config, Path file, RandomAccessFile raf, FileLock fileLock, long position,
                     long lastSequence, String lastHash, AuditRecovery recovery) {
        this.config = config;
        this.file = file;
        this.raf = raf;
        this.fileLock = fileLock;
        this.nodeJson = AuditCodec.json(config.nodeId());
        this.position = position;
        this.readableEnd = position;
        this.lastSequence = lastSequence;
        this.durableSequence = lastSequence;
        this.lastHash = lastHash;
        this.durableHash = lastHash;
        this.recovery = recovery;
    }

    static String fileName(String nodeId) {
        return "audit-" + nodeId + ".jsonl";
    }

    /**
     * Opens (creating if needed) the node's log and resumes its chain.
     *
     * @throws IOException if the file cannot be opened or locked, if its last complete record is
     *         corrupt or from another node (run {@code kekvault audit verify} on it)
     */
    public static AuditLog open(AuditConfig config) throws IOException {
        Files.createDirectories(config.directory());
        Path file = config.file();
        boolean existed = Files.exists(file);
        RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw");
        FileChannel ch = raf.getChannel();
        try {
            FileLock fl;
            try {
                fl = ch.tryLock();
            } catch (OverlappingFileLockException e) {
                fl = null;
            }
            if (fl == null) {
                throw new IOException("audit log " + file + " is open in another process or log instance");
            }
            if (!existed && config.durability() == AuditDurability.FSYNC) {
                syncDirectory(config.directory());
            }
            long size = ch.size();
            long tornLine = 0;
            long truncated = 0;
            Path fragment = null;
            long lastNl = Lines.lastNewline(ch, size);
            if (lastNl + 1 < size) {
                long keep = lastNl + 1;
                truncated = size - keep;
                tornLine = Lines.count(ch, keep) + 1;
                fragment = saveFragment(config, ch, keep, size);
                ch.truncate(keep);
                ch.force(true);
                log.warn("audit_torn_line file={} line={} truncated_bytes={} saved_to={}", file, tornLine, truncated, fragment);
                size = keep;
            }
            long lastSeq = 0;
            String lastHash = AuditCodec.genesis(config.nodeId());
            if (size > 0) {
                AuditRecord last = lastRecord(ch, size, file);
                if (!last.node().equals(config.nodeId())) {
                    throw new IOException("audit log " + file + " belongs to node " + last.node() + ", not " + config.nodeId());
                }
                lastSeq = last.sequence();
                lastHash = last.hash();
            }
            AuditRecovery recovery = new AuditRecovery(lastSeq, tornLine > 0, tornLine, truncated, fragment);
            AuditLog auditLog = new AuditLog(config, file, raf, fl, size, lastSeq, lastHash, recovery);
            log.info("audit_opened file={} node={} last_sequence={} durability={}", file, config.nodeId(), lastSeq, config.durability());
            if (recovery.tornLine()) {
                try {
                    auditLog.append(new AuditEvent(SYSTEM_IDENTITY, RECOVER_OPERATION, null, AuditRecord.SUCCESS, null,
                            "truncated torn line " + tornLine + " (" + truncated + " bytes), saved as " + fragment.getFileName()));
                } catch (UnavailableException e) {
                    auditLog.close();
                    throw new IOException("cannot record the recovery of audit log " + file, e);
                }
            }
            return auditLog;
        } catch (IOException | RuntimeException e) {
            raf.close();
            throw e;
        }
    }

    private static AuditRecord lastRecord(FileChannel ch, long size, Path file) throws IOException {
        byte[][] last = new byte[1][];
        Lines.backward(ch, size, AuditCodec.MAX_LINE_BYTES, (bytes, terminated, tooLong) -> {
            last[0] = bytes;
            return false;
        });
        try {
            AuditRecord r = AuditCodec.parse(last[0]);
            if (!AuditCodec.hash(AuditCodec.sha256(), AuditCodec.canonical(r)).equals(r.hash())) {
                throw new IOException("the last record of audit log " + file + " does not match its hash; "
                        + "run 'kekvault audit verify' and keep the file as evidence");
            }
            return r;
        } catch (AuditCodec.MalformedRecordException e) {
            throw new IOException("the last record of audit log " + file + " is corrupt (" + e.getMessage()
                    + "); run 'kekvault audit verify' and keep the file as evidence");
        }
    }

    private static Path saveFragment(AuditConfig config, FileChannel ch, long from, long to) throws IOException {
        Path target = config.directory().resolve(fileName(config.nodeId()) + ".torn-" + System.currentTimeMillis());
        ByteBuffer buf = ByteBuffer.allocate((int) Math.min(to - from, 16L * AuditCodec.MAX_LINE_BYTES));
        Lines.readFully(ch, buf, from);
        try (FileChannel out = FileChannel.open(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            buf.flip();
            while (buf.hasRemaining()) {
                out.write(buf);
            }
            out.force(true);
        }
        syncDirectory(config.directory());
        return target;
    }

    private static void syncDirectory(Path dir) {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException e) {
            // Some file systems cannot fsync a directory; the file's own fsync still holds its data.
            log.debug("audit_dir_sync_unsupported dir={} error={}", dir, e.toString());
        }
    }

    /**
     * Appends a record and returns it once it is written (or fsynced, per the configured
     * durability). Thread-safe; records appear in the file in sequence order.
     *
     * @throws UnavailableException if the record could not be written (then it is not in the
     *         log, and the caller should refuse the audited operation), or the log is closed
     */
    public AuditRecord append(AuditEvent event) throws UnavailableException {
        String fields = AuditCodec.eventFields(event);
        Ticket ticket = new Ticket();
        AuditRecord record;
        lock.lock();
        try {
            if (closed) {
                throw new UnavailableException("audit log is closed");
            }
            if (refusal != null) {
                throw new UnavailableException("audit log unavailable: " + refusal);
            }
            long seq = lastSequence + 1;
            Instant time = config.clock().instant().truncatedTo(ChronoUnit.MILLIS);
            String canonical = AuditCodec.canonical(seq, time, nodeJson, fields, lastHash);
            String hash = AuditCodec.hash(digest, canonical);
            queuedBytes.writeBytes(AuditCodec.line(canonical, hash));
            queued.add(ticket);
            record = new AuditRecord(seq, time, config.nodeId(), event.identity(), event.operation(), event.keyId(),
                    event.result(), event.requestId(), event.detail(), lastHash, hash);
            lastSequence = seq;
            lastHash = hash;
            while (!ticket.done) {
                if (flushing) {
                    written.awaitUninterruptibly();
                } else {
                    flush();
                }
            }
        } finally {
            lock.unlock();
        }
        if (ticket.failed) {
            throw new UnavailableException("audit log unavailable: the record could not be written");
        }
        return record;
    }

    /** Writes every queued record in one go; called with the lock held, releases it during I/O. */
    private void flush() {
        flushing = true;
        List<Ticket> batch = queued;
        byte[] bytes = queuedBytes.toByteArray();
        queued = new ArrayList<>();
        queuedBytes = new ByteArrayOutputStream(Math.max(8192, bytes.length));
        long batchSequence = lastSequence;
        String batchHash = lastHash;
        long start = position;
        IOException writeFailure = null;
        IOException syncFailure = null;
        lock.unlock();
        try {
            try {
                raf.seek(start);
                raf.write(bytes);
            } catch (IOException e) {
                writeFailure = e;
            }
            if (writeFailure == null && config.durability() == AuditDurability.FSYNC) {
                try {
                    raf.getFD().sync();
                } catch (IOException e) {
                    syncFailure = e;
                }
            }
        } finally {
            lock.lock();
        }
        flushing = false;
        if (writeFailure == null && syncFailure == null) {
            position = start + bytes.length;
            readableEnd = position;
            durableSequence = batchSequence;
            durableHash = batchHash;
            batch.forEach(t -> t.done = true);
        } else {
            fail(batch, start, writeFailure != null ? writeFailure : syncFailure, syncFailure != null);
        }
        written.signalAll();
    }

    /** The batch, and everything queued behind it (chained onto it), is lost: fail it and rewind the chain. */
    private void fail(List<Ticket> batch, long start, IOException cause, boolean syncFailed) {
        List<Ticket> lost = new ArrayList<>(batch);
        lost.addAll(queued);
        queued = new ArrayList<>();
        queuedBytes.reset();
        for (Ticket t : lost) {
            t.done = true;
            t.failed = true;
        }
        lastSequence = durableSequence;
        lastHash = durableHash;
        log.error("audit_write_failed file={} lost_appends={} after_sequence={} error={}", file, lost.size(), durableSequence, cause.toString());
        try {
            raf.setLength(start);
        } catch (IOException e) {
            refusal = "cannot cut back a partly written record";
            log.error("audit_truncate_failed file={} error={}", file, e.toString());
        }
        if (syncFailed) {
            refusal = "fsync failed; restart the node after checking the disk";
        }
    }

    /** Records matching the query, from the records written so far. */
    public AuditPage query(AuditQuery query) throws UnavailableException {
        try {
            return AuditReader.query(file, readableEnd, query);
        } catch (IOException e) {
            log.warn("audit_query_failed file={} error={}", file, e.toString());
            throw new UnavailableException("audit log unavailable for reading", e);
        }
    }

    public Path file() {
        return file;
    }

    public String nodeId() {
        return config.nodeId();
    }

    /** What open found at the end of the file. */
    public AuditRecovery recovery() {
        return recovery;
    }

    /** Sequence number of the last record written, 0 for an empty log. */
    public long lastSequence() {
        lock.lock();
        try {
            return durableSequence;
        } finally {
            lock.unlock();
        }
    }

    /** Waits for appends in progress, then releases the file; later appends fail. */
    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            while (flushing || !queued.isEmpty()) {
                if (flushing) {
                    written.awaitUninterruptibly();
                } else {
                    flush();
                }
            }
        } finally {
            lock.unlock();
        }
        try {
            if (config.durability() == AuditDurability.FSYNC) {
                raf.getFD().sync();
            }
            fileLock.release();
            raf.close();
        } catch (IOException e) {
            log.warn("audit_close_failed file={} error={}", file, e.toString());
        }
        log.info("audit_closed file={} last_sequence={}", file, durableSequence);
    }
}
