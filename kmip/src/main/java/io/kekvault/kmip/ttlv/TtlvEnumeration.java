package io.kekvault.kmip.ttlv;

import java.util.Objects;

/** A 32-bit Enumeration value; its names come from the table {@link KmipRegistry} keeps for the tag. */
public record TtlvEnumeration(Tag tag, int value) implements TtlvItem {
    public TtlvEnumeration {
        Objects.requireNonNull(tag, "tag");
    }

    @Override
    public ItemType type() {
        return ItemType.ENUMERATION;
    }

    @Override
    public TtlvEnumeration withTag(Tag tag) {
        return new TtlvEnumeration(tag, value);
    }

    @Override
    public String toString() {
        return tag.name() + "=Enumeration(" + KmipRegistry.formatEnumeration(tag, null, value) + ")";
    }
}
