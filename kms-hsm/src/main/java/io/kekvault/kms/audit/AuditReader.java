package io.kekvault.kms.audit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads audit records with filters and paging, for the HTTP API and tools. It reads complete lines
 * only (a record being appended is not seen yet) and skips lines that are not records; whether the
 * log is intact is {@link AuditVerifier}'s question, not this one's.
 *
 * <p>Paging is by sequence number: a page ends with the record whose sequence number is the next
 * cursor; the next page continues after (oldest first) or before (newest first) it, so records
 * appended meanwhile never shift a page. Newest-first reads the file backwards and stops at the
 * page's end; oldest-first reads forwards.
 */
public final class AuditReader {
    private static final Logger log = LoggerFactory.getLogger(AuditReader.class);

    private AuditReader() {
    }

    /** Queries a log file (which may be in use by a running {@link AuditLog}). */
    public static AuditPage query(Path file, AuditQuery q) throws IOException {
        return query(file, Long.MAX_VALUE, q);
    }

    /** Reads at most the first {@code end} bytes (a running log's complete records). */
    static AuditPage query(Path file, long end, AuditQuery q) throws IOException {
        // A channel of its own: an interrupted reader closes nothing but this channel.
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return query(ch, Math.min(end, ch.size()), q);
        }
    }

    static AuditPage query(FileChannel ch, long end, AuditQuery q) throws IOException {
        List<AuditRecord> out = new ArrayList<>(Math.min(q.limit() + 1, 128));
        boolean newest = q.order() == AuditOrder.NEWEST_FIRST;
        int[] skipped = {0};
        Lines.Visitor visitor = (bytes, terminated, tooLong) -> {
            if (!terminated || tooLong) {
                return true;
            }
            if (q.cursor() != null) {
                // Cheap skip of the pages already returned, before any JSON parsing.
                long seq = AuditCodec.sequenceOf(bytes);
                if (seq > 0 && (newest ? seq >= q.cursor() : seq <= q.cursor())) {
                    return true;
                }
            }
            AuditRecord r;
            try {
                r = AuditCodec.parse(bytes);
            } catch (AuditCodec.MalformedRecordException e) {
                skipped[0]++;
                return true;
            }
            if (q.cursor() != null && (newest ? r.sequence() >= q.cursor() : r.sequence() <= q.cursor())) {
                return true;
            }
            if (q.matches(r)) {
                out.add(r);
            }
            return out.size() <= q.limit();
        };
        if (newest) {
            Lines.backward(ch, end, AuditCodec.MAX_LINE_BYTES, visitor);
        } else {
            Lines.forward(ch, end, AuditCodec.MAX_LINE_BYTES, visitor);
        }
        if (skipped[0] > 0) {
            log.warn("audit_query_skipped_lines count={} (run 'kekvault audit verify')", skipped[0]);
        }
        if (out.size() > q.limit()) {
            List<AuditRecord> page = out.subList(0, q.limit());
            return new AuditPage(page, page.getLast().sequence());
        }
        return new AuditPage(out, null);
    }
}
