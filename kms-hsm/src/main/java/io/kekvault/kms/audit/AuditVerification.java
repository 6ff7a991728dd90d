package io.kekvault.kms.audit;

/**
 * Outcome of {@link AuditVerifier#verify}: OK with the number of records, or the first bad record.
 *
 * @param ok       true if every record is intact and chained
 * @param records  records checked and found good (all of them when ok, else those before the bad one)
 * @param line     1-based line number of the first bad record, 0 when ok
 * @param sequence sequence number the bad line claims, -1 if unreadable or when ok
 * @param problem  what is wrong, null when ok
 * @param message  one line for operators
 */
public record AuditVerification(boolean ok, long records, long line, long sequence, Problem problem, String message) {

    /** Why a record is bad, and what that means. */
    public enum Problem {
        /** Not a well-formed record (not JSON, missing or extra fields, bad types). */
        MALFORMED,
        /** The hash does not match the content: the record was edited. */
        HASH_MISMATCH,
        /** Content and hash agree but the bytes are not the canonical form: the line was edited. */
        NOT_CANONICAL,
        /** The sequence number jumps ahead: records were dropped (or reordered) before this line. */
        SEQUENCE_GAP,
        /** The sequence number repeats or goes back: a record was inserted, duplicated or reordered. */
        SEQUENCE_REGRESSION,
        /** The previous-hash is not the preceding record's hash: a record was replaced or inserted. */
        BROKEN_CHAIN,
        /** The record names another node than the log's first record. */
        NODE_MISMATCH,
        /** The file ends inside a line: torn write or truncation. */
        TORN_LINE
    }

    static AuditVerification ok(long records) {
        return new AuditVerification(true, records, 0, -1, null, "OK: " + records + " records, chain intact");
    }

    static AuditVerification bad(long records, long line, long sequence, Problem problem, String why) {
        String seq = sequence < 0 ? "" : " (sequence " + sequence + ")";
        return new AuditVerification(false, records, line, sequence, problem,
                "FAILED at line " + line + seq + ": " + problem + ": " + why);
    }

    @Override
    public String toString() {
        return message;
    }
}
