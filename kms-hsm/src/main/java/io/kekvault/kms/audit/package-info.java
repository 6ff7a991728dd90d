/**
 * Audit trail: {@link io.kekvault.kms.audit.AuditLog} appends one hash-chained JSON line per KMS
 * operation to {@code audit-<node>.jsonl}; {@link io.kekvault.kms.audit.AuditVerifier} finds the
 * first edited, dropped, inserted or reordered record; {@link io.kekvault.kms.audit.AuditReader}
 * (or {@link io.kekvault.kms.audit.AuditLog#query}) serves filtered, paged reads. Records never
 * hold key material, PINs or request bodies.
 */
package io.kekvault.kms.audit;
