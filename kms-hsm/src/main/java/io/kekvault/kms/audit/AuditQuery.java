package io.kekvault.kms.audit;

import java.time.Instant;
import java.util.Objects;

/**
 * Filters and paging for reading the audit log. Unset filters (null) match everything; set ones
 * must all match.
 *
 * @param keyId     records about this key
 * @param identity  records of this caller
 * @param operation records of this operation
 * @param result    {@link AuditRecord#SUCCESS} or an error code
 * @param from      time at or after (inclusive)
 * @param to        time before (exclusive)
 * @param order     newest or oldest first
 * @param cursor    null for the first page, else {@link AuditPage#nextCursor()} of the previous page
 * @param limit     records per page, 1 to {@link #MAX_LIMIT}
 */
public record AuditQuery(String keyId, String identity, String operation, String result, Instant from, Instant to,
                         AuditOrder order, Long cursor, int limit) {
    public static final int MAX_LIMIT = 1000;

    public AuditQuery {
        Objects.requireNonNull(order, "order");
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("limit must be 1.." + MAX_LIMIT);
        }
    }

    /** Newest first, 100 per page, no filter. */
    public static Builder builder() {
        return new Builder();
    }

    boolean matches(AuditRecord r) {
        return (keyId == null || keyId.equals(r.keyId()))
                && (identity == null || identity.equals(r.identity()))
                && (operation == null || operation.equals(r.operation()))
                && (result == null || result.equals(r.result()))
                && (from == null || !r.time().isBefore(from))
                && (to == null || r.time().isBefore(to));
    }

    public Builder toBuilder() {
        return new Builder().keyId(keyId).identity(identity).operation(operation).result(result)
                .from(from).to(to).order(order).cursor(cursor).limit(limit);
    }

    public static final class Builder {
        private String keyId;
        private String identity;
        private String operation;
        private String result;
        private Instant from;
        private Instant to;
        private AuditOrder order = AuditOrder.NEWEST_FIRST;
        private Long cursor;
        private int limit = 100;

        public Builder keyId(String v) { keyId = v; return this; }
        public Builder identity(String v) { identity = v; return this; }
        public Builder operation(String v) { operation = v; return this; }
        public Builder result(String v) { result = v; return this; }
        public Builder from(Instant v) { from = v; return this; }
        public Builder to(Instant v) { to = v; return this; }
        public Builder order(AuditOrder v) { order = v; return this; }
        public Builder cursor(Long v) { cursor = v; return this; }
        public Builder limit(int v) { limit = v; return this; }

        public AuditQuery build() {
            return new AuditQuery(keyId, identity, operation, result, from, to, order, cursor, limit);
        }
    }
}
