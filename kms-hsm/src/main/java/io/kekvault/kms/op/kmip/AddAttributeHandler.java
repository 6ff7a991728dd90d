package io.kekvault.kms.op.kmip;

import io.kekvault.kmip.error.KmsException;
import io.kekvault.kmip.message.Operation;
import io.kekvault.kmip.message.Payloads;
import io.kekvault.kms.op.KmsServices;
import io.kekvault.kms.store.KeyRecord;

/** KMIP Add Attribute: a new instance of a client attribute (custom {@code x-} ones included). */
public final class AddAttributeHandler extends AttributeEditHandler {
    public AddAttributeHandler(KmsServices services) {
        super(services);
    }

    @Override
    public Operation operation() {
        return Operation.ADD_ATTRIBUTE;
    }

    @Override
    public String name() {
        return "AddAttribute";
    }

    @Override
    AttributeEdits.Result apply(KeyRecord current, Payloads.AttributeEdit edit, KmipCall call) throws KmsException {
        if (edit.attribute() == null) {
            throw missing("Add Attribute needs the attribute to add");
        }
        return AttributeEdits.add(current, edit.attribute(), s.clock().instant());
    }
}
