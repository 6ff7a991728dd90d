package io.kekvault.kms.op.kmip;

import io.kekvault.kmip.error.KmsException;
import io.kekvault.kmip.error.NotExtractableException;
import io.kekvault.kmip.error.NotFoundException;
import io.kekvault.kmip.error.PermissionDeniedException;
import io.kekvault.kmip.error.ResultReason;
import io.kekvault.kmip.error.UnsupportedException;
import io.kekvault.kmip.message.BlockCipherMode;
import io.kekvault.kmip.message.CryptographicAlgorithm;
import io.kekvault.kmip.message.CryptographicUsageMask;
import io.kekvault.kmip.message.KeyFormatType;
import io.kekvault.kmip.message.ObjectType;
import io.kekvault.kmip.message.Operation;
import io.kekvault.kmip.message.WrappingMethod;
import io.kekvault.kmip.ttlv.Tag;
import io.kekvault.kmip.ttlv.TtlvItem;
import io.kekvault.kmip.ttlv.TtlvStructure;
import io.kekvault.kms.op.KeyAccess;
import io.kekvault.kms.op.KmsServices;
import io.kekvault.kms.op.OpContext;
import io.kekvault.kms.store.AttributeValue;
import io.kekvault.kms.store.KeyRecord;
import io.kekvault.kms.store.KeyState;
import io.kekvault.kms.store.Permission;
import io.kekvault.secret.SecretBytes;
import java.util.Optional;

/**
 * KMIP Get of a key's value. Refused with a clear reason for keys created non-extractable (the
 * default export policy: their value never leaves the HSM); keys a client registered go back only
 * to that client. Raw and Transparent Symmetric Key formats; with a Key Wrapping Specification
 * (Encrypt with AES key wrap) the value is wrapped under another extractable key of the caller.
 */
public final class GetHandler implements KmipHandler {
    private final KmsServices s;

    public GetHandler(KmsServices services) {
        this.s = services;
    }

    @Override
    public Operation operation() {
        return Operation.GET;
    }

    @Override
    public String name() {
        return "Get";
    }

    @Override
    public TtlvStructure handle(OpContext ctx, KmipCall call) throws KmsException {
        String uid = call.uniqueIdentifier();
        ctx.auditKey(uid);
        TtlvStructure p = call.payload();
        KeyRecord k = KeyAccess.permitted(s.store(), ctx.caller(), uid, Permission.GET);
        if (k.state().isDestroyed()) {
            throw new NotFoundException(ResultReason.OBJECT_DESTROYED, "key " + uid + " is destroyed: its value is gone", null);
        }
        if (!k.extractable()) {
            throw new NotExtractableException(ResultReason.NOT_EXTRACTABLE, "key " + uid
                    + " is not extractable: its value never leaves the HSM (export policy); use Encrypt and Decrypt,"
                    + " or ask the operator for a role that may create extractable keys", null);
        }
        if (KmipAttributes.isRegistered(k) && !ctx.caller().identity().equals(k.owner())) {
            throw new PermissionDeniedException("key " + uid + " was registered by another client; only it gets the value back");
        }
        if (p.has(Tag.KEY_COMPRESSION_TYPE)) {
            throw new UnsupportedException(ResultReason.KEY_COMPRESSION_TYPE_NOT_SUPPORTED, "key compression is not supported", null);
        }
        KeyFormatType format = p.optEnumeration(Tag.KEY_FORMAT_TYPE, KeyFormatType.class).orElse(KeyFormatType.RAW);
        if (format != KeyFormatType.RAW && format != KeyFormatType.TRANSPARENT_SYMMETRIC_KEY) {
            throw new UnsupportedException(ResultReason.KEY_FORMAT_TYPE_NOT_SUPPORTED,
                    "symmetric keys are returned in Raw or Transparent Symmetric Key format", null);
        }
        Optional<TtlvStructure> wrapping = p.optStructure(Tag.KEY_WRAPPING_SPECIFICATION);
        CryptographicAlgorithm alg = KmipAttributes.kmipAlgorithm(k.algorithm()).orElseThrow(() ->
                new UnsupportedException(ResultReason.FEATURE_NOT_SUPPORTED, "key " + uid + " has no KMIP algorithm", null));
        TtlvStructure block;
        try (SecretBytes value = s.vault().exportKey(uid)) {
            var b = TtlvStructure.builder(Tag.KEY_BLOCK).enumeration(Tag.KEY_FORMAT_TYPE, format);
            if (wrapping.isPresent()) {
                WrapResult w = wrap(ctx, wrapping.get(), value, format);
                b.bytes(Tag.KEY_VALUE, w.wrapped());
                b.enumeration(Tag.CRYPTOGRAPHIC_ALGORITHM, alg).optInteger(Tag.CRYPTOGRAPHIC_LENGTH, k.lengthBits());
                b.add(w.wrappingData());
            } else {
                b.add(TtlvStructure.builder(Tag.KEY_VALUE).add(material(format, value)).build());
                b.enumeration(Tag.CRYPTOGRAPHIC_ALGORITHM, alg).optInteger(Tag.CRYPTOGRAPHIC_LENGTH, k.lengthBits());
            }
            block = b.build();
        }
        if (k.attribute(KmipAttributes.SERVED).isEmpty()) {
            s.store().modify(uid, cur -> cur.attribute(KmipAttributes.SERVED).isPresent() ? cur
                    : cur.toBuilder().addAttribute(KmipAttributes.SERVED, AttributeValue.bool(true)).build());
        }
        return TtlvStructure.builder(Tag.RESPONSE_PAYLOAD)
                .enumeration(Tag.OBJECT_TYPE, ObjectType.SYMMETRIC_KEY)
                .text(Tag.UNIQUE_IDENTIFIER, uid)
                .add(TtlvStructure.builder(Tag.SYMMETRIC_KEY).add(block).build())
                .build();
    }

