package io.kekvault.kms.op.kmip;

import io.kekvault.kmip.message.Operation;
import io.kekvault.kms.op.KmsServices;

/** KMIP Decrypt; see {@link CipherHandler} for where each cipher runs and what is checked. */
public final class DecryptHandler extends CipherHandler {
    public DecryptHandler(KmsServices services) {
        super(services, false);
    }

    @Override
    public Operation operation() {
        return Operation.DECRYPT;
    }

    @Override
    public String name() {
        return "Decrypt";
    }
}
