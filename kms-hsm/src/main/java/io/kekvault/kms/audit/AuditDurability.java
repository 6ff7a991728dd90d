package io.kekvault.kms.audit;

/** When {@link AuditLog#append} returns. */
public enum AuditDurability {
    /** Once the record is written to the operating system: survives a crash of the process. */
    WRITE,
    /**
     * Once the record is also fsynced: survives power loss. Concurrent appends share one fsync
     * (group commit), so the cost is one fsync per batch, not per record.
     */
    FSYNC
}
