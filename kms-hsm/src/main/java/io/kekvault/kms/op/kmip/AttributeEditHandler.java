package io.kekvault.kms.op.kmip;

import io.kekvault.kmip.error.InvalidRequestException;
import io.kekvault.kmip.error.KmsException;
import io.kekvault.kmip.error.ResultReason;
import io.kekvault.kmip.message.Operation;
import io.kekvault.kmip.message.Payloads;
import io.kekvault.kmip.ttlv.TtlvStructure;
import io.kekvault.kms.op.KeyAccess;
import io.kekvault.kms.op.KmsServices;
import io.kekvault.kms.op.OpContext;
import io.kekvault.kms.store.KeyRecord;
import io.kekvault.kms.store.Permission;

/**
 * The three attribute operations share their frame: who may edit (owner, admin, or a grant with
 * {@link Permission#MODIFY_ATTRIBUTES}), the compare-and-set write, the undo, and the response
 * (KMIP 1.x echoes the attribute, 2.x only the identifier). Subclasses name the edit.
 */
abstract sealed class AttributeEditHandler implements KmipHandler
        permits AddAttributeHandler, ModifyAttributeHandler, DeleteAttributeHandler {
    protected final KmsServices s;

    AttributeEditHandler(KmsServices services) {
        this.s = services;
    }

    /** The edit, applied to the current record (may run more than once). */
    abstract AttributeEdits.Result apply(KeyRecord current, Payloads.AttributeEdit edit, KmipCall call) throws KmsException;

    @Override
    public TtlvStructure handle(OpContext ctx, KmipCall call) throws KmsException {
        String uid = call.uniqueIdentifier();
        ctx.auditKey(uid);
        Payloads.AttributeEdit edit = Payloads.readAttributeEditRequest(call.payload());
        KeyRecord before = KeyAccess.permitted(s.store(), ctx.caller(), uid, Permission.MODIFY_ATTRIBUTES);
        if (before.state().isDestroyed() && operation() != Operation.DELETE_ATTRIBUTE) {
            throw new io.kekvault.kmip.error.WrongStateException("key " + uid + " is destroyed");
        }
        ctx.auditDetail("attribute=" + edit.key().name1x());
        AttributeEdits.Result[] result = new AttributeEdits.Result[1];
        s.store().modify(uid, cur -> {
            result[0] = apply(cur, edit, call);
            return result[0].record();
        });
        call.batch().onUndo(uid, () -> Undos.restore(s, before));
        call.batch().idPlaceholder(uid);
        return Payloads.attributeEditResponse(uid, result[0].attribute(), call.version());
    }

    static InvalidRequestException missing(String what) {
        return new InvalidRequestException(ResultReason.MISSING_DATA, what, null);
    }
}
