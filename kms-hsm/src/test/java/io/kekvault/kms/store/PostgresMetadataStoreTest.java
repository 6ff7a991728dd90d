package io.kekvault.kms.store;

import io.kekvault.kmip.error.ConflictException;
import io.kekvault.kmip.error.InvalidRequestException;
import io.kekvault.kmip.error.ResultReason;
import io.kekvault.kmip.error.UnavailableException;
import io.kekvault.kms.dev.PostgresDatabase;
import io.kekvault.kms.testkit.PostgresExtension;
import io.kekvault.kms.dev.PostgresServer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The store contract on a real PostgreSQL server (a fresh database per test), plus what only a
 * shared database has: several stores (KMS nodes) on one database, byte-order listing under a
 * linguistic collation, values PostgreSQL refuses, and outages made with {@code pg_ctl stop}.
 */
@ExtendWith(PostgresExtension.class)
class PostgresMetadataStoreTest extends MetadataStoreContract {
    private static PostgresServer server;
    private PostgresDatabase db;

    @BeforeAll
    static void server(PostgresServer s) {
        server = s;
    }

    @Override
    protected MetadataStore newStore() throws Exception {
        db = server.createDatabase("contract");
        return PostgresMetadataStore.open(db.storeConfig());
    }

    /** The server is stopped cleanly (pg_ctl stop -m fast); the outage ends when it is started again. */
    @Override
    protected Outage startOutage(MetadataStore s) throws Exception {
        server.stop(PostgresServer.StopMode.FAST);
        return server::start;
    }

    @Test
    void outage_unavailableMessageIsClearAndNamesNoDatabaseDetail() throws Exception {
        KeyRecord before = store.insert(sample(newId()));
        try (Outage o = startOutage(store)) {
            assertThatThrownBy(() -> store.get(before.id()))
                    .isInstanceOfSatisfying(UnavailableException.class, e -> {
                        assertThat(e.getMessage()).matches("metadata store unavailable, retry later \\(ref=[0-9a-f]{8}\\)");
                        assertThat(e.getMessage()).doesNotContain("127.0.0.1").doesNotContain(db.name());
                        assertThat(e.getCause()).as("the cause is kept for the server log").isNotNull();
                    });
        }
        await(Duration.ofSeconds(30), this::pingOk);
        assertThat(store.get(before.id())).isPresent();
    }

