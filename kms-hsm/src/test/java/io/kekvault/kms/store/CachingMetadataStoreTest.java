package io.kekvault.kms.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The record cache in front of the embedded store: the whole store contract holds through it, and
 * a reader racing with writers never keeps an older record once the writers are done.
 */
class CachingMetadataStoreTest extends MetadataStoreContract {

    @TempDir
    Path tmp;
    private MetadataStore inner;

    private Path dir() {
        return tmp.resolve("store");
    }

    @Override
    protected MetadataStore newStore() throws Exception {
        inner = SqliteMetadataStore.open(SqliteStoreConfig.of(dir().resolve("kms.db"))
                .withTimeouts(Duration.ofMillis(250), Duration.ofMillis(250)));
        return new CachingMetadataStore(inner);
    }

    @Override
    protected Outage startOutage(MetadataStore s) throws Exception {
        Path away = tmp.resolve("store-away");
        Files.move(dir(), away);
        ((JdbcMetadataStore) inner).evictConnections();
        return () -> Files.move(away, dir());
    }

    @Test
    void readersRacingWriters_endWithTheLastWrite() throws Exception {
        KeyRecord k = store.insert(sample(newId()));
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> readers = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            readers.add(Thread.ofPlatform().start(() -> {
                try {
                    long last = 0;
                    while (!stop.get()) {
                        long v = store.get(k.id()).orElseThrow().version();
                        if (v < last) {
                            throw new AssertionError("a reader went back from version " + last + " to " + v);
                        }
                        last = v;
                    }
                } catch (Throwable t) {
                    failure.set(t);
                }
            }));
        }
        int writes = 200;
        for (int i = 0; i < writes; i++) {
            store.modify(k.id(), cur -> cur.toBuilder().usageMask(cur.usageMask() + 1).build());
        }
        stop.set(true);
        for (Thread t : readers) {
            t.join(30_000);
        }
        assertThat(failure.get()).isNull();
        KeyRecord last = store.get(k.id()).orElseThrow();
        assertThat(last.usageMask()).isEqualTo(k.usageMask() + writes);
        assertThat(last).isEqualTo(inner.get(k.id()).orElseThrow());
    }
}
