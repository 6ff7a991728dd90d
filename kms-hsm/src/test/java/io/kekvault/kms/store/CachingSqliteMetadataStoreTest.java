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

    /**
     * A read that was slow (it read before a write and finishes after it) must not leave its older
     * copy to be served once the write has been acknowledged.
     */
    @Test
    void slowReaderFinishingAfterAWrite_doesNotLeaveItsOlderCopyBehind() throws Exception {
        PausingStore pausing = new PausingStore(((CachingMetadataStore) store).delegate());
        CachingMetadataStore cache = new CachingMetadataStore(pausing);
        String id = newId();
        cache.insert(sample(id));
        pausing.pauseNextGet();
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<KeyRecord> slow = pool.submit(() -> cache.get(id).orElseThrow());
            assertThat(pausing.paused.await(30, TimeUnit.SECONDS)).isTrue();
            KeyRecord written = cache.modify(id, k -> k.toBuilder().state(KeyState.ACTIVE).build());
            pausing.release.countDown();
            assertThat(slow.get(30, TimeUnit.SECONDS).state()).as("the slow read returns what it read").isEqualTo(KeyState.PRE_ACTIVE);
            assertThat(cache.get(id).orElseThrow()).as("but it is never served after the write").isEqualTo(written);
        } finally {
            pool.shutdown();
        }
    }

    /** Forwards to a store; the next get() reads, then waits to be released before it returns. */
    static final class PausingStore implements MetadataStore {
        private final MetadataStore d;
        private volatile boolean pauseNext;
        final java.util.concurrent.CountDownLatch paused = new java.util.concurrent.CountDownLatch(1);
        final java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);

        PausingStore(MetadataStore d) {
            this.d = d;
        }

        void pauseNextGet() {
            pauseNext = true;
        }

        @Override
        public java.util.Optional<KeyRecord> get(String id) throws io.kekvault.kmip.error.UnavailableException {
            java.util.Optional<KeyRecord> r = d.get(id);
            if (pauseNext) {
                pauseNext = false;
                paused.countDown();
                try {
                    release.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return r;
        }

        @Override
        public KeyRecord insert(KeyRecord r) throws io.kekvault.kmip.error.ConflictException,
                io.kekvault.kmip.error.InvalidRequestException, io.kekvault.kmip.error.UnavailableException {
            return d.insert(r);
        }

        @Override
        public KeyRecord update(KeyRecord r) throws io.kekvault.kmip.error.NotFoundException, io.kekvault.kmip.error.ConflictException,
                io.kekvault.kmip.error.InvalidRequestException, io.kekvault.kmip.error.UnavailableException {
            return d.update(r);
        }

        @Override
        public void delete(String id, long v) throws io.kekvault.kmip.error.NotFoundException, io.kekvault.kmip.error.ConflictException,
                io.kekvault.kmip.error.UnavailableException {
            d.delete(id, v);
        }

        @Override
        public Page<KeyRecord> list(KeyFilter f, String c, int n) throws io.kekvault.kmip.error.InvalidRequestException,
                io.kekvault.kmip.error.UnavailableException {
            return d.list(f, c, n);
        }

        @Override
        public List<String> locate(KeyFilter f, int o, int m) throws io.kekvault.kmip.error.InvalidRequestException,
                io.kekvault.kmip.error.UnavailableException {
            return d.locate(f, o, m);
        }

        @Override
        public Grant putGrant(Grant g) throws io.kekvault.kmip.error.NotFoundException,
                io.kekvault.kmip.error.InvalidRequestException, io.kekvault.kmip.error.UnavailableException {
            return d.putGrant(g);
        }

        @Override
        public boolean revokeGrant(String k, String i) throws io.kekvault.kmip.error.UnavailableException {
            return d.revokeGrant(k, i);
        }

        @Override
        public java.util.Optional<Grant> grant(String k, String i) throws io.kekvault.kmip.error.UnavailableException {
            return d.grant(k, i);
        }

        @Override
        public List<Grant> grants(String k) throws io.kekvault.kmip.error.UnavailableException {
            return d.grants(k);
        }

        @Override
        public List<KeyRecord> commit(WriteBatch b) throws io.kekvault.kmip.error.KmsException {
            return d.commit(b);
        }

        @Override
        public void ping() throws io.kekvault.kmip.error.UnavailableException {
            d.ping();
        }

        @Override
        public void close() {
            // the test's store closes the real one
        }
    }
}
