package io.kekvault.kmip.ttlv;

import java.util.Objects;

/** A UTF-8 Text String. {@code toString()} shows only the length. */
public record TtlvTextString(Tag tag, String value) implements TtlvItem {
    public TtlvTextString {
        Objects.requireNonNull(tag, "tag");
        Objects.requireNonNull(value, "value");
    }

    @Override
    public ItemType type() {
        return ItemType.TEXT_STRING;
    }

    @Override
    public TtlvTextString withTag(Tag tag) {
        return new TtlvTextString(tag, value);
    }

    @Override
    public String toString() {
        return tag.name() + "=TextString(" + value.length() + " chars)";
    }
}
