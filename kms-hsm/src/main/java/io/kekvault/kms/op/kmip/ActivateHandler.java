package io.kekvault.kms.op.kmip;

import io.kekvault.kmip.error.KmsException;
import io.kekvault.kmip.message.Operation;
import io.kekvault.kmip.message.Payloads;
import io.kekvault.kmip.ttlv.Tag;
import io.kekvault.kmip.ttlv.TtlvStructure;
import io.kekvault.kms.op.ActivateOp;
import io.kekvault.kms.op.KmsServices;
import io.kekvault.kms.op.OpContext;
import io.kekvault.kms.store.KeyRecord;

/** KMIP Activate through {@link ActivateOp}: Pre-Active to Active. */
public final class ActivateHandler implements KmipHandler {
    private final KmsServices s;
    private final ActivateOp activate;

    public ActivateHandler(KmsServices services) {
        this.s = services;
        this.activate = new ActivateOp(services);
    }

    @Override
    public Operation operation() {
        return Operation.ACTIVATE;
    }

    @Override
    public String name() {
        return activate.name();
    }

    @Override
    public TtlvStructure handle(OpContext ctx, KmipCall call) throws KmsException {
        String uid = call.uniqueIdentifier();
        KeyRecord before = call.batch().undoRequested() ? s.store().get(uid).orElse(null) : null;
        KeyRecord k = activate.handle(ctx, uid);
        if (before != null) {
            call.batch().onUndo(uid, () -> Undos.restore(s, before));
        }
        call.batch().idPlaceholder(uid);
        return Payloads.uniqueIdentifierPayload(Tag.RESPONSE_PAYLOAD, k.id());
    }
}
