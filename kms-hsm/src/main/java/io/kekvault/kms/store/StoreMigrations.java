package io.kekvault.kms.store;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;

/**
 * Versioned schema migrations (Flyway), shared by every database: the scripts under
 * {@code io/kekvault/kms/store/migration} are written in the common subset of SQLite and
 * PostgreSQL. Flyway checksums applied scripts, so an edited script is refused at start-up. On
 * PostgreSQL, Flyway holds an advisory lock while it migrates, so nodes starting together
 * migrate one after the other (the others find the schema current).
 */
final class StoreMigrations {
    static final String LOCATION = "classpath:io/kekvault/kms/store/migration";
    static final String HISTORY_TABLE = "kms_schema_history";
    private static final Logger log = LoggerFactory.getLogger(StoreMigrations.class);

    private StoreMigrations() {
    }

    /** Brings the schema to the latest version; returns that version. */
    static String migrate(DataSource ds, String storeName) {
        Flyway flyway = Flyway.configure(StoreMigrations.class.getClassLoader())
                .dataSource(ds)
                .locations(LOCATION)
                .table(HISTORY_TABLE)
                .validateMigrationNaming(true)
                .failOnMissingLocations(true)
                .load();
        MigrateResult result = flyway.migrate();
        String version = flyway.info().current() == null ? "none" : flyway.info().current().getVersion().getVersion();
        log.info("store_schema store={} version={} applied_now={}", storeName, version, result.migrationsExecuted);
        return version;
    }
}
