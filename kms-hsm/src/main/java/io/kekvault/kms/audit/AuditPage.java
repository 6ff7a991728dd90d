package io.kekvault.kms.audit;

import java.util.List;

/**
 * One page of audit records.
 *
 * @param records    in the query's order
 * @param nextCursor sequence number to pass as the next query's cursor, or null on the last page
 */
public record AuditPage(List<AuditRecord> records, Long nextCursor) {
    public AuditPage {
        records = List.copyOf(records);
    }
}
