package io.kekvault.kms.op.kmip;

import io.kekvault.kmip.error.KmsException;
import io.kekvault.kmip.message.Operation;
import io.kekvault.kmip.message.Payloads;
import io.kekvault.kms.op.KmsServices;
import io.kekvault.kms.store.KeyRecord;

/** KMIP Modify Attribute: replaces one instance (1.x by Attribute Index, 2.x by Current Attribute). */
public final class ModifyAttributeHandler extends AttributeEditHandler {
    public ModifyAttributeHandler(KmsServices services) {
        super(services);
    }

    @Override
    public Operation operation() {
        return Operation.MODIFY_ATTRIBUTE;
    }

    @Override
    public String name() {
        return "ModifyAttribute";
    }

    @Override
    AttributeEdits.Result apply(KeyRecord current, Payloads.AttributeEdit edit, KmipCall call) throws KmsException {
        if (edit.attribute() == null) {
            throw missing("Modify Attribute needs the new value");
        }
        return AttributeEdits.modify(current, edit.attribute(), edit.index(), edit.current(), s.clock().instant());
    }
}
