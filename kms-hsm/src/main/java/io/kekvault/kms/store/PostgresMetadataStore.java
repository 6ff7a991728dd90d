package io.kekvault.kms.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.kekvault.kmip.error.UnavailableException;
import org.flywaydb.core.api.FlywayException;
import org.postgresql.ds.PGSimpleDataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.Arrays;

/**
 * The shared {@link MetadataStore}: one PostgreSQL database that several KMS nodes use at once.
 *
 * <p>Same schema and migrations as the embedded store (Flyway, {@code io/kekvault/kms/store/migration});
 * nodes starting together migrate safely, Flyway serializing them on a PostgreSQL advisory lock.
 * Durability is the database's: a write is acknowledged after PostgreSQL committed it (keep
 * {@code synchronous_commit} on, and a synchronous standby for HA). Cross-node correctness comes
 * from the database too: compare-and-set updates, unique identifiers and names, all-or-nothing
 * batches (see {@link JdbcMetadataStore}).
 *
 * <p>Outages: every call waits at most {@link PostgresStoreConfig#connectionTimeout()} for a
 * connection, then fails with {@link UnavailableException}; broken connections are dropped and
 * the pools reconnect by themselves when the database is back, without a restart.
 */
public final class PostgresMetadataStore {
    private static final Logger log = LoggerFactory.getLogger(PostgresMetadataStore.class);

    private PostgresMetadataStore() {
    }

    /**
     * Connects, migrates the schema, opens the pools and returns the store.
     *
     * @throws UnavailableException if the database cannot be reached, refuses the login, or the
     *         migration fails (the detail goes to the log, never the password)
     */
    public static MetadataStore open(PostgresStoreConfig config) throws UnavailableException {
        String name = "postgresql:" + describe(config.url());
        DataSource ds;
        try {
            ds = dataSource(config);
        } catch (SQLException | RuntimeException e) {
            log.error("store_open_failed store={} error={}", name, e.toString());
            throw new UnavailableException("metadata store unavailable: invalid database URL", e);
        }
        try {
            StoreMigrations.migrate(ds, name);
        } catch (FlywayException e) {
            log.error("store_open_failed store={} user={} password={} error={}", name, config.user(),
                    config.password().describe(), rootCause(e));
            throw new UnavailableException("metadata store unavailable: cannot connect to or migrate the database", e);
        }
        HikariDataSource writer = null;
        try {
            writer = pool(name + "-writer", ds, config, false);
            HikariDataSource reader = pool(name + "-reader", ds, config, true);
            log.info("store_opened store={} user={} password={} pool_size={} connection_timeout_ms={} application={}",
                    name, config.user(), config.password().describe(), config.poolSize(),
                    config.connectionTimeout().toMillis(), config.applicationName());
            return new JdbcMetadataStore(name, writer, reader, PostgresDialect.INSTANCE);
        } catch (RuntimeException e) {
            if (writer != null) {
                writer.close();
            }
            log.error("store_open_failed store={} error={}", name, rootCause(e));
            throw new UnavailableException("metadata store unavailable: cannot open connections", e);
        }
    }

    private static DataSource dataSource(PostgresStoreConfig config) throws SQLException {
        PGSimpleDataSource pg = new PGSimpleDataSource();
        pg.setUrl(config.url());
        pg.setConnectTimeout((int) Math.max(1, config.connectionTimeout().toSeconds()));
        pg.setSocketTimeout((int) Math.max(1, config.socketTimeout().toSeconds()));
        pg.setTcpKeepAlive(true);
        pg.setApplicationName(config.applicationName());
        // One multi-row INSERT for a record's attribute rows instead of one round trip each.
        pg.setReWriteBatchedInserts(true);
        return new PasswordDataSource(pg, config.user(), config.password());
    }

    private static HikariDataSource pool(String poolName, DataSource ds, PostgresStoreConfig config, boolean autoCommit) {
        HikariConfig h = new HikariConfig();
        h.setPoolName(poolName);
        h.setDataSource(ds);
        h.setMaximumPoolSize(config.poolSize());
        h.setMinimumIdle(Math.min(2, config.poolSize()));
        h.setAutoCommit(autoCommit);
        h.setConnectionTimeout(config.connectionTimeout().toMillis());
        h.setValidationTimeout(Math.max(250, Math.min(5000, config.connectionTimeout().toMillis() - 1)));
        // Idle connections are probed, so one the database dropped is found before a request needs it.
        h.setKeepaliveTime(60_000);
        return new HikariDataSource(h);
    }

    /** host:port/database of the URL, without its options. */
    static String describe(String url) {
        String s = url.substring("jdbc:postgresql://".length());
        int q = s.indexOf('?');
        return q < 0 ? s : s.substring(0, q);
    }

    private static String rootCause(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        return c == t ? t.toString() : t.getClass().getSimpleName() + " caused by " + c;
    }

    /**
     * Reads the password from its source for each new physical connection (pool growth,
     * reconnects after an outage), so a rotated password file is picked up and no password lives
     * in the pool's configuration.
     */
    private static final class PasswordDataSource implements DataSource {
        private final PGSimpleDataSource pg;
        private final String user;
        private final PasswordSource password;

        PasswordDataSource(PGSimpleDataSource pg, String user, PasswordSource password) {
            this.pg = pg;
            this.user = user;
            this.password = password;
        }

        @Override
        public Connection getConnection() throws SQLException {
            char[] pw;
            try {
                pw = password.read();
            } catch (IllegalStateException e) {
                throw new SQLException(e.getMessage(), "28P01");
            }
            try {
                return pg.getConnection(user, new String(pw));
            } finally {
                Arrays.fill(pw, '\0');
            }
        }

        @Override
        public Connection getConnection(String username, String pass) throws SQLException {
            throw new SQLFeatureNotSupportedException("credentials come from the store configuration");
        }

        @Override
        public PrintWriter getLogWriter() throws SQLException {
            return pg.getLogWriter();
        }

        @Override
        public void setLogWriter(PrintWriter out) throws SQLException {
            pg.setLogWriter(out);
        }

        @Override
        public void setLoginTimeout(int seconds) throws SQLException {
            pg.setLoginTimeout(seconds);
        }

        @Override
        public int getLoginTimeout() throws SQLException {
            return pg.getLoginTimeout();
        }

        @Override
        public java.util.logging.Logger getParentLogger() throws SQLFeatureNotSupportedException {
            return pg.getParentLogger();
        }

        @Override
        public <T> T unwrap(Class<T> iface) throws SQLException {
            if (iface.isInstance(this)) {
                return iface.cast(this);
            }
            throw new SQLException("not a wrapper for " + iface.getName());
        }

        @Override
        public boolean isWrapperFor(Class<?> iface) {
            return iface.isInstance(this);
        }
    }
}
