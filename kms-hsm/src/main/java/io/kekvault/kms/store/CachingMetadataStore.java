package io.kekvault.kms.store;

import io.kekvault.kmip.error.ConflictException;
import io.kekvault.kmip.error.InvalidRequestException;
import io.kekvault.kmip.error.KmsException;
import io.kekvault.kmip.error.NotFoundException;
import io.kekvault.kmip.error.UnavailableException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Caches key records and grants in front of a store that this process alone writes (the embedded
 * SQLite store of a single node), so the hot paths (wrap/unwrap, KMIP Encrypt) do not query the
 * database on every request. Not for stores shared by several nodes (a write on another node would
 * not be seen).
 *
 * <p>Coherence: each cached value carries the write counter of its key's stripe as it was
 * <em>before</em> the database read, and is served only while that counter is unchanged. Every
 * write goes through this object and bumps the counter of each key it touched after the database
 * has the change and before it returns. So once a write (a revocation, say) has been acknowledged,
 * no reader gets a value read before it, even a slow reader that stores its older copy after the
 * write finished: that copy is tagged with the old counter and never served. Holds metadata only,
 * never key material; about {@link #MAX_ENTRIES} values at most.
 */
public final class CachingMetadataStore implements MetadataStore {
    private static final int MAX_ENTRIES = 100_000;
    private static final int STRIPES = 4096;

    private record Entry<T>(T value, long epoch) {
    }

    private final MetadataStore delegate;
    private final ConcurrentHashMap<String, Entry<KeyRecord>> records = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Entry<Optional<Grant>>> grants = new ConcurrentHashMap<>();
    private final AtomicLongArray epochs = new AtomicLongArray(STRIPES);

    public CachingMetadataStore(MetadataStore delegate) {
        this.delegate = delegate;
    }

    /** The store behind the cache. */
    public MetadataStore delegate() {
        return delegate;
    }

    private static int stripe(String keyId) {
        return keyId.hashCode() & (STRIPES - 1);
    }

    private static String grantKey(String keyId, String identity) {
        return keyId + '\u0000' + identity;
    }

    private static void bound(ConcurrentHashMap<?, ?> map) {
        if (map.size() >= MAX_ENTRIES) {
            map.clear();
        }
    }

    /** After a write reached the database: what it touched is read again from the database. */
    private void written(String keyId) {
        epochs.incrementAndGet(stripe(keyId));
        records.remove(keyId);
        grants.keySet().removeIf(k -> k.startsWith(keyId + '\u0000'));
    }

    @FunctionalInterface
    private interface Write<T> {
        T run() throws KmsException;
    }

    private <T> T write(String keyId, Write<T> w) throws KmsException {
        try {
            return w.run();
        } finally {
            written(keyId); // also after a failure (a lost compare-and-set): the next attempt reads afresh
        }
    }

    @Override
    public Optional<KeyRecord> get(String id) throws UnavailableException {
        long epoch = epochs.get(stripe(id));
        Entry<KeyRecord> e = records.get(id);
        if (e != null && e.epoch() == epoch) {
            return Optional.of(e.value());
        }
        Optional<KeyRecord> r = delegate.get(id);
        if (r.isPresent()) {
            bound(records);
            records.put(id, new Entry<>(r.get(), epoch));
        }
        return r;
    }

    @Override
    public Optional<Grant> grant(String keyId, String identity) throws UnavailableException {
        String k = grantKey(keyId, identity);
        long epoch = epochs.get(stripe(keyId));
        Entry<Optional<Grant>> e = grants.get(k);
        if (e != null && e.epoch() == epoch) {
            return e.value();
        }
        Optional<Grant> g = delegate.grant(keyId, identity);
        bound(grants);
        grants.put(k, new Entry<>(g, epoch));
        return g;
    }

    @Override
    public KeyRecord insert(KeyRecord record) throws ConflictException, InvalidRequestException, UnavailableException {
        try {
            return write(record.id(), () -> delegate.insert(record));
        } catch (ConflictException | InvalidRequestException | UnavailableException e) {
            throw e;
        } catch (KmsException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public KeyRecord update(KeyRecord record) throws NotFoundException, ConflictException, InvalidRequestException,
            UnavailableException {
        try {
            return write(record.id(), () -> delegate.update(record));
        } catch (NotFoundException | ConflictException | InvalidRequestException | UnavailableException e) {
            throw e;
        } catch (KmsException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The delegate's own modify (one transaction holding the record's lock), not the interface's
     * read-from-cache and compare-and-set loop: under contention that loop could exhaust its
     * attempts, which the delegate's locked read never does.
     */
    @Override
    public KeyRecord modify(String id, KeyChange change) throws KmsException {
        return write(id, () -> delegate.modify(id, change));
    }

    @Override
    public void delete(String id, long expectedVersion) throws NotFoundException, ConflictException, UnavailableException {
        try {
            write(id, () -> {
                delegate.delete(id, expectedVersion);
                return null;
            });
        } catch (NotFoundException | ConflictException | UnavailableException e) {
            throw e;
        } catch (KmsException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public Grant putGrant(Grant grant) throws NotFoundException, InvalidRequestException, UnavailableException {
        try {
            return write(grant.keyId(), () -> delegate.putGrant(grant));
        } catch (NotFoundException | InvalidRequestException | UnavailableException e) {
            throw e;
        } catch (KmsException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public boolean revokeGrant(String keyId, String identity) throws UnavailableException {
        try {
            return write(keyId, () -> delegate.revokeGrant(keyId, identity));
        } catch (UnavailableException e) {
            throw e;
        } catch (KmsException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public List<KeyRecord> commit(WriteBatch batch) throws KmsException {
        try {
            return delegate.commit(batch);
        } finally {
            for (WriteBatch.Op op : batch.ops()) {
                switch (op) {
                    case WriteBatch.Op.Insert i -> written(i.record().id());
                    case WriteBatch.Op.Update u -> written(u.record().id());
                    case WriteBatch.Op.PutGrant g -> written(g.grant().keyId());
                    case WriteBatch.Op.RevokeGrant g -> written(g.keyId());
                }
            }
        }
    }

    @Override
    public Page<KeyRecord> list(KeyFilter filter, String cursor, int pageSize) throws InvalidRequestException, UnavailableException {
        return delegate.list(filter, cursor, pageSize);
    }

    @Override
    public List<String> locate(KeyFilter filter, int offset, int maxItems) throws InvalidRequestException, UnavailableException {
        return delegate.locate(filter, offset, maxItems);
    }

    @Override
    public List<Grant> grants(String keyId) throws UnavailableException {
        return delegate.grants(keyId);
    }

    @Override
    public void ping() throws UnavailableException {
        delegate.ping();
    }

    @Override
    public void close() {
        records.clear();
        grants.clear();
        delegate.close();
    }
}
