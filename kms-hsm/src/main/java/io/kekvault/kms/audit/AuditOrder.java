package io.kekvault.kms.audit;

/** Order of query results. */
public enum AuditOrder {
    NEWEST_FIRST,
    OLDEST_FIRST
}
