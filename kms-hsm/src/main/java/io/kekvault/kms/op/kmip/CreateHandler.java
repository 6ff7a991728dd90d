package io.kekvault.kms.op.kmip;

import io.kekvault.kmip.error.KmsException;
import io.kekvault.kmip.error.ResultReason;
import io.kekvault.kmip.error.UnsupportedException;
import io.kekvault.kmip.message.CryptographicAlgorithm;
import io.kekvault.kmip.message.ObjectType;
import io.kekvault.kmip.message.Operation;
import io.kekvault.kmip.message.Payloads;
import io.kekvault.kmip.ttlv.TtlvStructure;
import io.kekvault.kms.op.CreateKeyOp;
import io.kekvault.kms.op.KmsServices;
import io.kekvault.kms.op.OpContext;
import io.kekvault.kms.store.KeyRecord;

/**
 * KMIP Create of a symmetric key, through {@link CreateKeyOp}: generated in the HSM, owned by the
 * caller, extractable only as the export policy allows (the {@code Extractable} attribute, or
 * the caller's role default).
 */
public final class CreateHandler implements KmipHandler {
    private final KmsServices s;
    private final CreateKeyOp create;

    public CreateHandler(KmsServices services) {
        this.s = services;
        this.create = new CreateKeyOp(services);
    }

    @Override
    public Operation operation() {
        return Operation.CREATE;
    }

    @Override
    public String name() {
        return create.name();
    }

    @Override
    public TtlvStructure handle(OpContext ctx, KmipCall call) throws KmsException {
        Payloads.CreateRequest r = Payloads.readCreateRequest(call.payload());
        if (r.objectType() != ObjectType.SYMMETRIC_KEY) {
            throw new UnsupportedException(ResultReason.ILLEGAL_OBJECT_TYPE,
                    "this KMS creates Symmetric Keys only, not " + r.objectType(), null);
        }
        KmipTemplate t = KmipTemplate.parse(r.attributes());
        CryptographicAlgorithm alg = t.algorithm() == null ? CryptographicAlgorithm.AES : t.algorithm();
        if (alg != CryptographicAlgorithm.AES && alg != CryptographicAlgorithm.TRIPLE_DES) {
            throw new UnsupportedException(ResultReason.UNSUPPORTED_CRYPTOGRAPHIC_PARAMETERS,
                    "the HSM generates AES and Triple DES keys, not " + alg, null);
        }
        KeyRecord created = create.handle(ctx, new CreateKeyOp.Request(ObjectType.SYMMETRIC_KEY.name(),
                KmipAttributes.recordAlgorithm(alg), t.lengthBits(), t.usageMask(), t.names(), t.activationDate(),
                false, t.extractable(), t.stored()));
        String id = created.id();
        call.batch().onUndo(id, () -> Undos.removeCreated(s, id));
        if (!t.links().isEmpty()) {
            s.store().modify(id, cur -> cur.toBuilder().links(concat(cur, t)).build());
        }
        call.batch().idPlaceholder(id);
        return Payloads.createResponse(ObjectType.SYMMETRIC_KEY, id);
    }

    private static java.util.List<io.kekvault.kms.store.KeyLink> concat(KeyRecord cur, KmipTemplate t) {
        java.util.List<io.kekvault.kms.store.KeyLink> l = new java.util.ArrayList<>(cur.links());
        l.addAll(t.links());
        return l;
    }
}
