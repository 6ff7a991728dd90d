package io.kekvault.kms.audit;

import java.nio.file.Path;

/**
 * What {@link AuditLog#open} found at the end of the file.
 *
 * @param lastSequence   sequence number of the last complete record before this run (0 for a new log)
 * @param tornLine       whether the file ended in an incomplete line (a write cut by a crash)
 * @param tornLineNumber the 1-based line number of that incomplete line, or 0
 * @param truncatedBytes bytes removed from the end of the file (the incomplete line only)
 * @param tornFragment   where those bytes (the first MiB of them) were saved for inspection, or null
 */
public record AuditRecovery(long lastSequence, boolean tornLine, long tornLineNumber, long truncatedBytes, Path tornFragment) {
}
