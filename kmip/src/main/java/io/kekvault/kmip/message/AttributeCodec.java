package io.kekvault.kmip.message;

import io.kekvault.kmip.error.InvalidRequestException;
import io.kekvault.kmip.error.KmsException;
import io.kekvault.kmip.error.ResultReason;
import io.kekvault.kmip.error.UnsupportedException;
import io.kekvault.kmip.ttlv.ItemType;
import io.kekvault.kmip.ttlv.Tag;
import io.kekvault.kmip.ttlv.TtlvEnumeration;
import io.kekvault.kmip.ttlv.TtlvItem;
import io.kekvault.kmip.ttlv.TtlvStructure;
import io.kekvault.kmip.ttlv.TtlvTextString;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Reads both attribute forms into {@link KmipAttribute} and writes either form for a protocol
 * version.
 *
 * <ul>
 *   <li>KMIP 1.x: {@code TemplateAttribute { Attribute { AttributeName, AttributeIndex?,
 *       AttributeValue } ... }}; references are {@code AttributeName} text strings; custom
 *       attributes are named {@code x-...} / {@code y-...}.</li>
 *   <li>KMIP 2.x: {@code Attributes { CryptographicAlgorithm, Name {...}, Attribute {
 *       VendorIdentification, AttributeName, AttributeValue } ... }}; references are
 *       {@code AttributeReference} (an Enumeration holding the tag, or a structure with vendor and
 *       name for custom attributes); edits use {@code NewAttribute} and {@code CurrentAttribute}.</li>
 * </ul>
 * Readers accept the 1.x {@code Attribute} structure inside 2.x containers too, since clients mix them.
 */
public final class AttributeCodec {
    private static final Set<Tag> TEMPLATE_1X = Set.of(Tag.TEMPLATE_ATTRIBUTE, Tag.COMMON_TEMPLATE_ATTRIBUTE,
            Tag.PRIVATE_KEY_TEMPLATE_ATTRIBUTE, Tag.PUBLIC_KEY_TEMPLATE_ATTRIBUTE);
    private static final Set<Tag> ATTRIBUTES_2X = Set.of(Tag.ATTRIBUTES, Tag.COMMON_ATTRIBUTES,
            Tag.PRIVATE_KEY_ATTRIBUTES, Tag.PUBLIC_KEY_ATTRIBUTES);

    private AttributeCodec() {
    }

    // ------------------------------------------------------------------ single attributes

    /** Reads an {@code Attribute} structure: the 1.x form, or the 2.x vendor form (with Vendor Identification). */
    public static KmipAttribute readAttributeStructure(TtlvStructure s) throws InvalidRequestException {
        Optional<String> vendor = s.optText(Tag.VENDOR_IDENTIFICATION);
        String name = s.text(Tag.ATTRIBUTE_NAME);
        TtlvItem value = s.required(Tag.ATTRIBUTE_VALUE);
        Integer index = s.optInteger(Tag.ATTRIBUTE_INDEX).orElse(null);
        for (TtlvItem c : s.children()) {
            Tag t = c.tag();
            if (!t.equals(Tag.VENDOR_IDENTIFICATION) && !t.equals(Tag.ATTRIBUTE_NAME) && !t.equals(Tag.ATTRIBUTE_VALUE)
                    && !t.equals(Tag.ATTRIBUTE_INDEX)) {
                throw new InvalidRequestException(ResultReason.INVALID_FIELD, "unexpected " + t.name() + " in Attribute", null);
            }
        }
        AttributeKey key;
        if (vendor.isPresent()) {
            if (vendor.get().isEmpty() || name.isEmpty()) {
                throw new InvalidRequestException(ResultReason.INVALID_FIELD, "a vendor attribute needs a vendor and a name", null);
            }
            key = new AttributeKey.Custom(vendor.get(), name);
        } else {
            key = AttributeKey.fromName1x(name);
        }
        return new KmipAttribute(key, index, value);
    }

    /** Reads one child of a 2.x {@code Attributes} structure (a standard item, or an {@code Attribute} structure). */
    public static KmipAttribute readItem2x(TtlvItem item) throws InvalidRequestException {
        if (item.tag().equals(Tag.ATTRIBUTE)) {
            return readAttributeStructure(item.asStructure());
        }
        if (!item.tag().isKnown() && !item.tag().isExtension()) {
            throw new InvalidRequestException(ResultReason.INVALID_FIELD, "unknown attribute " + item.tag().name(), null);
        }
        return KmipAttribute.of(item);
    }

    /** The 1.x {@code Attribute} structure. */
    public static TtlvStructure write1x(KmipAttribute a) {
        return TtlvStructure.builder(Tag.ATTRIBUTE)
                .text(Tag.ATTRIBUTE_NAME, a.name1x())
                .optInteger(Tag.ATTRIBUTE_INDEX, a.index())
                .add(a.value().withTag(Tag.ATTRIBUTE_VALUE))
                .build();
    }

    /** The 2.x form: the value under its own tag, or an {@code Attribute} vendor structure for custom attributes. */
    public static TtlvItem write2x(KmipAttribute a) {
        if (a.key() instanceof AttributeKey.Custom c) {
            return TtlvStructure.builder(Tag.ATTRIBUTE)
                    .text(Tag.VENDOR_IDENTIFICATION, c.vendor())
                    .text(Tag.ATTRIBUTE_NAME, c.name())
                    .add(a.value().withTag(Tag.ATTRIBUTE_VALUE))
                    .build();
        }
        return a.value();
    }