    private static TtlvItem material(KeyFormatType format, SecretBytes value) {
        if (format == KeyFormatType.TRANSPARENT_SYMMETRIC_KEY) {
            return TtlvStructure.builder(Tag.KEY_MATERIAL).bytes(Tag.KEY, value.expose()).build();
        }
        return TtlvItem.bytes(Tag.KEY_MATERIAL, value.expose());
    }

    private record WrapResult(byte[] wrapped, TtlvStructure wrappingData) {
    }

    /** Wraps the value with AES key wrap under the wrapping key the specification names. */
    private WrapResult wrap(OpContext ctx, TtlvStructure spec, SecretBytes value, KeyFormatType format) throws KmsException {
        int method = spec.enumeration(Tag.WRAPPING_METHOD);
        if (method != WrappingMethod.ENCRYPT.value()) {
            throw new UnsupportedException(ResultReason.KEY_WRAP_TYPE_NOT_SUPPORTED, "only the Encrypt wrapping method is supported", null);
        }
        if (spec.has(Tag.MAC_SIGNATURE_KEY_INFORMATION) || spec.has(Tag.ATTRIBUTE_NAME) || spec.has(Tag.ENCODING_OPTION)) {
            throw new UnsupportedException(ResultReason.FEATURE_NOT_SUPPORTED,
                    "MAC/signature wrapping, wrapped attributes and encoding options are not supported", null);
        }
        if (format != KeyFormatType.RAW) {
            throw new UnsupportedException(ResultReason.KEY_FORMAT_TYPE_NOT_SUPPORTED, "wrapped keys are returned in Raw format", null);
        }
        TtlvStructure info = spec.structure(Tag.ENCRYPTION_KEY_INFORMATION);
        String wrapId = info.text(Tag.UNIQUE_IDENTIFIER);
        Optional<TtlvStructure> params = info.optStructure(Tag.CRYPTOGRAPHIC_PARAMETERS);
        int mode = params.isPresent() ? params.get().optEnumeration(Tag.BLOCK_CIPHER_MODE).orElse(BlockCipherMode.NISTKEYWRAP.value())
                : BlockCipherMode.NISTKEYWRAP.value();
        if (mode != BlockCipherMode.NISTKEYWRAP.value()) {
            throw new UnsupportedException(ResultReason.UNSUPPORTED_CRYPTOGRAPHIC_PARAMETERS,
                    "keys are wrapped with AES key wrap (NIST Key Wrap) only", null);
        }
        KeyRecord w = KeyAccess.permitted(s.store(), ctx.caller(), wrapId, Permission.ENCRYPT);
        if (w.state() != KeyState.ACTIVE) {
            throw new io.kekvault.kmip.error.WrongStateException("wrapping key " + wrapId + " is not Active");
        }
        if ((w.usageMask() & CryptographicUsageMask.WRAP_KEY.value()) == 0) {
            throw new PermissionDeniedException("wrapping key " + wrapId + " does not allow Wrap Key in its usage mask");
        }
        if (!"AES".equals(w.algorithm()) || !w.extractable()) {
            throw new UnsupportedException(ResultReason.FEATURE_NOT_SUPPORTED, "wrapping key " + wrapId
                    + " must be an extractable AES key: the HSM offers no key wrap for this KMS", null);
        }
        byte[] wrapped;
        try (SecretBytes kek = s.vault().exportKey(wrapId)) {
            wrapped = SoftwareCipher.aesKeyWrap(true, kek, value.expose());
        }
        var ek = TtlvStructure.builder(Tag.ENCRYPTION_KEY_INFORMATION).text(Tag.UNIQUE_IDENTIFIER, wrapId);
        params.ifPresent(ek::add);
        TtlvStructure data = TtlvStructure.builder(Tag.KEY_WRAPPING_DATA)
                .enumeration(Tag.WRAPPING_METHOD, WrappingMethod.ENCRYPT)
                .add(ek.build())
                .build();
        return new WrapResult(wrapped, data);
    }
}
