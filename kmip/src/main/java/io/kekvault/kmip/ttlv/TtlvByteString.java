package io.kekvault.kmip.ttlv;

import java.util.Arrays;
import java.util.Objects;

/**
 * A Byte String. The bytes are copied in and out, so the item stays immutable; equality is by
 * content. It may hold key material (Key Material, Data): {@code toString()} shows only the length.
 */
public final class TtlvByteString implements TtlvItem {
    private final Tag tag;
    private final byte[] value;

    public TtlvByteString(Tag tag, byte[] value) {
        this.tag = Objects.requireNonNull(tag, "tag");
        this.value = Objects.requireNonNull(value, "value").clone();
    }

    /** Adopts {@code value} without copying; only for codecs that just allocated the array. */
    static TtlvByteString adopt(Tag tag, byte[] value) {
        return new TtlvByteString(tag, value, true);
    }

    private TtlvByteString(Tag tag, byte[] value, boolean adopt) {
        this.tag = tag;
        this.value = value;
    }

    @Override
    public Tag tag() {
        return tag;
    }

    @Override
    public ItemType type() {
        return ItemType.BYTE_STRING;
    }

    /** A copy of the bytes. */
    public byte[] value() {
        return value.clone();
    }

    public int length() {
        return value.length;
    }

    /** The internal array, read-only by contract; for the codecs of this package. */
    byte[] raw() {
        return value;
    }

    @Override
    public TtlvByteString withTag(Tag tag) {
        return new TtlvByteString(tag, value, true);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TtlvByteString b && tag.equals(b.tag) && Arrays.equals(value, b.value);
    }

    @Override
    public int hashCode() {
        return 31 * tag.hashCode() + Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        return tag.name() + "=ByteString(" + value.length + " bytes)";
    }
}
