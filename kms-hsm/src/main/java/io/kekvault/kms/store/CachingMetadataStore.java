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
 * Keeps the records {@link #get} read in memory, for a store that only this process writes (the
 * embedded SQLite store): every access check of a hot key (Encrypt, Wrap) would otherwise read and
 * parse the same row again. Never use it in front of a store other KMS nodes write (PostgreSQL),
 * where another node's revocation must be seen at once.
 *
 * <p>Coherence: each record is cached with the write counter of its stripe (by identifier) as it
 * was before the database read; a cached record is used only while that counter is unchanged.
 * Every write goes through this object and bumps the counters of the records it touched after the
 * database has the change and before it returns, so once a write (a revocation, say) has been
 * acknowledged no reader gets the record as it was before. Holds metadata only, never key
 * material; about {@link #MAX_ENTRIES} records at most.
 */
public final class CachingMetadataStore implements MetadataStore {
    static final int MAX_ENTRIES = 10_000;
    private static final int STRIPES = 4096;

    private record Entry(KeyRecord record, long epoch) {
    }

    private final MetadataStore delegate;
    private final ConcurrentHashMap<String, Entry> records = new ConcurrentHashMap<>();
    private final AtomicLongArray epochs = new AtomicLongArray(STRIPES);

    public CachingMetadataStore(MetadataStore delegate) {
        this.delegate = delegate;
    }

    private static int stripe(String id) {
        return id.hashCode() & (STRIPES - 1);
    }

    @Override
    public Optional<KeyRecord> get(String id) throws UnavailableException {
        long epoch = epochs.get(stripe(id));
        Entry e = records.get(id);
        if (e != null && e.epoch() == epoch) {
            return Optional.of(e.record());
        }
        Optional<KeyRecord> r = delegate.get(id);
        if (r.isPresent()) {
            if (records.size() >= MAX_ENTRIES) {
                records.clear();
            }
            records.put(id, new Entry(r.get(), epoch));
        }
        return r;
    }

    /** Called after a write reached the database: the records it touched are read again next time. */
    private void written(String... ids) {
        for (String id : ids) {
            epochs.incrementAndGet(stripe(id));
            records.remove(id);
        }
    }

    @Override
    public KeyRecord insert(KeyRecord record) throws ConflictException, UnavailableException {
        try {
            return delegate.insert(record);
        } finally {
            written(record.id());
        }
    }

    @Override
    public KeyRecord update(KeyRecord record) throws NotFoundException, ConflictException, UnavailableException {
        try {
            return delegate.update(record);
        } finally {
            written(record.id()); // also after a failed compare-and-set: the next attempt reads afresh
        }
    }

    @Override
    public void delete(String id, long expectedVersion) throws NotFoundException, ConflictException, UnavailableException {
        try {
            delegate.delete(id, expectedVersion);
        } finally {
            written(id);
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
    public Grant putGrant(Grant grant) throws NotFoundException, UnavailableException {
        return delegate.putGrant(grant);
    }

    @Override
    public boolean revokeGrant(String keyId, String identity) throws UnavailableException {
        return delegate.revokeGrant(keyId, identity);
    }

    @Override
    public Optional<Grant> grant(String keyId, String identity) throws UnavailableException {
        return delegate.grant(keyId, identity);
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
        delegate.close();
    }
}
