package io.kekvault.kmip.ttlv;

import java.util.Objects;

/** A 64-bit signed Long Integer. */
public record TtlvLongInteger(Tag tag, long value) implements TtlvItem {
    public TtlvLongInteger {
        Objects.requireNonNull(tag, "tag");
    }

    @Override
    public ItemType type() {
        return ItemType.LONG_INTEGER;
    }

    @Override
    public TtlvLongInteger withTag(Tag tag) {
        return new TtlvLongInteger(tag, value);
    }

    @Override
    public String toString() {
        return tag.name() + "=LongInteger(" + value + ")";
    }
}
