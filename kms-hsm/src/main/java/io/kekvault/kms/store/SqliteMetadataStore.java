package io.kekvault.kms.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.kekvault.kmip.error.UnavailableException;
import org.flywaydb.core.api.FlywayException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;
import org.sqlite.SQLiteOpenMode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The embedded {@link MetadataStore}: one SQLite file, for a single KMS node.
 *
 * <p>Durability: WAL journal with {@code synchronous=FULL}, so the WAL is fsynced at every commit
 * and an acknowledged write survives {@code kill -9} and power loss. Writes are serialized on one
 * pooled connection (SQLite admits one writer at a time; a single connection queues writers in
 * the pool instead of letting them spin on the file lock); reads use a pool of query-only
 * connections that run alongside the writer.
 *
 * <p>Several KMS nodes must not share one SQLite file: they would be correct (SQLite locks) but
 * slow and prone to busy errors. Use the PostgreSQL store for several nodes.
 */
public final class SqliteMetadataStore {
    private static final Logger log = LoggerFactory.getLogger(SqliteMetadataStore.class);

    private SqliteMetadataStore() {
    }

    /**
     * Opens (creating if needed) and migrates the database, then returns the store.
     *
     * @throws UnavailableException if the file cannot be opened or migrated (detail in the log)
     */
    public static MetadataStore open(SqliteStoreConfig config) throws UnavailableException {
        Path file = config.databaseFile().toAbsolutePath().normalize();
        String name = "sqlite:" + file.getFileName();
        String url = "jdbc:sqlite:" + file;
        try {
            Files.createDirectories(file.getParent());
        } catch (IOException e) {
            log.error("store_open_failed store={} path={} error={}", name, file, e.toString());
            throw new UnavailableException("metadata store unavailable: cannot create its directory", e);
        }

        SQLiteDataSource creating = new SQLiteDataSource(connectionConfig(config, true));
        creating.setUrl(url);
        try {
            StoreMigrations.migrate(creating, name);
            checkJournalMode(creating, name);
        } catch (FlywayException | SQLException e) {
            log.error("store_open_failed store={} path={} error={}", name, file, e.toString());
            throw new UnavailableException("metadata store unavailable: cannot open or migrate the database", e);
        }

        // Pooled connections never create the file: if it vanished, fail instead of starting empty.
        SQLiteDataSource existing = new SQLiteDataSource(connectionConfig(config, false));
        existing.setUrl(url);
        HikariDataSource writer = null;
        try {
            writer = pool(name + "-writer", existing, 1, false, null, config);
            HikariDataSource reader = pool(name + "-reader", existing, config.readerPoolSize(), true,
                    "PRAGMA query_only = 1", config);
            log.info("store_opened store={} path={} readers={} journal=wal synchronous=full", name, file, config.readerPoolSize());
            return new JdbcMetadataStore(name, writer, reader, SqliteDialect.INSTANCE);
        } catch (RuntimeException e) {
            if (writer != null) {
                writer.close();
            }
            log.error("store_open_failed store={} path={} error={}", name, file, e.toString());
            throw new UnavailableException("metadata store unavailable: cannot open connections", e);
        }
    }

    private static SQLiteConfig connectionConfig(SqliteStoreConfig config, boolean create) {
        SQLiteConfig c = new SQLiteConfig();
        c.setJournalMode(SQLiteConfig.JournalMode.WAL);
        c.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
        c.enforceForeignKeys(true);
        c.setBusyTimeout((int) Math.min(Integer.MAX_VALUE, config.busyTimeout().toMillis()));
        // DEFERRED: the driver begins the next transaction right after each commit; an IMMEDIATE
        // one would hold the write lock while the connection sits idle in the pool.
        c.setTransactionMode(SQLiteConfig.TransactionMode.DEFERRED);
        if (!create) {
            c.resetOpenMode(SQLiteOpenMode.CREATE);
        }
        return c;
    }

    private static HikariDataSource pool(String poolName, SQLiteDataSource ds, int size, boolean autoCommit,
                                         String initSql, SqliteStoreConfig config) {
        HikariConfig h = new HikariConfig();
        h.setPoolName(poolName);
        h.setDataSource(ds);
        h.setMaximumPoolSize(size);
        h.setMinimumIdle(size);
        h.setAutoCommit(autoCommit);
        h.setConnectionTimeout(config.connectionTimeout().toMillis());
        h.setValidationTimeout(Math.max(250, Math.min(5000, config.connectionTimeout().toMillis() - 1)));
        if (initSql != null) {
            h.setConnectionInitSql(initSql);
        }
        return new HikariDataSource(h);
    }

    private static void checkJournalMode(SQLiteDataSource ds, String name) throws SQLException {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("PRAGMA journal_mode")) {
            String mode = rs.next() ? rs.getString(1) : "unknown";
            if (!"wal".equalsIgnoreCase(mode)) {
                throw new SQLException("journal mode is " + mode + ", expected wal (file system without shared memory?)");
            }
            log.debug("store_journal store={} mode={}", name, mode);
        }
    }
}
