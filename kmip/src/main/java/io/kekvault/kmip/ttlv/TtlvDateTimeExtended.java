package io.kekvault.kmip.ttlv;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;

/** A Date-Time Extended (KMIP 2.0): signed 64-bit microseconds since the POSIX epoch. */
public record TtlvDateTimeExtended(Tag tag, long epochMicros) implements TtlvItem {
    public TtlvDateTimeExtended {
        Objects.requireNonNull(tag, "tag");
    }

    static TtlvDateTimeExtended of(Tag tag, Instant instant) {
        return new TtlvDateTimeExtended(tag, ChronoUnit.MICROS.between(Instant.EPOCH, instant));
    }

    public Instant instant() {
        return Instant.EPOCH.plus(epochMicros, ChronoUnit.MICROS);
    }

    @Override
    public ItemType type() {
        return ItemType.DATE_TIME_EXTENDED;
    }

    @Override
    public TtlvDateTimeExtended withTag(Tag tag) {
        return new TtlvDateTimeExtended(tag, epochMicros);
    }

    @Override
    public String toString() {
        return tag.name() + "=DateTimeExtended(" + epochMicros + ")";
    }
}
