package io.kekvault.kmip.ttlv;

import java.util.Objects;

/** A 32-bit signed Integer (also used for bit masks such as Cryptographic Usage Mask). */
public record TtlvInteger(Tag tag, int value) implements TtlvItem {
    public TtlvInteger {
        Objects.requireNonNull(tag, "tag");
    }

    @Override
    public ItemType type() {
        return ItemType.INTEGER;
    }

    @Override
    public TtlvInteger withTag(Tag tag) {
        return new TtlvInteger(tag, value);
    }

    @Override
    public String toString() {
        return tag.name() + "=Integer(" + value + ")";
    }
}
