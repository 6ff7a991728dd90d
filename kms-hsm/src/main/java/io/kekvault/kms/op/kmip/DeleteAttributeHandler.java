package io.kekvault.kms.op.kmip;

import io.kekvault.kmip.error.KmsException;
import io.kekvault.kmip.message.Operation;
import io.kekvault.kmip.message.Payloads;
import io.kekvault.kms.op.KmsServices;
import io.kekvault.kms.store.KeyRecord;

/**
 * KMIP Delete Attribute: one instance (1.x by Attribute Index, 2.x by Current Attribute), or
 * every instance for a KMIP 2.x Attribute Reference alone.
 */
public final class DeleteAttributeHandler extends AttributeEditHandler {
    public DeleteAttributeHandler(KmsServices services) {
        super(services);
    }

    @Override
    public Operation operation() {
        return Operation.DELETE_ATTRIBUTE;
    }

    @Override
    public String name() {
        return "DeleteAttribute";
    }

    @Override
    AttributeEdits.Result apply(KeyRecord current, Payloads.AttributeEdit edit, KmipCall call) throws KmsException {
        boolean all = call.version().isV2() && edit.current() == null && edit.attribute() == null;
        return AttributeEdits.delete(current, edit.key(), edit.index(), edit.current(), all, s.clock().instant());
    }
}
