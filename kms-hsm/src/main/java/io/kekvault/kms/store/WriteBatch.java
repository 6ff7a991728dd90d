package io.kekvault.kms.store;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Several writes applied by {@link MetadataStore#commit} in one transaction, in order: all of them
 * or none. ReKey is the case in point: update the old key (links, names moved away), insert the
 * new one (links, names) and copy the grants, atomically.
 */
public final class WriteBatch {

    /** One write of a batch. */
    public sealed interface Op {
        /** Insert a new record; fails on a duplicate identifier or name. */
        record Insert(KeyRecord record) implements Op {
            public Insert {
                Objects.requireNonNull(record, "record");
            }
        }

        /** Compare-and-set update; {@code record.version()} is the expected current version. */
        record Update(KeyRecord record) implements Op {
            public Update {
                Objects.requireNonNull(record, "record");
            }
        }

        /** Create or replace the grant of (key, identity). */
        record PutGrant(Grant grant) implements Op {
            public PutGrant {
                Objects.requireNonNull(grant, "grant");
            }
        }

        /** Remove the grant of (key, identity), if any. */
        record RevokeGrant(String keyId, String identity) implements Op {
            public RevokeGrant {
                Checks.text(keyId, "keyId", KeyRecord.MAX_ID_LENGTH);
                Checks.text(identity, "identity", KeyRecord.MAX_IDENTITY_LENGTH);
            }
        }
    }

    private final List<Op> ops = new ArrayList<>();

    private WriteBatch() {
    }

    public static WriteBatch create() {
        return new WriteBatch();
    }

    public WriteBatch insert(KeyRecord record) {
        ops.add(new Op.Insert(record));
        return this;
    }

    public WriteBatch update(KeyRecord record) {
        ops.add(new Op.Update(record));
        return this;
    }

    public WriteBatch putGrant(Grant grant) {
        ops.add(new Op.PutGrant(grant));
        return this;
    }

    public WriteBatch revokeGrant(String keyId, String identity) {
        ops.add(new Op.RevokeGrant(keyId, identity));
        return this;
    }

    public List<Op> ops() {
        return List.copyOf(ops);
    }

    public boolean isEmpty() {
        return ops.isEmpty();
    }
}
