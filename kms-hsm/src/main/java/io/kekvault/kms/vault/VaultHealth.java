package io.kekvault.kms.vault;

/** Result of a liveness probe: {@code detail} is operator-facing and never holds secrets. */
public record VaultHealth(boolean up, String backend, String tokenLabel, String detail) {
}
