package io.kekvault.kms.op.kmip;

import io.kekvault.kmip.error.KmsException;
import io.kekvault.kmip.message.AttributeCodec;
import io.kekvault.kmip.message.AttributeKey;
import io.kekvault.kmip.message.KmipAttribute;
import io.kekvault.kmip.message.Operation;
import io.kekvault.kmip.message.Payloads;
import io.kekvault.kmip.ttlv.TtlvStructure;
import io.kekvault.kms.op.GetKeyOp;
import io.kekvault.kms.op.KmsServices;
import io.kekvault.kms.op.OpContext;
import io.kekvault.kms.store.KeyRecord;
import java.util.ArrayList;
import java.util.List;

/**
 * KMIP Get Attributes through {@link GetKeyOp} (who may see the key). The attributes come back in
 * the order asked for; an attribute the key does not have is left out (vCenter asks for its
 * {@code x-Product_Version} before it sets it); no names ask for every attribute.
 */
public final class GetAttributesHandler implements KmipHandler {
    private final GetKeyOp get;

    public GetAttributesHandler(KmsServices services) {
        this.get = new GetKeyOp(services);
    }

    @Override
    public Operation operation() {
        return Operation.GET_ATTRIBUTES;
    }

    @Override
    public String name() {
        return get.name();
    }

    @Override
    public TtlvStructure handle(OpContext ctx, KmipCall call) throws KmsException {
        String uid = call.uniqueIdentifier();
        List<AttributeKey> wanted = AttributeCodec.readReferences(call.payload());
        KeyRecord k = get.handle(ctx, uid);
        List<KmipAttribute> view = KmipAttributes.view(k, call.version());
        List<KmipAttribute> out;
        if (wanted.isEmpty()) {
            out = view;
        } else {
            out = new ArrayList<>();
            List<AttributeKey> seen = new ArrayList<>();
            for (AttributeKey key : wanted) {
                if (!seen.contains(key)) {
                    seen.add(key);
                    out.addAll(KmipAttributes.instances(view, key));
                }
            }
        }
        return Payloads.getAttributesResponse(uid, out, call.version());
    }
}
