package io.kekvault.kms.audit;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

/** A clock that advances by a fixed step at every reading: deterministic record times. */
final class TickingClock extends Clock {
    private final Instant start;
    private final long stepMillis;
    private final AtomicLong ticks = new AtomicLong();

    TickingClock(Instant start, Duration step) {
        this.start = start;
        this.stepMillis = step.toMillis();
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }

    @Override
    public Instant instant() {
        return start.plusMillis(stepMillis * ticks.getAndIncrement());
    }
}
