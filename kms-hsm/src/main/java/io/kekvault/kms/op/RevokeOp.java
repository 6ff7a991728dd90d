package io.kekvault.kms.op;

import io.kekvault.kmip.error.InvalidRequestException;
import io.kekvault.kmip.error.KmsException;
import io.kekvault.kmip.error.ResultReason;
import io.kekvault.kms.store.KeyRecord;
import io.kekvault.kms.store.Permission;
import java.time.Instant;
import java.util.Set;

/**
 * Revoke with a KMIP revocation reason: compromise reasons make the key Compromised (recording
 * the compromise occurrence date), any other reason Deactivated.
 */
public final class RevokeOp implements Operation<RevokeOp.Request, KeyRecord> {
    public static final Set<String> REASONS = Set.of("UNSPECIFIED", "KEY_COMPROMISE", "CA_COMPROMISE",
            "AFFILIATION_CHANGED", "SUPERSEDED", "CESSATION_OF_OPERATION", "PRIVILEGE_WITHDRAWN");

    public record Request(String id, String reason, String message, Instant compromiseOccurrenceDate) {
    }

    private final KmsServices s;

    public RevokeOp(KmsServices services) {
        this.s = services;
    }

    @Override
    public String name() {
        return "Revoke";
    }

    @Override
    public KeyRecord handle(OpContext ctx, Request r) throws KmsException {
        ctx.auditKey(r.id());
        KeyAccess.permitted(s.store(), ctx.caller(), r.id(), Permission.REVOKE);
        String reason = r.reason() == null ? "UNSPECIFIED" : r.reason();
        if (!REASONS.contains(reason)) {
            throw new InvalidRequestException(ResultReason.INVALID_FIELD, "unknown revocation reason '" + reason
                    + "' (one of " + new java.util.TreeSet<>(REASONS) + ")", null);
        }
        if (r.message() != null && r.message().length() > 1000) {
            throw new InvalidRequestException(ResultReason.INVALID_FIELD, "revocation message longer than 1000 characters", null);
        }
        ctx.auditDetail("reason=" + reason);
        return s.store().modify(r.id(), k -> Lifecycle.revoke(k, reason, r.message(), r.compromiseOccurrenceDate(),
                s.clock().instant()));
    }
}
