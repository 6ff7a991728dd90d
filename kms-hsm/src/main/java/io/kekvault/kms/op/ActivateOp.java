package io.kekvault.kms.op;

import io.kekvault.kmip.error.KmsException;
import io.kekvault.kms.store.KeyRecord;
import io.kekvault.kms.store.Permission;

/** Activate: Pre-Active to Active. */
public final class ActivateOp implements Operation<String, KeyRecord> {
    private final KmsServices s;

    public ActivateOp(KmsServices services) {
        this.s = services;
    }

    @Override
    public String name() {
        return "Activate";
    }

    @Override
    public KeyRecord handle(OpContext ctx, String id) throws KmsException {
        ctx.auditKey(id);
        KeyAccess.permitted(s.store(), ctx.caller(), id, Permission.ACTIVATE);
        return s.store().modify(id, k -> Lifecycle.activate(k, s.clock().instant()));
    }
}
