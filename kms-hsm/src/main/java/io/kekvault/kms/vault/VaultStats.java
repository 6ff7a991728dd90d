package io.kekvault.kms.vault;

/**
 * Pool and recovery counters.
 *
 * @param sessionsOpen     sessions currently open (idle plus borrowed)
 * @param sessionsIdle     sessions waiting in the pool
 * @param sessionsMax      pool capacity
 * @param sessionsDiscarded sessions dropped because the HSM invalidated them
 * @param moduleRecoveries times the module was re-initialised after a fatal error
 */
public record VaultStats(int sessionsOpen, int sessionsIdle, int sessionsMax,
                         long sessionsDiscarded, long moduleRecoveries) {
}
