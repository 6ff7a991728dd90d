package io.kekvault.kms.audit;

import java.nio.file.Path;
import java.time.Clock;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Settings of a node's audit log.
 *
 * @param directory  where {@code audit-<node>.jsonl} lives (created if missing)
 * @param nodeId     this KMS node's identifier: letters, digits, {@code . _ -}, 1 to 64, not starting with a dot
 * @param durability when {@code append} returns
 * @param clock      source of record times
 */
public record AuditConfig(Path directory, String nodeId, AuditDurability durability, Clock clock) {
    private static final Pattern NODE_ID = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]{0,63}");

    public AuditConfig {
        Objects.requireNonNull(directory, "directory");
        Objects.requireNonNull(durability, "durability");
        Objects.requireNonNull(clock, "clock");
        if (nodeId == null || !NODE_ID.matcher(nodeId).matches()) {
            throw new IllegalArgumentException("node id must be 1..64 of [A-Za-z0-9._-], not starting with '.'");
        }
    }

    /** {@link AuditDurability#WRITE} and the UTC system clock. */
    public static AuditConfig of(Path directory, String nodeId) {
        return new AuditConfig(directory, nodeId, AuditDurability.WRITE, Clock.systemUTC());
    }

    public AuditConfig withDurability(AuditDurability d) {
        return new AuditConfig(directory, nodeId, d, clock);
    }

    public AuditConfig withClock(Clock c) {
        return new AuditConfig(directory, nodeId, durability, c);
    }

    /** The log file of this node. */
    public Path file() {
        return directory.resolve(AuditLog.fileName(nodeId));
    }
}
