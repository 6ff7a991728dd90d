package io.kekvault.kms.store;

import io.kekvault.kmip.error.ConflictException;
import io.kekvault.kmip.error.InvalidRequestException;
import io.kekvault.kmip.error.KmsException;
import io.kekvault.kmip.error.NotFoundException;
import io.kekvault.kmip.error.ResultReason;
import io.kekvault.kmip.error.UnavailableException;

import java.util.List;
import java.util.Optional;

/**
 * Durable store of key metadata: identifiers, state, attributes, dates, links, owners and grants.
 *
 * <p>Guarantees:
 * <ul>
 *   <li>It never holds key material; the HSM does. Nothing here is secret beyond metadata.</li>
 *   <li>Every write method is one transaction: it is applied whole or not at all, and once it
 *       returns the write survives a crash of the process (and, for the embedded store, power loss).</li>
 *   <li>{@link #update} is a compare-and-set on the record's version, so concurrent writers (threads
 *       or KMS nodes sharing one database) never lose each other's updates: the loser gets a
 *       {@link ConflictException} ({@link #isVersionConflict}) and re-reads.</li>
 *   <li>Identifiers are unique, and so are names across all records.</li>
 *   <li>Failures of the database itself (unreachable, disk full, locked too long) surface as
 *       {@link UnavailableException} with a client-safe message and a log reference; the detail
 *       goes only to the server log. A write that failed that way wrote nothing, except when it
 *       is a {@link CommitOutcomeUnknownException}: the connection broke during the commit, and
 *       the write may have been applied.</li>
 * </ul>
 * It does not check permissions: {@link KeyFilter#visibleTo} and {@link #grant} give the facts,
 * the caller decides (and answers "not found" for a key the caller may not see).
 */
public interface MetadataStore extends AutoCloseable {

    /** Attempts {@link #modify} makes before giving up on a contended record. */
    int MODIFY_ATTEMPTS = 16;

    /**
     * Stores a new record with version 1 (the given version is ignored) and returns it.
     *
     * @throws ConflictException {@link ResultReason#OBJECT_ALREADY_EXISTS} if the identifier
     *         exists, {@link ResultReason#NON_UNIQUE_NAME_ATTRIBUTE} if one of the names is taken
     * @throws InvalidRequestException if the database refuses a value (PostgreSQL stores no NUL
     *         character in text); nothing is written
     */
    KeyRecord insert(KeyRecord record) throws ConflictException, InvalidRequestException, UnavailableException;

    /** The record with this identifier, if it exists. */
    Optional<KeyRecord> get(String id) throws UnavailableException;

    /**
     * Replaces the record if its stored version still equals {@code record.version()} (the version
     * it was read at) and returns it with the version incremented. Names, links and attributes are
     * replaced whole. The identifier cannot change.
     *
     * @throws NotFoundException if no record has this identifier
     * @throws ConflictException on a version mismatch ({@link #isVersionConflict} is true), or
     *         {@link ResultReason#NON_UNIQUE_NAME_ATTRIBUTE} if a new name is taken
     * @throws InvalidRequestException if the database refuses a value; nothing is written
     */
    KeyRecord update(KeyRecord record) throws NotFoundException, ConflictException, InvalidRequestException,
            UnavailableException;

    /**
     * Read, change, compare-and-set, retried on version conflicts up to {@link #MODIFY_ATTEMPTS}
     * times. Returns the stored record (unchanged if {@code change} returned an equal record).
     * Implementations may instead run the change in one transaction holding the record's lock
     * (the JDBC stores do, so contended records never exhaust the attempts); {@code change} must
     * then be quick and free of side effects, as it always should be.
     *
     * @throws NotFoundException if no record has this identifier
     * @throws KmsException      whatever {@code change} throws, or a store failure
     */
    default KeyRecord modify(String id, KeyChange change) throws KmsException {
        for (int attempt = 1; ; attempt++) {
            KeyRecord current = get(id).orElseThrow(() -> new NotFoundException("object not found"));
            KeyRecord changed = change.apply(current);
            if (changed == null || changed.equals(current)) {
                return current;
            }
            if (!changed.id().equals(id)) {
                throw new IllegalArgumentException("modify cannot change the identifier");
            }
            try {
                return update(changed.toBuilder().version(current.version()).build());
            } catch (ConflictException e) {
                if (!isVersionConflict(e) || attempt >= MODIFY_ATTEMPTS) {
                    throw e;
                }
            }
        }
    }

    /**
     * Removes a record, its names, attributes and grants, if its version matches. Meant to undo a
     * create whose HSM half failed; a destroyed key keeps its metadata (state DESTROYED) instead.
     *
     * @throws NotFoundException if no record has this identifier
     * @throws ConflictException on a version mismatch
     */
    void delete(String id, long expectedVersion) throws NotFoundException, ConflictException, UnavailableException;

    /**
     * One page of the records matching {@code filter}, in identifier order (byte order, on every database). Paging is by key set,
     * not offset, so it is stable: a record that exists for the whole listing is returned exactly
     * once, whatever is inserted or deleted between pages.
     *
     * @param cursor   null for the first page, else {@link Page#nextCursor()} of the previous page
     * @param pageSize 1 to {@link #MAX_PAGE_SIZE}
     * @throws InvalidRequestException for a malformed cursor or page size
     */
    Page<KeyRecord> list(KeyFilter filter, String cursor, int pageSize) throws InvalidRequestException, UnavailableException;

    int MAX_PAGE_SIZE = 1000;

    /**
     * Identifiers of the records matching {@code filter}, in identifier (byte) order, for KMIP Locate
     * (Offset Items and Maximum Items).
     *
     * @param offset   records to skip, 0 or more
     * @param maxItems 1 to {@link #MAX_PAGE_SIZE}
     */
    List<String> locate(KeyFilter filter, int offset, int maxItems) throws InvalidRequestException, UnavailableException;

    /**
     * Creates or replaces the grant of (key, identity) with exactly these permissions.
     *
     * @throws NotFoundException if the key does not exist
     */
    Grant putGrant(Grant grant) throws NotFoundException, InvalidRequestException, UnavailableException;

    /** Removes the grant of (key, identity); true if there was one. */
    boolean revokeGrant(String keyId, String identity) throws UnavailableException;

    /** The grant of (key, identity), if any. */
    Optional<Grant> grant(String keyId, String identity) throws UnavailableException;

    /** Every grant on a key, by identity. */
    List<Grant> grants(String keyId) throws UnavailableException;

    /**
     * Applies every write of the batch in one transaction, in order, all or none. Returns the
     * stored records of its insert and update operations, in order.
     *
     * @throws KmsException the first failure (as the single-write methods would throw it); then
     *         nothing of the batch is applied
     */
    List<KeyRecord> commit(WriteBatch batch) throws KmsException;

    /** Readiness: returns if the store can serve reads and writes now. */
    void ping() throws UnavailableException;

    /** Releases connections; later calls fail with {@link UnavailableException}. */
    @Override
    void close();

    /** True for the {@link ConflictException} of a failed compare-and-set (re-read and retry). */
    static boolean isVersionConflict(Throwable t) {
        return t instanceof ConflictException c && c.reason() == ResultReason.ILLEGAL_OPERATION;
    }
}
