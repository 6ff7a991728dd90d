package io.kekvault.kmip.ttlv;

import java.math.BigInteger;
import java.util.Objects;

/** A Big Integer: two's complement, big-endian, sign-extended to a multiple of 8 bytes on the wire. */
public record TtlvBigInteger(Tag tag, BigInteger value) implements TtlvItem {
    public TtlvBigInteger {
        Objects.requireNonNull(tag, "tag");
        Objects.requireNonNull(value, "value");
    }

    @Override
    public ItemType type() {
        return ItemType.BIG_INTEGER;
    }

    @Override
    public TtlvBigInteger withTag(Tag tag) {
        return new TtlvBigInteger(tag, value);
    }

    /** The wire form: two's complement, sign-extended to a multiple of 8 bytes (at least 8). */
    public byte[] encodedValue() {
        byte[] minimal = value.toByteArray();
        int len = Math.max(8, (minimal.length + 7) / 8 * 8);
        byte[] out = new byte[len];
        byte fill = value.signum() < 0 ? (byte) 0xFF : 0;
        java.util.Arrays.fill(out, 0, len - minimal.length, fill);
        System.arraycopy(minimal, 0, out, len - minimal.length, minimal.length);
        return out;
    }

    @Override
    public String toString() {
        return tag.name() + "=BigInteger(" + value.bitLength() + " bits)";
    }
}
