package io.kekvault.kms.op.kmip;

import io.kekvault.kmip.error.InvalidRequestException;
import io.kekvault.kmip.error.KmsException;
import io.kekvault.kmip.error.ResultReason;
import io.kekvault.kmip.error.UnsupportedException;
import io.kekvault.kmip.message.CryptographicAlgorithm;
import io.kekvault.kmip.message.CryptographicUsageMask;
import io.kekvault.kmip.message.KeyFormatType;
import io.kekvault.kmip.message.ManagedObjects;
import io.kekvault.kmip.message.ObjectType;
import io.kekvault.kmip.message.Operation;
import io.kekvault.kmip.message.Payloads;
import io.kekvault.kmip.ttlv.Tag;
import io.kekvault.kmip.ttlv.TtlvStructure;
import io.kekvault.kms.op.KmsServices;
import io.kekvault.kms.op.OpContext;
import io.kekvault.kms.op.RegisterKeyOp;
import io.kekvault.kms.store.KeyRecord;
import io.kekvault.secret.SecretBytes;

/**
 * KMIP Register of a symmetric key (Raw or Transparent Symmetric Key format, unwrapped), through
 * {@link RegisterKeyOp}. Algorithm and length come from the key block, else from the attributes.
 */
public final class RegisterHandler implements KmipHandler {
    private final KmsServices s;
    private final RegisterKeyOp register;

    public RegisterHandler(KmsServices services) {
        this.s = services;
        this.register = new RegisterKeyOp(services);
    }

    @Override
    public Operation operation() {
        return Operation.REGISTER;
    }

    @Override
    public String name() {
        return register.name();
    }

    @Override
    public TtlvStructure handle(OpContext ctx, KmipCall call) throws KmsException {
        Payloads.RegisterRequest r = Payloads.readRegisterRequest(call.payload());
        if (r.objectType() != ObjectType.SYMMETRIC_KEY || !r.object().tag().equals(Tag.SYMMETRIC_KEY)) {
            throw new UnsupportedException(ResultReason.ILLEGAL_OBJECT_TYPE, "this KMS registers Symmetric Keys only", null);
        }
        KmipTemplate t = KmipTemplate.parse(r.attributes());
        TtlvStructure block = r.object().structure(Tag.KEY_BLOCK);
        int format = block.enumeration(Tag.KEY_FORMAT_TYPE);
        if (format != KeyFormatType.RAW.value() && format != KeyFormatType.TRANSPARENT_SYMMETRIC_KEY.value()) {
            throw new UnsupportedException(ResultReason.KEY_FORMAT_TYPE_NOT_SUPPORTED,
                    "symmetric keys are registered in Raw or Transparent Symmetric Key format", null);
        }
        if (block.has(Tag.KEY_WRAPPING_DATA) || block.has(Tag.KEY_COMPRESSION_TYPE)) {
            throw new UnsupportedException(ResultReason.FEATURE_NOT_SUPPORTED,
                    "wrapped or compressed key blocks cannot be registered", null);
        }
        CryptographicAlgorithm alg = block.optEnumeration(Tag.CRYPTOGRAPHIC_ALGORITHM, CryptographicAlgorithm.class)
                .orElse(t.algorithm());
        if (alg == null) {
            throw new InvalidRequestException(ResultReason.MISSING_DATA, "the key block names no Cryptographic Algorithm", null);
        }
        if (t.algorithm() != null && t.algorithm() != alg) {
            throw new InvalidRequestException(ResultReason.INVALID_FIELD,
                    "the attributes and the key block name different algorithms", null);
        }
        try (SecretBytes material = ManagedObjects.keyMaterial(r.object())) {
            int bits = block.optInteger(Tag.CRYPTOGRAPHIC_LENGTH).orElse(t.lengthBits() != null ? t.lengthBits() : material.length() * 8);
            int mask = t.usageMask() != null ? t.usageMask()
                    : CryptographicUsageMask.maskOf(CryptographicUsageMask.ENCRYPT, CryptographicUsageMask.DECRYPT);
            KeyRecord k = register.handle(ctx, new RegisterKeyOp.Request(ObjectType.SYMMETRIC_KEY.name(),
                    KmipAttributes.recordAlgorithm(alg), bits, mask, t.names(), t.activationDate(), t.extractable(),
                    t.links(), t.stored(), material));
            call.batch().onUndo(k.id(), () -> Undos.removeCreated(s, k.id()));
            call.batch().idPlaceholder(k.id());
            return Payloads.createResponse(null, k.id());
        }
    }
}
