package io.kekvault.kms.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The whole store contract through the single-node cache, plus reads racing writes. */
class CachingSqliteMetadataStoreTest extends MetadataStoreContract {

    @TempDir
    Path tmp;

    private Path dir() {
        return tmp.resolve("store");
    }

    @Override
    protected MetadataStore newStore() throws Exception {
        return new CachingMetadataStore(SqliteMetadataStore.open(
                SqliteStoreConfig.of(dir().resolve("kms.db")).withTimeouts(Duration.ofMillis(250), Duration.ofMillis(250))));
    }

    @Override
    protected Outage startOutage(MetadataStore s) throws Exception {
        Path away = tmp.resolve("store-away");
        Files.move(dir(), away);
        ((JdbcMetadataStore) ((CachingMetadataStore) s).delegate()).evictConnections();
        return () -> Files.move(away, dir());
    }

    @Test
    void readsRacingWrites_neverSeeAValueOlderThanTheLastCompletedWrite() throws Exception {
        String id = newId();
        store.insert(sample(id));
        store.putGrant(new Grant(id, "esxi-1", Set.of(Permission.WRAP)));
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<?>> readers = new ArrayList<>();
        java.util.concurrent.atomic.AtomicLong lastWritten = new java.util.concurrent.atomic.AtomicLong(1);
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        for (int r = 0; r < 3; r++) {
            readers.add(pool.submit(() -> {
                while (!stop.get()) {
                    long floor = lastWritten.get();
                    long seen = store.get(id).orElseThrow().version();
                    assertThat(seen).isGreaterThanOrEqualTo(floor);
                }
                return null;
            }));
        }
        for (int i = 0; i < 200; i++) {
            int n = i;
            KeyRecord updated = store.modify(id, k -> k.toBuilder().addName("n-" + n + "-" + seed).build());
            lastWritten.set(updated.version());
            boolean grant = i % 2 == 0;
            if (grant) {
                store.revokeGrant(id, "esxi-1");
                assertThat(store.grant(id, "esxi-1")).isEmpty();
            } else {
                store.putGrant(new Grant(id, "esxi-1", Set.of(Permission.UNWRAP)));
                assertThat(store.grant(id, "esxi-1").orElseThrow().allows(Permission.UNWRAP)).isTrue();
            }
        }
        stop.set(true);
        for (Future<?> f : readers) {
            f.get(60, TimeUnit.SECONDS);
        }
        pool.shutdown();
        assertThat(store.get(id).orElseThrow().version()).isEqualTo(lastWritten.get());
    }
}
