package io.kekvault.bridge.store;

import io.kekvault.kmip.error.KmsException;
import io.kekvault.kmip.error.UnavailableException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.locks.ReentrantLock;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/**
 * The bridge's embedded database: one SQLite file, migrated by Flyway at open.
 *
 * <p>Guarantees: every change runs in one transaction ({@link #tx}) that is either committed as a
 * whole or not at all (WAL journal, {@code synchronous=FULL}: a committed change survives
 * {@code kill -9} and power loss); foreign keys are enforced. The bridge's load is a few
 * operators, so one connection serialized by a lock is enough and keeps SQLite free of busy
 * errors.
 */
public final class Database implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Database.class);
    static final String MIGRATIONS = "classpath:io/kekvault/bridge/store/migration";

    /** Work on the connection inside a transaction. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Connection c) throws SQLException, KmsException;
    }

    private final Path file;
    private final Connection connection;
    private final ReentrantLock lock = new ReentrantLock();

    private Database(Path file, Connection connection) {
        this.file = file;
        this.connection = connection;
    }

    /** Opens (creating if needed) and migrates the database file. */
    public static Database open(Path file) throws UnavailableException {
        Path abs = file.toAbsolutePath().normalize();
        try {
            Files.createDirectories(abs.getParent());
            SQLiteConfig config = new SQLiteConfig();
            config.setJournalMode(SQLiteConfig.JournalMode.WAL);
            config.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
            config.enforceForeignKeys(true);
            config.setBusyTimeout(10_000);
            SQLiteDataSource ds = new SQLiteDataSource(config);
            ds.setUrl("jdbc:sqlite:" + abs);
            Flyway flyway = Flyway.configure(Database.class.getClassLoader())
                    .dataSource(ds)
                    .locations(MIGRATIONS)
                    .table("bridge_schema_history")
                    .validateMigrationNaming(true)
                    .failOnMissingLocations(true)
                    .load();
            int applied = flyway.migrate().migrationsExecuted;
            Connection c = ds.getConnection();
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                s.execute("PRAGMA foreign_keys = ON");
            }
            c.commit();
            log.info("event=bridge_db_opened path={} migrations_applied={}", abs, applied);
            return new Database(abs, c);
        } catch (IOException | SQLException | FlywayException e) {
            log.error("event=bridge_db_open_failed path={} error={}", abs, e.toString());
            throw new UnavailableException("bridge database unavailable: " + abs.getFileName(), e);
        }
    }

    public Path file() {
        return file;
    }

    /** Runs {@code work} in one transaction; commits on return, rolls back on any exception. */
    public <T> T tx(Work<T> work) throws SQLException, KmsException {
        lock.lock();
        try {
            try {
                T result = work.run(connection);
                connection.commit();
                return result;
            } catch (SQLException | KmsException | RuntimeException | Error e) {
                try {
                    connection.rollback();
                } catch (SQLException r) {
                    e.addSuppressed(r);
                }
                throw e;
            }
        } finally {
            lock.unlock();
        }
    }

    /** As {@link #tx} for read-only work (the same serialization; SQLite reads are fast). */
    public <T> T read(Work<T> work) throws SQLException, KmsException {
        return tx(work);
    }

    @Override
    public void close() {
        lock.lock();
        try {
            connection.close();
        } catch (SQLException e) {
            log.warn("event=bridge_db_close_failed error={}", e.toString());
        } finally {
            lock.unlock();
        }
    }
}
