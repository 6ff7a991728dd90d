package io.kekvault.kmip.message;

import io.kekvault.kmip.ttlv.KmipEnum;
import io.kekvault.kmip.ttlv.Tag;
import io.kekvault.kmip.ttlv.TtlvItem;
import io.kekvault.kmip.ttlv.TtlvStructure;

import java.time.Instant;
import java.util.Objects;

/**
 * One attribute in the version-neutral form: its key, the KMIP 1.x Attribute Index if any, and
 * its value. The value of a standard attribute carries the attribute's own tag (a Name is a
 * {@code Name} structure, as in KMIP 2.x); the value of a custom attribute carries the tag
 * {@code AttributeValue}. {@link AttributeCodec} turns this into either wire form.
 *
 * @param index the KMIP 1.x Attribute Index, or null (KMIP 2.x has none)
 */
public record KmipAttribute(AttributeKey key, Integer index, TtlvItem value) {

    public KmipAttribute {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        Tag want = key instanceof AttributeKey.Standard s ? s.tag() : Tag.ATTRIBUTE_VALUE;
        if (!value.tag().equals(want)) {
            value = value.withTag(want);
        }
    }

    /** A standard attribute whose key is the value's tag (e.g. a {@code CryptographicLength} Integer). */
    public static KmipAttribute of(TtlvItem value) {
        return new KmipAttribute(new AttributeKey.Standard(value.tag()), null, value);
    }

    public static KmipAttribute custom(String vendor, String name, TtlvItem value) {
        return new KmipAttribute(new AttributeKey.Custom(vendor, name), null, value);
    }

    /** A client text attribute ({@code x-name}), such as vCenter's {@code x-Vendor}. */
    public static KmipAttribute x(String name, String text) {
        return custom("x", name, TtlvItem.text(Tag.ATTRIBUTE_VALUE, text));
    }

    public static KmipAttribute text(Tag tag, String v) {
        return of(TtlvItem.text(tag, v));
    }

    public static KmipAttribute integer(Tag tag, int v) {
        return of(TtlvItem.integer(tag, v));
    }

    public static KmipAttribute enumeration(Tag tag, KmipEnum v) {
        return of(TtlvItem.enumeration(tag, v));
    }

    public static KmipAttribute bool(Tag tag, boolean v) {
        return of(TtlvItem.bool(tag, v));
    }

    public static KmipAttribute dateTime(Tag tag, Instant v) {
        return of(TtlvItem.dateTime(tag, v));
    }

    public static KmipAttribute cryptographicAlgorithm(CryptographicAlgorithm a) {
        return enumeration(Tag.CRYPTOGRAPHIC_ALGORITHM, a);
    }

    public static KmipAttribute cryptographicLength(int bits) {
        return integer(Tag.CRYPTOGRAPHIC_LENGTH, bits);
    }

    public static KmipAttribute cryptographicUsageMask(CryptographicUsageMask... flags) {
        return integer(Tag.CRYPTOGRAPHIC_USAGE_MASK, CryptographicUsageMask.maskOf(flags));
    }

    /** A Name attribute of type Uninterpreted Text String. */
    public static KmipAttribute name(String name) {
        return of(TtlvStructure.builder(Tag.NAME)
                .text(Tag.NAME_VALUE, name)
                .enumeration(Tag.NAME_TYPE, NameType.UNINTERPRETED_TEXT_STRING)
                .build());
    }

    /** A Link attribute. */
    public static KmipAttribute link(LinkType type, String linkedObjectIdentifier) {
        return of(TtlvStructure.builder(Tag.LINK)
                .enumeration(Tag.LINK_TYPE, type)
                .text(Tag.LINKED_OBJECT_IDENTIFIER, linkedObjectIdentifier)
                .build());
    }

    public KmipAttribute withIndex(Integer index) {
        return new KmipAttribute(key, index, value);
    }

    public boolean isCustom() {
        return key instanceof AttributeKey.Custom;
    }

    /** The KMIP 1.x attribute name ("Cryptographic Algorithm", "x-Vendor"). */
    public String name1x() {
        return key.name1x();
    }

    @Override
    public String toString() {
        return "KmipAttribute[" + key + (index != null ? "#" + index : "") + ", " + value.type().encodingName() + "]";
    }
}
