package io.kekvault.kms.op;

import io.kekvault.kmip.error.KmsException;
import io.kekvault.kms.store.KeyRecord;

/** Key metadata for callers who may see the key (admin, auditor, owner, grantee). */
public final class GetKeyOp implements Operation<String, KeyRecord> {
    private final KmsServices s;

    public GetKeyOp(KmsServices services) {
        this.s = services;
    }

    @Override
    public String name() {
        return "GetAttributes";
    }

    @Override
    public KeyRecord handle(OpContext ctx, String id) throws KmsException {
        ctx.auditKey(id);
        return KeyAccess.visible(s.store(), ctx.caller(), id);
    }
}