    public static TtlvItem write(KmipAttribute a, ProtocolVersion v) {
        return v.isV2() ? write2x(a) : write1x(a);
    }

    // ------------------------------------------------------------------ containers

    /**
     * Reads a container: a 1.x Template-Attribute (and its Common/Private/Public variants) or a
     * 2.x Attributes structure (and variants). A 1.x container that names a Template object is
     * refused: templates were deprecated in KMIP 1.3 and are not supported.
     */
    public static List<KmipAttribute> readContainer(TtlvStructure container) throws KmsException {
        List<KmipAttribute> out = new ArrayList<>();
        boolean v1 = TEMPLATE_1X.contains(container.tag());
        for (TtlvItem c : container.children()) {
            if (v1) {
                if (c.tag().equals(Tag.NAME)) {
                    throw new UnsupportedException(ResultReason.FEATURE_NOT_SUPPORTED,
                            "Template objects (a Name inside " + container.tag().name() + ") are not supported", null);
                }
                if (!c.tag().equals(Tag.ATTRIBUTE)) {
                    throw new InvalidRequestException(ResultReason.INVALID_FIELD,
                            "unexpected " + c.tag().name() + " in " + container.tag().name(), null);
                }
                out.add(readAttributeStructure(c.asStructure()));
            } else {
                out.add(readItem2x(c));
            }
        }
        return out;
    }

    /** The container for {@code version}: {@code TemplateAttribute} (1.x) or {@code Attributes} (2.x). */
    public static TtlvStructure writeContainer(List<KmipAttribute> attributes, ProtocolVersion version) {
        return writeContainer(Tag.TEMPLATE_ATTRIBUTE, Tag.ATTRIBUTES, attributes, version);
    }

    public static TtlvStructure writeContainer(Tag tag1x, Tag tag2x, List<KmipAttribute> attributes, ProtocolVersion version) {
        var b = TtlvStructure.builder(version.isV2() ? tag2x : tag1x);
        for (KmipAttribute a : attributes) {
            b.add(write(a, version));
        }
        return b.build();
    }

    /**
     * The attributes of a payload that carries a {@code TemplateAttribute} or {@code Attributes}
     * child (Create, Register, Locate in 2.x...); empty when it has neither.
     */
    public static List<KmipAttribute> readFromPayload(TtlvStructure payload) throws KmsException {
        List<KmipAttribute> out = new ArrayList<>();
        for (TtlvItem c : payload.children()) {
            if (c.tag().equals(Tag.TEMPLATE_ATTRIBUTE) || c.tag().equals(Tag.ATTRIBUTES)) {
                out.addAll(readContainer(c.asStructure()));
            }
        }
        return out;
    }

    // ------------------------------------------------------------------ references

    /** A reference to an attribute: 1.x {@code AttributeName}, 2.x {@code AttributeReference}. */
    public static TtlvItem writeReference(AttributeKey key, ProtocolVersion version) {
        if (!version.isV2()) {
            return TtlvItem.text(Tag.ATTRIBUTE_NAME, key.name1x());
        }
        return switch (key) {
            case AttributeKey.Standard s -> TtlvItem.enumeration(Tag.ATTRIBUTE_REFERENCE, s.tag().value());
            case AttributeKey.Custom c -> TtlvStructure.builder(Tag.ATTRIBUTE_REFERENCE)
                    .text(Tag.VENDOR_IDENTIFICATION, c.vendor())
                    .text(Tag.ATTRIBUTE_NAME, c.name())
                    .build();
        };
    }

    /** Reads an {@code AttributeName} (1.x) or {@code AttributeReference} (2.x). */
    public static AttributeKey readReference(TtlvItem item) throws InvalidRequestException {
        if (item.tag().equals(Tag.ATTRIBUTE_NAME)) {
            return AttributeKey.fromName1x(item.asText());
        }
        if (!item.tag().equals(Tag.ATTRIBUTE_REFERENCE)) {
            throw new InvalidRequestException(ResultReason.INVALID_FIELD, item.tag().name() + " is not an attribute reference", null);
        }
        if (item instanceof TtlvEnumeration e) {
            if (e.value() < 0 || e.value() > 0xFFFFFF) {
                throw new InvalidRequestException(ResultReason.INVALID_FIELD, "AttributeReference is not a tag", null);
            }
            return new AttributeKey.Standard(Tag.of(e.value()));
        }
        if (item.type() == ItemType.STRUCTURE) {
            TtlvStructure s = item.asStructure();
            String vendor = s.text(Tag.VENDOR_IDENTIFICATION);
            String name = s.text(Tag.ATTRIBUTE_NAME);
            if (vendor.isEmpty()) {
                return AttributeKey.fromName1x(name);
            }
            return new AttributeKey.Custom(vendor, name);
        }
        if (item instanceof TtlvTextString t) {
            return AttributeKey.fromName1x(t.value());
        }
        throw new InvalidRequestException(ResultReason.INVALID_FIELD, "AttributeReference must be an Enumeration or a Structure", null);
    }

    /** Every reference among the children of {@code payload} (AttributeName and AttributeReference items), in order. */
    public static List<AttributeKey> readReferences(TtlvStructure payload) throws InvalidRequestException {
        List<AttributeKey> out = new ArrayList<>();
        for (TtlvItem c : payload.children()) {
            if (c.tag().equals(Tag.ATTRIBUTE_NAME) || c.tag().equals(Tag.ATTRIBUTE_REFERENCE)) {
                out.add(readReference(c));
            }
        }
        return out;
    }
}
