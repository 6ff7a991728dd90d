package io.kekvault.kmip.ttlv;

import java.util.Objects;

/** An Interval: unsigned 32-bit seconds. */
public record TtlvInterval(Tag tag, long seconds) implements TtlvItem {
    public TtlvInterval {
        Objects.requireNonNull(tag, "tag");
        if (seconds < 0 || seconds > 0xFFFFFFFFL) {
            throw new IllegalArgumentException("an Interval is 0 to 2^32-1 seconds, got " + seconds);
        }
    }

    @Override
    public ItemType type() {
        return ItemType.INTERVAL;
    }

    @Override
    public TtlvInterval withTag(Tag tag) {
        return new TtlvInterval(tag, seconds);
    }

    @Override
    public String toString() {
        return tag.name() + "=Interval(" + seconds + ")";
    }
}
