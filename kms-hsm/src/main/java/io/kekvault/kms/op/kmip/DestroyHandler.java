package io.kekvault.kms.op.kmip;

import io.kekvault.kmip.error.KmsException;
import io.kekvault.kmip.error.PermissionDeniedException;
import io.kekvault.kmip.error.ResultReason;
import io.kekvault.kmip.error.WrongStateException;
import io.kekvault.kmip.message.Operation;
import io.kekvault.kmip.message.Payloads;
import io.kekvault.kmip.ttlv.Tag;
import io.kekvault.kmip.ttlv.TtlvStructure;
import io.kekvault.kms.op.DestroyOp;
import io.kekvault.kms.op.KmsServices;
import io.kekvault.kms.op.OpContext;
import io.kekvault.kms.store.KeyRecord;
import io.kekvault.kms.store.KeyState;

/**
 * KMIP Destroy through {@link DestroyOp}: the HSM object goes, the metadata stays (Destroyed).
 * An Active key is refused with Permission Denied, as the KMIP profiles' test cases expect.
 * Destroy cannot be undone (the HSM object is gone), so it registers no undo action.
 */
public final class DestroyHandler implements KmipHandler {
    private final KmsServices s;
    private final DestroyOp destroy;

    public DestroyHandler(KmsServices services) {
        this.s = services;
        this.destroy = new DestroyOp(services);
    }

    @Override
    public Operation operation() {
        return Operation.DESTROY;
    }

    @Override
    public String name() {
        return destroy.name();
    }

    @Override
    public TtlvStructure handle(OpContext ctx, KmipCall call) throws KmsException {
        String uid = call.uniqueIdentifier();
        KeyRecord k;
        try {
            k = destroy.handle(ctx, uid);
        } catch (WrongStateException e) {
            if (s.store().get(uid).map(r -> r.state() == KeyState.ACTIVE).orElse(false)) {
                throw new PermissionDeniedException(ResultReason.PERMISSION_DENIED, e.getMessage(), null);
            }
            throw e;
        }
        call.batch().idPlaceholder(uid);
        return Payloads.uniqueIdentifierPayload(Tag.RESPONSE_PAYLOAD, k.id());
    }
}
