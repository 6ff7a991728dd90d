package io.kekvault.kms.store;

import java.time.Duration;

/**
 * Settings of the PostgreSQL store, shared by every KMS node of a deployment.
 *
 * @param url               {@code jdbc:postgresql://host[:port]/database[?options]}; pgjdbc options
 *                          such as {@code sslmode=verify-full&sslrootcert=...} go in the URL
 * @param user              the database role; it owns the schema (Flyway creates the tables)
 * @param password          where the password is read, for each new connection
 * @param poolSize          connections per pool; a node opens a writer pool and a reader pool, so
 *                          it holds at most twice this many connections
 * @param connectionTimeout how long a request waits for a connection before it fails as
 *                          unavailable (503); also the TCP connect timeout
 * @param socketTimeout     a statement with no answer for this long fails as unavailable (a
 *                          database that hangs instead of refusing)
 * @param applicationName   shown in {@code pg_stat_activity} (e.g. {@code kekvault-kms-1})
 */
public record PostgresStoreConfig(String url, String user, PasswordSource password, int poolSize,
                                  Duration connectionTimeout, Duration socketTimeout, String applicationName) {

    public static final int DEFAULT_POOL_SIZE = 8;
    public static final Duration DEFAULT_CONNECTION_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration DEFAULT_SOCKET_TIMEOUT = Duration.ofSeconds(30);

    public PostgresStoreConfig {
        if (url == null || url.isBlank()) {
            throw new IllegalArgumentException("store.url is required for the postgresql store");
        }
        if (!url.startsWith("jdbc:postgresql://")) {
            throw new IllegalArgumentException("store.url must start with jdbc:postgresql://");
        }
        if (url.toLowerCase(java.util.Locale.ROOT).contains("password=")) {
            throw new IllegalArgumentException("store.url must not hold the password: use store.password (env:NAME or file:/path)");
        }
        if (user == null || user.isBlank()) {
            throw new IllegalArgumentException("store.user is required for the postgresql store");
        }
        if (password == null) {
            throw new IllegalArgumentException("store.password is required for the postgresql store (env:NAME or file:/path)");
        }
        if (poolSize < 1 || poolSize > 64) {
            throw new IllegalArgumentException("store.pool-size must be 1..64");
        }
        if (connectionTimeout.toMillis() < 250) {
            throw new IllegalArgumentException("the connection timeout must be at least 250 ms");
        }
        if (socketTimeout.toSeconds() < 1) {
            throw new IllegalArgumentException("the socket timeout must be at least 1 s");
        }
        applicationName = applicationName == null ? "kekvault" : applicationName;
    }

    /** Default pool size and timeouts. */
    public static PostgresStoreConfig of(String url, String user, PasswordSource password) {
        return new PostgresStoreConfig(url, user, password, DEFAULT_POOL_SIZE, DEFAULT_CONNECTION_TIMEOUT,
                DEFAULT_SOCKET_TIMEOUT, "kekvault");
    }

    public PostgresStoreConfig withPoolSize(int size) {
        return new PostgresStoreConfig(url, user, password, size, connectionTimeout, socketTimeout, applicationName);
    }

    public PostgresStoreConfig withTimeouts(Duration connection, Duration socket) {
        return new PostgresStoreConfig(url, user, password, poolSize, connection, socket, applicationName);
    }

    public PostgresStoreConfig withApplicationName(String name) {
        return new PostgresStoreConfig(url, user, password, poolSize, connectionTimeout, socketTimeout, name);
    }

    /** Never the password: its source only. */
    @Override
    public String toString() {
        return "PostgresStoreConfig[url=" + url + ", user=" + user + ", password=" + password.describe()
                + ", poolSize=" + poolSize + ", connectionTimeout=" + connectionTimeout + ", socketTimeout=" + socketTimeout
                + ", applicationName=" + applicationName + "]";
    }
}
