package io.kekvault.kmip.ttlv;

import java.time.Instant;
import java.util.Objects;

/** A Date-Time: signed 64-bit POSIX seconds. */
public record TtlvDateTime(Tag tag, long epochSeconds) implements TtlvItem {
    public TtlvDateTime {
        Objects.requireNonNull(tag, "tag");
    }

    public Instant instant() {
        return Instant.ofEpochSecond(epochSeconds);
    }

    @Override
    public ItemType type() {
        return ItemType.DATE_TIME;
    }

    @Override
    public TtlvDateTime withTag(Tag tag) {
        return new TtlvDateTime(tag, epochSeconds);
    }

    @Override
    public String toString() {
        return tag.name() + "=DateTime(" + epochSeconds + ")";
    }
}
