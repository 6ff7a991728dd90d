package io.kekvault.kms.op;

import io.kekvault.kmip.error.InvalidRequestException;
import io.kekvault.kmip.error.KmsException;
import io.kekvault.kmip.error.PermissionDeniedException;
import io.kekvault.kmip.error.ResultReason;
import io.kekvault.kms.access.Caller;
import io.kekvault.kms.access.Role;
import io.kekvault.kms.store.Grant;
import io.kekvault.kms.store.KeyRecord;
import io.kekvault.kms.store.Permission;
import java.util.List;
import java.util.Set;

/** Grants: admins and a key's owner decide who else may use it (ARCHITECTURE section 4). */
public final class GrantOps {
    private GrantOps() {
    }

    private static KeyRecord manageable(KmsServices s, Caller c, String keyId) throws KmsException {
        KeyRecord k = KeyAccess.visible(s.store(), c, keyId);
        if (c.role() != Role.ADMIN && !c.identity().equals(k.owner())) {
            throw new PermissionDeniedException("only an admin or the key's owner may change its grants");
        }
        return k;
    }

    public record PutRequest(String keyId, String identity, Set<Permission> permissions) {
    }

    public static final class Put implements Operation<PutRequest, Grant> {
        private final KmsServices s;

        public Put(KmsServices s) {
            this.s = s;
        }

        @Override
        public String name() {
            return "Grant";
        }

        @Override
        public Grant handle(OpContext ctx, PutRequest r) throws KmsException {
            ctx.auditKey(r.keyId());
            manageable(s, ctx.caller(), r.keyId());
            if (r.identity() == null || r.identity().isBlank() || r.identity().length() > KeyRecord.MAX_IDENTITY_LENGTH) {
                throw new InvalidRequestException(ResultReason.INVALID_FIELD, "identity is required", null);
            }
            if (r.permissions() == null || r.permissions().isEmpty()) {
                throw new InvalidRequestException(ResultReason.INVALID_FIELD, "at least one permission is required", null);
            }
            ctx.auditDetail("grantee=" + r.identity() + " permissions=" + new java.util.TreeSet<>(r.permissions()));
            return s.store().putGrant(new Grant(r.keyId(), r.identity(), r.permissions()));
        }
    }

    public record RevokeRequest(String keyId, String identity) {
    }

    public static final class Revoke implements Operation<RevokeRequest, Boolean> {
        private final KmsServices s;

        public Revoke(KmsServices s) {
            this.s = s;
        }

        @Override
        public String name() {
            return "RevokeGrant";
        }

        @Override
        public Boolean handle(OpContext ctx, RevokeRequest r) throws KmsException {
            ctx.auditKey(r.keyId());
            manageable(s, ctx.caller(), r.keyId());
            ctx.auditDetail("grantee=" + r.identity());
            return s.store().revokeGrant(r.keyId(), r.identity());
        }
    }

    public static final class ListGrants implements Operation<String, List<Grant>> {
        private final KmsServices s;

        public ListGrants(KmsServices s) {
            this.s = s;
        }

        @Override
        public String name() {
            return "ListGrants";
        }

        @Override
        public List<Grant> handle(OpContext ctx, String keyId) throws KmsException {
            ctx.auditKey(keyId);
            manageable(s, ctx.caller(), keyId);
            return s.store().grants(keyId);
        }
    }
}
