package io.kekvault.kms.store;

import io.kekvault.kmip.error.UnavailableException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SqliteMetadataStoreTest extends MetadataStoreContract {

    @TempDir
    Path tmp;

    private Path dir() {
        return tmp.resolve("store");
    }

    private SqliteStoreConfig config() {
        return SqliteStoreConfig.of(dir().resolve("kms.db")).withTimeouts(Duration.ofMillis(250), Duration.ofMillis(250));
    }

    @Override
    protected MetadataStore newStore() throws Exception {
        return SqliteMetadataStore.open(config());
    }

    /** The database's directory disappears (unmounted volume) and pooled connections are dropped. */
    @Override
    protected Outage startOutage(MetadataStore s) throws Exception {
        Path away = tmp.resolve("store-away");
        Files.move(dir(), away);
        ((JdbcMetadataStore) s).evictConnections();
        return () -> Files.move(away, dir());
    }

    @Test
    void diskFull_isUnavailableAndLeavesNoPartialWrite() throws Exception {
        JdbcMetadataStore jdbc = (JdbcMetadataStore) store;
        KeyRecord existing = store.insert(full(newId()));
        // Cap the file at its current size: SQLite then fails every growth with SQLITE_FULL, as on a full disk.
        jdbc.onWriterConnection(c -> {
            try (Statement s = c.createStatement()) {
                long pages;
                try (ResultSet rs = s.executeQuery("PRAGMA page_count")) {
                    rs.next();
                    pages = rs.getLong(1);
                }
                s.execute("PRAGMA max_page_count = " + pages);
            }
            return null;
        });
        KeyRecord.Builder big = sample(newId()).toBuilder().addName("big-one");
        for (int i = 0; i < 200; i++) {
            big.addAttribute(Attribute.text("x-Filler-" + i, "f".repeat(400)));
        }
        KeyRecord bigRecord = big.build();
        assertUnavailable(() -> store.insert(bigRecord));

        jdbc.onWriterConnection(c -> {
            try (Statement s = c.createStatement()) {
                s.execute("PRAGMA max_page_count = 1073741823");
            }
            return null;
        });
        assertThat(store.get(bigRecord.id())).isEmpty();
        assertThat(store.locate(KeyFilter.builder().name("big-one").build(), 0, 10)).isEmpty();
        assertThat(store.get(existing.id())).contains(existing);
        assertThat(store.insert(bigRecord).version()).isEqualTo(1);

        // After SQLite rolled back by itself, the next multi-statement write must still be atomic
        // (a connection left in autocommit would keep the insert of this failing batch).
        String orphan = newId();
        assertThatThrownBy(() -> store.commit(WriteBatch.create()
                .insert(sample(orphan))
                .update(existing.toBuilder().version(existing.version() + 1).build())))
                .satisfies(e -> assertThat(MetadataStore.isVersionConflict(e)).isTrue());
        assertThat(store.get(orphan)).isEmpty();
    }

    @Test
    void reopen_keepsRecordsAndGrantsAndDoesNotReapplyMigrations() throws Exception {
        List<KeyRecord> written = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            written.add(store.insert(full(newId())));
        }
        store.putGrant(Grant.of(written.getFirst().id(), "esxi-h1", Permission.UNWRAP));
        store.close();
        store = SqliteMetadataStore.open(config());
        for (KeyRecord r : written) {
            assertThat(store.get(r.id())).contains(r);
        }
        assertThat(store.grant(written.getFirst().id(), "esxi-h1")).isPresent();
        store.close();
        store = null;
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + config().databaseFile());
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT version, success FROM " + StoreMigrations.HISTORY_TABLE + " ORDER BY installed_rank")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("1");
            assertThat(rs.getBoolean(2)).isTrue();
            assertThat(rs.next()).as("one migration, applied once").isFalse();
        }
    }

    @Test
    void open_setsWalJournalAndFullSynchronousOnEveryConnection() throws Exception {
        JdbcMetadataStore jdbc = (JdbcMetadataStore) store;
        jdbc.onWriterConnection(c -> {
            try (Statement s = c.createStatement()) {
                try (ResultSet rs = s.executeQuery("PRAGMA journal_mode")) {
                    rs.next();
                    assertThat(rs.getString(1)).isEqualToIgnoringCase("wal");
                }
                try (ResultSet rs = s.executeQuery("PRAGMA synchronous")) {
                    rs.next();
                    assertThat(rs.getInt(1)).as("2 = FULL").isEqualTo(2);
                }
                try (ResultSet rs = s.executeQuery("PRAGMA foreign_keys")) {
                    rs.next();
                    assertThat(rs.getInt(1)).isEqualTo(1);
                }
            }
            return null;
        });
    }

    @Test
    void open_whenTheDatabaseCannotBeCreated_isUnavailable() throws Exception {
        Path blocker = tmp.resolve("a-file");
        Files.writeString(blocker, "not a directory");
        assertUnavailable(() -> SqliteMetadataStore.open(SqliteStoreConfig.of(blocker.resolve("kms.db"))));
    }

    @Test
    void open_onAFileThatIsNotADatabase_isUnavailable() throws Exception {
        Path bogus = tmp.resolve("bogus.db");
        Files.write(bogus, new byte[8192]);
        Files.writeString(bogus, "garbage garbage garbage garbage garbage garbage");
        assertUnavailable(() -> SqliteMetadataStore.open(SqliteStoreConfig.of(bogus)));
    }

    @Test
    void outage_unavailableExceptionCarriesTheCauseForTheServerLog() throws Exception {
        try (Outage o = startOutage(store)) {
            try {
                store.get(newId());
            } catch (UnavailableException e) {
                assertThat(e.getCause()).isNotNull();
                return;
            }
        }
        throw new AssertionError("expected UnavailableException");
    }
}
