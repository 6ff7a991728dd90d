package io.kekvault.kmip.message;

import io.kekvault.kmip.error.InvalidRequestException;
import io.kekvault.kmip.error.NotExtractableException;
import io.kekvault.kmip.error.ResultReason;
import io.kekvault.secret.SecretBytes;
import io.kekvault.kmip.ttlv.Tag;
import io.kekvault.kmip.ttlv.TtlvItem;
import io.kekvault.kmip.ttlv.TtlvStructure;

import java.util.Optional;
import java.util.Set;

/** Managed object structures (Symmetric Key, Secret Data...) and the key material inside them. */
public final class ManagedObjects {
    private static final Set<Tag> OBJECT_TAGS = Set.of(Tag.SYMMETRIC_KEY, Tag.SECRET_DATA, Tag.PRIVATE_KEY, Tag.PUBLIC_KEY,
            Tag.CERTIFICATE, Tag.SPLIT_KEY, Tag.OPAQUE_OBJECT, Tag.PGP_KEY, Tag.CERTIFICATE_REQUEST, Tag.TEMPLATE);

    private ManagedObjects() {
    }

    /** True for the tags that hold a managed object in Register and Get payloads. */
    public static boolean isObjectTag(Tag tag) {
        return OBJECT_TAGS.contains(tag);
    }

    /**
     * A Symmetric Key in Raw format. The material is copied into the tree; the tree is ordinary
     * heap memory, so keep it short-lived.
     */
    public static TtlvStructure symmetricKey(CryptographicAlgorithm algorithm, SecretBytes material) {
        return TtlvStructure.builder(Tag.SYMMETRIC_KEY)
                .add(TtlvStructure.builder(Tag.KEY_BLOCK)
                        .enumeration(Tag.KEY_FORMAT_TYPE, KeyFormatType.RAW)
                        .add(TtlvStructure.builder(Tag.KEY_VALUE).bytes(Tag.KEY_MATERIAL, material.expose()).build())
                        .enumeration(Tag.CRYPTOGRAPHIC_ALGORITHM, algorithm)
                        .integer(Tag.CRYPTOGRAPHIC_LENGTH, material.length() * 8)
                        .build())
                .build();
    }

    /** The managed object inside a Get response payload. */
    public static Optional<TtlvStructure> objectIn(TtlvStructure payload) throws InvalidRequestException {
        for (TtlvItem c : payload.children()) {
            if (isObjectTag(c.tag())) {
                return Optional.of(c.asStructure());
            }
        }
        return Optional.empty();
    }

    /**
     * The clear key material of a key object (Raw, Opaque or Transparent Symmetric Key format),
     * as a {@link SecretBytes} the caller must close. A wrapped key block or a block without a
     * value is {@code KEY_VALUE_NOT_PRESENT}.
     */
    public static SecretBytes keyMaterial(TtlvStructure object) throws InvalidRequestException, NotExtractableException {
        TtlvStructure block = object.structure(Tag.KEY_BLOCK);
        if (block.has(Tag.KEY_WRAPPING_DATA)) {
            throw new NotExtractableException(ResultReason.KEY_VALUE_NOT_PRESENT, "the key block is wrapped", null);
        }
        Optional<TtlvItem> value = block.find(Tag.KEY_VALUE);
        if (value.isEmpty()) {
            throw new NotExtractableException(ResultReason.KEY_VALUE_NOT_PRESENT, "the key block has no key value", null);
        }
        TtlvItem v = value.get();
        if (v instanceof io.kekvault.kmip.ttlv.TtlvByteString) {
            return SecretBytes.adopt(v.asBytes());
        }
        TtlvItem material = v.asStructure().required(Tag.KEY_MATERIAL);
        if (material instanceof TtlvStructure transparent) {
            return SecretBytes.adopt(transparent.bytes(Tag.KEY));
        }
        return SecretBytes.adopt(material.asBytes());
    }
}
