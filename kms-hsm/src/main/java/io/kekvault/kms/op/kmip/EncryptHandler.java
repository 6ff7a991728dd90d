package io.kekvault.kms.op.kmip;

import io.kekvault.kmip.message.Operation;
import io.kekvault.kms.op.KmsServices;

/** KMIP Encrypt; see {@link CipherHandler} for where each cipher runs and what is checked. */
public final class EncryptHandler extends CipherHandler {
    public EncryptHandler(KmsServices services) {
        super(services, true);
    }

    @Override
    public Operation operation() {
        return Operation.ENCRYPT;
    }

    @Override
    public String name() {
        return "Encrypt";
    }
}
