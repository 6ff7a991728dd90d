package io.kekvault.kms.audit;

import io.kekvault.kms.audit.AuditVerification.Problem;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.Arrays;

/**
 * Checks an audit log end to end: every line a canonical record whose hash matches its content,
 * sequence numbers 1, 2, 3, … and each record chained to the previous one's hash (the first to
 * the node's genesis value). Reports the first bad record.
 *
 * <p>What it cannot see: a log cut at a line boundary (the newest records removed whole) or
 * rewritten from some record on by someone who recomputes every hash; both need an anchor kept
 * elsewhere (for example the last sequence number and hash, exported periodically).
 *
 * <p>Verify a log that is not being appended to (a stopped node, or a copy): a record in the
 * middle of being written looks like a torn line.
 */
public final class AuditVerifier {
    private AuditVerifier() {
    }

    public static AuditVerification verify(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            State s = new State();
            Lines.forward(ch, ch.size(), AuditCodec.MAX_LINE_BYTES, (bytes, terminated, tooLong) -> {
                s.line++;
                s.result = check(s, bytes, terminated, tooLong);
                return s.result == null;
            });
            return s.result != null ? s.result : AuditVerification.ok(s.good);
        }
    }

    /**
     * The command-line form ({@code kekvault audit verify FILE}): prints the outcome and returns
     * the exit code, 0 if intact, 1 if not, 2 if the file cannot be read.
     */
    public static int run(Path file, PrintStream out) {
        try {
            AuditVerification v = verify(file);
            out.println(file + ": " + v.message());
            return v.ok() ? 0 : 1;
        } catch (IOException e) {
            out.println(file + ": cannot read: " + e.getMessage());
            return 2;
        }
    }

    private static final class State {
        final MessageDigest digest = AuditCodec.sha256();
        long line;
        long good;
        String node;
        long expectedSequence = 1;
        String expectedPrev;
        AuditVerification result;
    }

    private static AuditVerification check(State s, byte[] bytes, boolean terminated, boolean tooLong) {
        if (!terminated) {
            return AuditVerification.bad(s.good, s.line, -1, Problem.TORN_LINE, "the file ends inside this line (" + bytes.length + " bytes, no newline)");
        }
        if (tooLong) {
            return AuditVerification.bad(s.good, s.line, -1, Problem.MALFORMED, "line longer than " + AuditCodec.MAX_LINE_BYTES + " bytes");
        }
        AuditRecord r;
        try {
            r = AuditCodec.parse(bytes);
        } catch (AuditCodec.MalformedRecordException e) {
            return AuditVerification.bad(s.good, s.line, -1, Problem.MALFORMED, e.getMessage());
        }
        String canonical = AuditCodec.canonical(r);
        if (!AuditCodec.hash(s.digest, canonical).equals(r.hash())) {
            return AuditVerification.bad(s.good, s.line, r.sequence(), Problem.HASH_MISMATCH,
                    "the record's hash does not match its content: the record was edited");
        }
        if (!Arrays.equals(AuditCodec.line(canonical, r.hash()), withNewline(bytes))) {
            return AuditVerification.bad(s.good, s.line, r.sequence(), Problem.NOT_CANONICAL,
                    "the line is not in canonical form: it was edited");
        }
        if (s.node == null) {
            s.node = r.node();
            s.expectedPrev = AuditCodec.genesis(r.node());
        } else if (!s.node.equals(r.node())) {
            return AuditVerification.bad(s.good, s.line, r.sequence(), Problem.NODE_MISMATCH,
                    "the record is from node '" + r.node() + "', the log from node '" + s.node + "'");
        }
        if (r.sequence() > s.expectedSequence) {
            return AuditVerification.bad(s.good, s.line, r.sequence(), Problem.SEQUENCE_GAP,
                    "expected sequence " + s.expectedSequence + ": " + (r.sequence() - s.expectedSequence)
                            + " record(s) dropped or moved before this line");
        }
        if (r.sequence() < s.expectedSequence) {
            return AuditVerification.bad(s.good, s.line, r.sequence(), Problem.SEQUENCE_REGRESSION,
                    "expected sequence " + s.expectedSequence + ": a record was inserted, duplicated or moved here");
        }
        if (!r.previousHash().equals(s.expectedPrev)) {
            return AuditVerification.bad(s.good, s.line, r.sequence(), Problem.BROKEN_CHAIN,
                    s.expectedSequence == 1
                            ? "the first record does not chain to the node's genesis value"
                            : "the previous-hash is not the hash of the record before: a record was replaced or inserted");
        }
        s.good++;
        s.expectedSequence++;
        s.expectedPrev = r.hash();
        return null;
    }

    private static byte[] withNewline(byte[] line) {
        byte[] b = Arrays.copyOf(line, line.length + 1);
        b[line.length] = '\n';
        return b;
    }
}
