package io.kekvault.kms.op.kmip;

import io.kekvault.kmip.error.KmsException;
import io.kekvault.kmip.error.ResultReason;
import io.kekvault.kmip.error.UnsupportedException;
import io.kekvault.kmip.message.AttributeCodec;
import io.kekvault.kmip.message.Operation;
import io.kekvault.kmip.ttlv.Tag;
import io.kekvault.kmip.ttlv.TtlvStructure;
import io.kekvault.kms.op.KmsServices;
import io.kekvault.kms.op.OpContext;
import io.kekvault.kms.op.RekeyOp;
import io.kekvault.kms.store.KeyRecord;

/**
 * KMIP ReKey through {@link RekeyOp}: a new Active key with the old one's algorithm, usage, owner,
 * export flag, names and grants, linked both ways. An Offset other than zero and new attributes
 * are not supported (the new key is active at once, like the old one's settings).
 */
public final class ReKeyHandler implements KmipHandler {
    private final KmsServices s;
    private final RekeyOp rekey;

    public ReKeyHandler(KmsServices services) {
        this.s = services;
        this.rekey = new RekeyOp(services);
    }

    @Override
    public Operation operation() {
        return Operation.RE_KEY;
    }

    @Override
    public String name() {
        return rekey.name();
    }

    @Override
    public TtlvStructure handle(OpContext ctx, KmipCall call) throws KmsException {
        String uid = call.uniqueIdentifier();
        TtlvStructure p = call.payload();
        if (p.optInterval(Tag.OFFSET).orElse(0L) != 0) {
            throw new UnsupportedException(ResultReason.FEATURE_NOT_SUPPORTED, "ReKey with an Offset is not supported", null);
        }
        if (!AttributeCodec.readFromPayload(p).isEmpty()) {
            throw new UnsupportedException(ResultReason.FEATURE_NOT_SUPPORTED,
                    "ReKey copies the old key's attributes; new attributes are not supported", null);
        }
        KeyRecord before = call.batch().undoRequested() ? s.store().get(uid).orElse(null) : null;
        KeyRecord fresh = rekey.handle(ctx, uid);
        call.batch().onUndo(fresh.id(), () -> {
            Undos.removeCreated(s, fresh.id());
            if (before != null) {
                Undos.restore(s, before);
            }
        });
        call.batch().idPlaceholder(fresh.id());
        return TtlvStructure.builder(Tag.RESPONSE_PAYLOAD).text(Tag.UNIQUE_IDENTIFIER, fresh.id()).build();
    }
}
