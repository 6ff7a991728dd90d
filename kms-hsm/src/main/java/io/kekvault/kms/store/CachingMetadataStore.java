package io.kekvault.kms.store;

import io.kekvault.kmip.error.ConflictException;
import io.kekvault.kmip.error.InvalidRequestException;
import io.kekvault.kmip.error.KmsException;
import io.kekvault.kmip.error.NotFoundException;
import io.kekvault.kmip.error.UnavailableException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Caches key records and grants in front of a store that this process alone writes (the embedded
 * SQLite store of a single node), so the wrap/unwrap path does not query the database twice per
 * request. Every write through this object invalidates what it touches before and after the
 * write, and a read caches its result only if no write started or finished meanwhile, so the
 * cache never serves a value older than the last completed write. Not for stores shared by
 * several nodes (a write on another node would not be seen).
 */
public final class CachingMetadataStore implements MetadataStore {
    private static final int MAX_ENTRIES = 100_000;

    private final MetadataStore delegate;
    private final ConcurrentHashMap<String, KeyRecord> records = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Optional<Grant>> grants = new ConcurrentHashMap<>();
    private final AtomicLong epoch = new AtomicLong();

    public CachingMetadataStore(MetadataStore delegate) {
        this.delegate = delegate;
    }

    /** The store behind the cache. */
    public MetadataStore delegate() {
        return delegate;
    }

    private static String grantKey(String keyId, String identity) {
        return keyId + '\u0000' + identity;
    }

    private void invalidate(String keyId) {
        epoch.incrementAndGet();
        if (keyId == null) {
            records.clear();
            grants.clear();
            return;
        }
        records.remove(keyId);
        grants.keySet().removeIf(k -> k.startsWith(keyId + '\u0000'));
    }

    @FunctionalInterface
    private interface Write<T> {
        T run() throws KmsException;
    }

    private <T> T write(String keyId, Write<T> w) throws KmsException {
        invalidate(keyId);
        try {
            return w.run();
        } finally {
            invalidate(keyId);
        }
    }

    private static void bound(ConcurrentHashMap<?, ?> map) {
        if (map.size() > MAX_ENTRIES) {
            map.clear();
        }
    }

    @Override
    public Optional<KeyRecord> get(String id) throws UnavailableException {
        KeyRecord cached = records.get(id);
        if (cached != null) {
            return Optional.of(cached);
        }
        long before = epoch.get();
        Optional<KeyRecord> r = delegate.get(id);
        if (r.isPresent() && epoch.get() == before) {
            bound(records);
            records.put(id, r.get());
        }
        return r;
    }

    @Override
    public Optional<Grant> grant(String keyId, String identity) throws UnavailableException {
        String k = grantKey(keyId, identity);
        Optional<Grant> cached = grants.get(k);
        if (cached != null) {
            return cached;
        }
        long before = epoch.get();
        Optional<Grant> g = delegate.grant(keyId, identity);
        if (epoch.get() == before) {
            bound(grants);
            grants.put(k, g);
        }
        return g;
    }

    @Override
    public KeyRecord insert(KeyRecord record) throws ConflictException, UnavailableException {
        try {
            return write(record.id(), () -> delegate.insert(record));
        } catch (ConflictException | UnavailableException e) {
            throw e;
        } catch (KmsException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public KeyRecord update(KeyRecord record) throws NotFoundException, ConflictException, UnavailableException {
        try {
            return write(record.id(), () -> delegate.update(record));
        } catch (NotFoundException | ConflictException | UnavailableException e) {
            throw e;
        } catch (KmsException e) {
            throw new IllegalStateException(e);
        }
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
    public Grant putGrant(Grant grant) throws NotFoundException, UnavailableException {
        try {
            return write(grant.keyId(), () -> delegate.putGrant(grant));
        } catch (NotFoundException | UnavailableException e) {
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
        return write(null, () -> delegate.commit(batch));
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
