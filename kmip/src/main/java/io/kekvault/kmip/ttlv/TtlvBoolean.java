package io.kekvault.kmip.ttlv;

import java.util.Objects;

/** A Boolean (8 bytes on the wire, 0 or 1). */
public record TtlvBoolean(Tag tag, boolean value) implements TtlvItem {
    public TtlvBoolean {
        Objects.requireNonNull(tag, "tag");
    }

    @Override
    public ItemType type() {
        return ItemType.BOOLEAN;
    }

    @Override
    public TtlvBoolean withTag(Tag tag) {
        return new TtlvBoolean(tag, value);
    }

    @Override
    public String toString() {
        return tag.name() + "=Boolean(" + value + ")";
    }
}