    @Test
    void connectionLostDuringTheCommit_isCommitOutcomeUnknown_andAFailureBeforeTheCommitIsNot() throws Exception {
        // A deferred constraint trigger runs at COMMIT: it holds the commit until its backend is killed.
        try (var c = server.admin(db.name()); var s = c.createStatement()) {
            s.execute("CREATE FUNCTION kv_slow_commit() RETURNS trigger LANGUAGE plpgsql AS "
                    + "$$ BEGIN PERFORM pg_sleep(60); RETURN NULL; END $$");
            s.execute("CREATE CONSTRAINT TRIGGER kv_slow_commit AFTER INSERT ON kms_key DEFERRABLE INITIALLY DEFERRED "
                    + "FOR EACH ROW EXECUTE FUNCTION kv_slow_commit()");
        }
        String id = newId();
        var insert = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                store.insert(sample(id));
                return (Throwable) null;
            } catch (Throwable t) {
                return t;
            }
        });
        String sleeping = "FROM pg_stat_activity WHERE wait_event = 'PgSleep' AND datname = '" + db.name() + "'";
        await(Duration.ofSeconds(30), () -> "1".equals(query("SELECT COUNT(*) " + sleeping)));
        query("SELECT pg_terminate_backend(pid) " + sleeping);
        Throwable failure = insert.get(30, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(failure).isInstanceOf(CommitOutcomeUnknownException.class);
        assertThat(failure.getMessage()).startsWith("metadata store unavailable, retry later (ref=");
        try (var c = server.admin(db.name()); var s = c.createStatement()) {
            s.execute("DROP TRIGGER kv_slow_commit ON kms_key");
        }
        assertThat(store.get(id)).as("this commit was cut before it applied").isEmpty();

        // a write that fails before its commit is plainly unavailable: nothing was written
        server.stop(PostgresServer.StopMode.FAST);
        try {
            assertThatThrownBy(() -> store.insert(sample(newId())))
                    .isInstanceOf(UnavailableException.class).isNotInstanceOf(CommitOutcomeUnknownException.class);
        } finally {
            server.start();
        }
    }

    private String query(String sql) {
        try {
            return server.query("postgres", sql);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void crashOfTheServer_isUnavailable_thenRecoversWithEveryCommittedWrite() throws Exception {
        List<KeyRecord> written = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            written.add(store.insert(full(newId())));
        }
        store.putGrant(Grant.of(written.getFirst().id(), "esxi-h1", Permission.UNWRAP));
        server.stop(PostgresServer.StopMode.IMMEDIATE);
        try {
            assertUnavailable(() -> store.insert(sample(newId())));
            assertUnavailable(() -> store.ping());
        } finally {
            server.start();
        }
        await(Duration.ofSeconds(30), this::pingOk);
        for (KeyRecord r : written) {
            assertThat(store.get(r.id())).contains(r);
        }
        assertThat(store.grant(written.getFirst().id(), "esxi-h1")).isPresent();
    }

    @Test
    void open_whileTheServerIsDown_isUnavailableWithinTheTimeout() throws Exception {
        PostgresDatabase other = server.createDatabase("down");
        server.stop(PostgresServer.StopMode.FAST);
        try {
            long start = System.nanoTime();
            assertUnavailable(() -> PostgresMetadataStore.open(other.storeConfig()).close());
            System.out.println("open while down failed after " + Duration.ofNanos(System.nanoTime() - start).toMillis() + " ms");
        } finally {
            server.start();
        }
        try (MetadataStore s = PostgresMetadataStore.open(other.storeConfig())) {
            s.ping();
        }
    }

    @Test
    void open_withAWrongPassword_isUnavailableAndNeverShowsThePassword() throws Exception {
        PostgresDatabase other = server.createDatabase("badpw");
        String right = Files.readString(other.passwordFile()).trim();
        Files.writeString(other.passwordFile(), "not-the-password-" + right.substring(0, 4) + "\n");
        assertThatThrownBy(() -> PostgresMetadataStore.open(other.storeConfig()))
                .isInstanceOfSatisfying(UnavailableException.class, e -> {
                    assertThat(e.getMessage()).startsWith("metadata store unavailable");
                    assertThat(e.getMessage()).doesNotContain(right).doesNotContain("not-the-password");
                });
        Files.writeString(other.passwordFile(), right + "\n");
        try (MetadataStore s = PostgresMetadataStore.open(other.storeConfig())) {
            s.ping();
        }
    }

    @Test
    void passwordRotation_newConnectionsReadTheNewPasswordFile() throws Exception {
        KeyRecord r = store.insert(sample(newId()));
        String rotated = "rotated-" + Long.toHexString(random.nextLong());
        try (var c = server.admin("postgres"); var s = c.createStatement()) {
            s.execute("ALTER ROLE " + db.user() + " PASSWORD '" + rotated + "'");
        }
        Files.writeString(db.passwordFile(), rotated + "\n");
        ((JdbcMetadataStore) store).evictConnections();
        assertThat(store.get(r.id())).isPresent();
        store.insert(sample(newId()));
    }

    @Test
    void config_refusesAPasswordInTheUrlAndAMissingUser() {
        assertThatThrownBy(() -> PostgresStoreConfig.of(db.jdbcUrl() + "?password=x", db.user(),
                new PasswordSource.File(db.passwordFile()))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageNotContaining("=x");
        assertThatThrownBy(() -> PostgresStoreConfig.of(db.jdbcUrl(), " ", new PasswordSource.File(db.passwordFile())))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PostgresStoreConfig.of("jdbc:sqlite:/tmp/x", db.user(), new PasswordSource.File(db.passwordFile())))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(db.storeConfig().toString()).contains("file:").doesNotContain(readPassword());
    }

    private String readPassword() {
        try {
            return Files.readString(db.passwordFile()).trim();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void listing_isByteOrderEvenWhereTheDatabaseCollationIsLinguistic() throws Exception {
        assertThat(server.linguisticCollation()).as("the test cluster uses an ICU collation").isTrue();
        assertThat(server.query(db.name(), "SELECT 'B' < 'a'")).as("linguistic: a sorts before B").isEqualTo("f");
        List<String> ids = new ArrayList<>(List.of("a-" + newId(), "B-" + newId(), "_-" + newId(), "Z-" + newId(),
                "b-" + newId(), "0-" + newId(), "é-" + newId(), "~-" + newId()));
        for (String id : ids) {
            store.insert(sample(id));
        }
        ids.sort(Comparator.comparing(s -> s.getBytes(StandardCharsets.UTF_8), Arrays::compareUnsigned));
        List<String> paged = new ArrayList<>();
        String cursor = null;
        do {
            Page<KeyRecord> p = store.list(KeyFilter.all(), cursor, 3);
            p.items().forEach(k -> paged.add(k.id()));
            cursor = p.nextCursor();
        } while (cursor != null);
        assertThat(paged).containsExactlyElementsOf(ids);
        assertThat(store.locate(KeyFilter.all(), 2, 4)).containsExactlyElementsOf(ids.subList(2, 6));
    }

    @Test
    void aValueThePostgresCannotStore_isInvalidRequest_notAnOutage() throws Exception {
        KeyRecord r = store.insert(sample(newId()));
        assertThatThrownBy(() -> store.update(r.toBuilder().revocationMessage("nul \u0000 inside").build()))
                .isInstanceOfSatisfying(InvalidRequestException.class,
                        e -> assertThat(e.getMessage()).doesNotContainIgnoringCase("sql").doesNotContain("kms_key"));
        assertThat(store.get(r.id())).contains(r);
        // lookups by values no record can hold match nothing instead of failing
        assertThat(store.get("nul\u0000id")).isEmpty();
        assertThat(store.grant(r.id(), "esxi\u0000")).isEmpty();
        assertThat(store.locate(KeyFilter.builder().name("n\u0000").build(), 0, 10)).isEmpty();
        assertThat(store.list(KeyFilter.builder().visibleTo("x\u0000").build(), null, 10).items()).isEmpty();
        String nulCursor = java.util.Base64.getUrlEncoder().withoutPadding()
                .encodeToString("k1:\u0000".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> store.list(KeyFilter.all(), nulCursor, 10)).isInstanceOf(InvalidRequestException.class);
        store.ping();
    }

    // ------------------------------------------------------------------ several nodes on one database

    @Test
    void severalStoresOpeningAFreshDatabaseAtOnce_migrateItExactlyOnce() throws Exception {
        PostgresDatabase fresh = server.createDatabase("race");
        int nodes = 4;
        CountDownLatch go = new CountDownLatch(1);
        List<MetadataStore> opened = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(nodes)) {
            List<Future<MetadataStore>> fs = new ArrayList<>();
            for (int i = 0; i < nodes; i++) {
                fs.add(pool.submit(() -> {
                    go.await();
                    return PostgresMetadataStore.open(fresh.storeConfig());
                }));
            }
            go.countDown();
            for (Future<MetadataStore> f : fs) {
                opened.add(f.get());
            }
        }
        try {
            assertThat(server.query(fresh.name(), "SELECT COUNT(*) FROM " + StoreMigrations.HISTORY_TABLE + " WHERE success"))
                    .isEqualTo("1");
            KeyRecord r = opened.get(0).insert(full(newId()));
            for (MetadataStore s : opened) {
                assertThat(s.get(r.id())).contains(r);
            }
        } finally {
            opened.forEach(MetadataStore::close);
        }
    }

    @Test
    void twoStoresOnOneDatabase_compareAndSetAcrossThem_exactlyOneWins() throws Exception {
        try (MetadataStore other = PostgresMetadataStore.open(db.storeConfig())) {
            KeyRecord v1 = store.insert(sample(newId()));
            KeyRecord won = other.update(v1.toBuilder().state(KeyState.ACTIVE).build());
            assertThatThrownBy(() -> store.update(v1.toBuilder().state(KeyState.DEACTIVATED).build()))
                    .satisfies(e -> assertThat(MetadataStore.isVersionConflict(e)).isTrue());
            assertThat(store.get(v1.id())).contains(won);
            other.putGrant(Grant.of(v1.id(), "esxi-h1", Permission.WRAP));
            assertThat(store.grant(v1.id(), "esxi-h1")).isPresent();
            assertThat(store.revokeGrant(v1.id(), "esxi-h1")).isTrue();
            assertThat(other.grant(v1.id(), "esxi-h1")).isEmpty();
        }
    }

    @Test
    void twoStoresInsertingTheSameNamesConcurrently_eachNameIsTakenExactlyOnce() throws Exception {
        int names = 40;
        try (MetadataStore other = PostgresMetadataStore.open(db.storeConfig());
             ExecutorService pool = Executors.newFixedThreadPool(4)) {
            ConcurrentHashMap<String, String> owners = new ConcurrentHashMap<>();
            AtomicInteger refused = new AtomicInteger();
            List<Future<?>> fs = new ArrayList<>();
            CountDownLatch go = new CountDownLatch(1);
            for (int t = 0; t < 4; t++) {
                MetadataStore s = t % 2 == 0 ? store : other;
                long threadSeed = random.nextLong();
                fs.add(pool.submit(() -> {
                    go.await();
                    java.util.Random r = new java.util.Random(threadSeed);
                    for (int i = 0; i < names; i++) {
                        String id = new java.util.UUID(r.nextLong(), r.nextLong()).toString();
                        try {
                            s.insert(sample(id).toBuilder().addName("vm-" + i).build());
                            assertThat(owners.putIfAbsent("vm-" + i, id)).isNull();
                        } catch (ConflictException e) {
                            assertThat(e.reason()).isEqualTo(ResultReason.NON_UNIQUE_NAME_ATTRIBUTE);
                            refused.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : fs) {
                f.get();
            }
            assertThat(owners).hasSize(names);
            assertThat(refused.get()).isEqualTo(3 * names);
            for (int i = 0; i < names; i++) {
                assertThat(other.locate(KeyFilter.builder().name("vm-" + i).build(), 0, 10)).containsExactly(owners.get("vm-" + i));
            }
            assertThat(server.query(db.name(), "SELECT COUNT(*) FROM kms_key")).isEqualTo(String.valueOf(names));
        }
    }

    private boolean pingOk() {
        try {
            store.ping();
            return true;
        } catch (UnavailableException e) {
            return false;
        }
    }
}
