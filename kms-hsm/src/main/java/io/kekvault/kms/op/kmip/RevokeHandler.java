package io.kekvault.kms.op.kmip;

import io.kekvault.kmip.error.KmsException;
import io.kekvault.kmip.message.Operation;
import io.kekvault.kmip.message.Payloads;
import io.kekvault.kmip.message.RevocationReasonCode;
import io.kekvault.kmip.ttlv.Tag;
import io.kekvault.kmip.ttlv.TtlvStructure;
import io.kekvault.kms.op.KmsServices;
import io.kekvault.kms.op.OpContext;
import io.kekvault.kms.op.RevokeOp;
import io.kekvault.kms.store.KeyRecord;

/** KMIP Revoke through {@link RevokeOp}: compromise reasons make the key Compromised, others Deactivated. */
public final class RevokeHandler implements KmipHandler {
    private final KmsServices s;
    private final RevokeOp revoke;

    public RevokeHandler(KmsServices services) {
        this.s = services;
        this.revoke = new RevokeOp(services);
    }

    @Override
    public Operation operation() {
        return Operation.REVOKE;
    }

    @Override
    public String name() {
        return revoke.name();
    }

    @Override
    public TtlvStructure handle(OpContext ctx, KmipCall call) throws KmsException {
        String uid = call.uniqueIdentifier();
        TtlvStructure p = call.payload();
        TtlvStructure reason = p.structure(Tag.REVOCATION_REASON);
        RevocationReasonCode code = reason.enumeration(Tag.REVOCATION_REASON_CODE, RevocationReasonCode.class);
        KeyRecord before = call.batch().undoRequested() ? s.store().get(uid).orElse(null) : null;
        KeyRecord k = revoke.handle(ctx, new RevokeOp.Request(uid, code.name(),
                reason.optText(Tag.REVOCATION_MESSAGE).orElse(null), p.optDateTime(Tag.COMPROMISE_OCCURRENCE_DATE).orElse(null)));
        if (before != null) {
            call.batch().onUndo(uid, () -> Undos.restore(s, before));
        }
        call.batch().idPlaceholder(uid);
        return Payloads.uniqueIdentifierPayload(Tag.RESPONSE_PAYLOAD, k.id());
    }
}
