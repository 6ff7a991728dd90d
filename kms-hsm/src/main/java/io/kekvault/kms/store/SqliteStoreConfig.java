package io.kekvault.kms.store;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of the embedded store.
 *
 * @param databaseFile      the SQLite file (its directory is created if missing; WAL and SHM
 *                          files live beside it)
 * @param readerPoolSize    connections for concurrent reads (writes use one connection)
 * @param connectionTimeout how long a call waits for a connection before failing as unavailable
 * @param busyTimeout       how long SQLite waits on a lock held by another process
 */
public record SqliteStoreConfig(Path databaseFile, int readerPoolSize, Duration connectionTimeout, Duration busyTimeout) {
    public SqliteStoreConfig {
        Objects.requireNonNull(databaseFile, "databaseFile");
        if (readerPoolSize < 1 || readerPoolSize > 64) {
            throw new IllegalArgumentException("readerPoolSize must be 1..64");
        }
        if (connectionTimeout.toMillis() < 250) {
            throw new IllegalArgumentException("connectionTimeout must be at least 250 ms");
        }
        if (busyTimeout.isNegative()) {
            throw new IllegalArgumentException("busyTimeout must not be negative");
        }
    }

    /** Four readers, 5 s connection timeout, 5 s busy timeout. */
    public static SqliteStoreConfig of(Path databaseFile) {
        return new SqliteStoreConfig(databaseFile, 4, Duration.ofSeconds(5), Duration.ofSeconds(5));
    }

    public SqliteStoreConfig withTimeouts(Duration connection, Duration busy) {
        return new SqliteStoreConfig(databaseFile, readerPoolSize, connection, busy);
    }
}
