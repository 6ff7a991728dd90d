package io.kekvault.kms.audit;

import java.time.Instant;

/**
 * One record of the audit log, as written: one JSON line per record.
 *
 * <p>Format (version 1), fields in exactly this order, no spaces, strings JSON-escaped with
 * {@code \" \\ \b \f \n \r \t} and {@code \\u00XX} for other control characters, other characters
 * as UTF-8:
 * <pre>
 * {"v":1,"seq":7,"time":"2026-01-01T00:00:00.123Z","node":"kms-1","identity":"esxi-h1","op":"unwrap",
 *  "keyId":"…"|null,"result":"success","requestId":"…"|null,"detail":"…"|null,"prev":"&lt;hex&gt;","hash":"&lt;hex&gt;"}
 * </pre>
 * {@code hash} is lower-case hex SHA-256 over the UTF-8 bytes of the line up to and excluding
 * {@code ,"hash":…}, with a closing {@code }} appended: that is, the canonical record without its
 * hash, which includes {@code prev}. {@code prev} is the previous record's hash; the first record's
 * is SHA-256 of {@code "kekvault-audit-genesis-v1\n" + node}. Sequence numbers start at 1 and
 * increase by one. {@code time} is an ISO-8601 instant to the millisecond.
 */
public record AuditRecord(
        long sequence,
        Instant time,
        String node,
        String identity,
        String operation,
        String keyId,
        String result,
        String requestId,
        String detail,
        String previousHash,
        String hash) {

    /** The {@link #result()} of a successful operation. */
    public static final String SUCCESS = "success";

    public boolean succeeded() {
        return SUCCESS.equals(result);
    }
}
