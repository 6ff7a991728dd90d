package io.kekvault.kms.op.kmip;

import io.kekvault.kmip.error.KmsException;
import io.kekvault.kmip.message.Operation;
import io.kekvault.kmip.message.Payloads;
import io.kekvault.kmip.ttlv.TtlvStructure;
import io.kekvault.kms.op.GetKeyOp;
import io.kekvault.kms.op.KmsServices;
import io.kekvault.kms.op.OpContext;
import io.kekvault.kms.store.KeyRecord;

/** KMIP Get Attribute List: the names (1.x) or references (2.x) of every attribute the key has. */
public final class GetAttributeListHandler implements KmipHandler {
    private final GetKeyOp get;

    public GetAttributeListHandler(KmsServices services) {
        this.get = new GetKeyOp(services);
    }

    @Override
    public Operation operation() {
        return Operation.GET_ATTRIBUTE_LIST;
    }

    @Override
    public String name() {
        return "GetAttributeList";
    }

    @Override
    public TtlvStructure handle(OpContext ctx, KmipCall call) throws KmsException {
        String uid = call.uniqueIdentifier();
        KeyRecord k = get.handle(ctx, uid);
        return Payloads.getAttributeListResponse(uid, KmipAttributes.keys(k, call.version()), call.version());
    }
}
