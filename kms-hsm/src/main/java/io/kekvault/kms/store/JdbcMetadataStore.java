package io.kekvault.kms.store;

import com.zaxxer.hikari.HikariDataSource;
import io.kekvault.kmip.error.ConflictException;
import io.kekvault.kmip.error.InvalidRequestException;
import io.kekvault.kmip.error.KmsException;
import io.kekvault.kmip.error.NotFoundException;
import io.kekvault.kmip.error.ResultReason;
import io.kekvault.kmip.error.UnavailableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * The {@link MetadataStore} over JDBC, shared by the embedded SQLite store and the PostgreSQL
 * store: all SQL is in the common subset of both, and what differs is in {@link SqlDialect}.
 *
 * <p>Writes go through the {@code writer} pool, one transaction per method; reads through the
 * {@code reader} pool, in autocommit. For SQLite the writer pool has a single connection,
 * because SQLite serializes writers anyway and a second writer would only spin on the file lock;
 * readers run in parallel thanks to WAL. For PostgreSQL both pools have several connections and
 * concurrency is the database's: compare-and-set updates re-check the version under the row
 * lock (READ COMMITTED), unique indexes arbitrate names and identifiers between nodes, and a
 * transaction the database aborts to break a deadlock is run again.
 */
final class JdbcMetadataStore implements MetadataStore {
    private static final Logger log = LoggerFactory.getLogger(JdbcMetadataStore.class);

    private static final String COLUMNS = "id, object_type, algorithm, length_bits, usage_mask, state, owner_identity, "
            + "extractable, hsm_label, initial_date, activation_date, deactivation_date, compromise_date, "
            + "compromise_occurrence_date, destroy_date, last_change_date, revocation_reason, revocation_message, "
            + "names_json, links_json, attributes_json, version";
    private static final String SELECT_KEY = "SELECT " + prefixed(COLUMNS) + " FROM kms_key k";
    private static final String INSERT_KEY = "INSERT INTO kms_key (" + COLUMNS + ") VALUES ("
            + "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    private static final String UPDATE_KEY = "UPDATE kms_key SET object_type = ?, algorithm = ?, length_bits = ?, "
            + "usage_mask = ?, state = ?, owner_identity = ?, extractable = ?, hsm_label = ?, initial_date = ?, "
            + "activation_date = ?, deactivation_date = ?, compromise_date = ?, compromise_occurrence_date = ?, "
            + "destroy_date = ?, last_change_date = ?, revocation_reason = ?, revocation_message = ?, "
            + "names_json = ?, links_json = ?, attributes_json = ?, version = ? WHERE id = ? AND version = ?";
    private static final String CURSOR_PREFIX = "k1:";
    /** Runs of a write transaction the database aborted to resolve a race (PostgreSQL deadlock). */
    private static final int WRITE_ATTEMPTS = 3;

    private final String name;
    private final HikariDataSource writer;
    private final HikariDataSource reader;
    private final SqlDialect dialect;
    private volatile boolean closed;

    JdbcMetadataStore(String name, HikariDataSource writer, HikariDataSource reader, SqlDialect dialect) {
        this.name = name;
        this.writer = writer;
        this.reader = reader;
        this.dialect = dialect;
    }

    // ---------------------------------------------------------------- records

    @Override
    public KeyRecord insert(KeyRecord record) throws ConflictException, InvalidRequestException, UnavailableException {
        try {
            return commit(WriteBatch.create().insert(record)).getFirst();
        } catch (ConflictException | InvalidRequestException | UnavailableException e) {
            throw e;
        } catch (KmsException e) {
            throw unexpected(e);
        }
    }

    @Override
    public Optional<KeyRecord> get(String id) throws UnavailableException {
        if (unmatchable(id)) {
            return Optional.empty();
        }
        return read("get", c -> {
            try (PreparedStatement ps = c.prepareStatement(SELECT_KEY + " WHERE k.id = ?")) {
                ps.setString(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(toRecord(rs)) : Optional.<KeyRecord>empty();
                }
            }
        });
    }

    @Override
    public KeyRecord update(KeyRecord record) throws NotFoundException, ConflictException, InvalidRequestException,
            UnavailableException {
        try {
            return commit(WriteBatch.create().update(record)).getFirst();
        } catch (NotFoundException | ConflictException | InvalidRequestException | UnavailableException e) {
            throw e;
        } catch (KmsException e) {
            throw unexpected(e);
        }
    }

    /**
     * Read, change and write in one transaction that holds the record (PostgreSQL: row lock by
     * {@code SELECT ... FOR UPDATE}; SQLite: the single writer connection): nodes and threads
     * changing one record queue instead of failing each other's compare-and-set.
     */
    @Override
    public KeyRecord modify(String id, KeyChange change) throws KmsException {
        if (unmatchable(id)) {
            throw new NotFoundException("object not found");
        }
        return write("modify", c -> {
            KeyRecord current;
            try (PreparedStatement ps = c.prepareStatement(SELECT_KEY + " WHERE k.id = ?" + dialect.lockForUpdate())) {
                ps.setString(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    current = rs.next() ? toRecord(rs) : null;
                }
            }
            if (current == null) {
                throw new NotFoundException("object not found");
            }
            KeyRecord changed = change.apply(current);
            if (changed == null || changed.equals(current)) {
                return current;
            }
            if (!changed.id().equals(id)) {
                throw new IllegalArgumentException("modify cannot change the identifier");
            }
            return update(c, changed.toBuilder().version(current.version()).build());
        });
    }

    @Override
    public void delete(String id, long expectedVersion) throws NotFoundException, ConflictException, UnavailableException {
        try {
            write("delete", c -> {
                for (String table : List.of("kms_key_name", "kms_key_attribute", "kms_grant")) {
                    try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + table + " WHERE key_id = ?")) {
                        ps.setString(1, id);
                        ps.executeUpdate();
                    }
                }
                try (PreparedStatement ps = c.prepareStatement("DELETE FROM kms_key WHERE id = ? AND version = ?")) {
                    ps.setString(1, id);
                    ps.setLong(2, expectedVersion);
                    if (ps.executeUpdate() == 0) {
                        throw missingOrStale(c, id, expectedVersion);
                    }
                }
                return null;
            });
        } catch (NotFoundException | ConflictException | UnavailableException e) {
            throw e;
        } catch (KmsException e) {
            throw unexpected(e);
        }
    }

    @Override
    public Page<KeyRecord> list(KeyFilter filter, String cursor, int pageSize) throws InvalidRequestException, UnavailableException {
        if (pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
            throw new InvalidRequestException("page size must be 1.." + MAX_PAGE_SIZE);
        }
        String after = cursor == null ? null : decodeCursor(cursor);
        if (unmatchable(filter)) {
            return new Page<>(List.of(), null);
        }
        StringBuilder sql = new StringBuilder(SELECT_KEY);
        List<Object> params = new ArrayList<>();
        where(filter, sql, params);
        String id = "k.id" + dialect.binaryCollation();
        if (after != null) {
            sql.append(" AND ").append(id).append(" > ?");
            params.add(after);
        }
        sql.append(" ORDER BY ").append(id).append(" LIMIT ?");
        params.add(pageSize + 1);
        List<KeyRecord> rows = read("list", c -> {
            try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
                bindAll(ps, params);
                List<KeyRecord> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(toRecord(rs));
                    }
                }
                return out;
            }
        });
        if (rows.size() > pageSize) {
            List<KeyRecord> page = rows.subList(0, pageSize);
            return new Page<>(page, encodeCursor(page.getLast().id()));
        }
        return new Page<>(rows, null);
    }

    @Override
    public List<String> locate(KeyFilter filter, int offset, int maxItems) throws InvalidRequestException, UnavailableException {
        if (maxItems < 1 || maxItems > MAX_PAGE_SIZE) {
            throw new InvalidRequestException("maximum items must be 1.." + MAX_PAGE_SIZE);
        }
        if (offset < 0) {
            throw new InvalidRequestException("offset items must not be negative");
        }
        if (unmatchable(filter)) {
            return List.of();
        }
        StringBuilder sql = new StringBuilder("SELECT k.id FROM kms_key k");
        List<Object> params = new ArrayList<>();
        where(filter, sql, params);
        sql.append(" ORDER BY k.id").append(dialect.binaryCollation()).append(" LIMIT ? OFFSET ?");
        params.add(maxItems);
        params.add(offset);
        return read("locate", c -> {
            try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
                bindAll(ps, params);
                List<String> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(rs.getString(1));
                    }
                }
                return out;
            }
        });
    }

    // ---------------------------------------------------------------- grants

    @Override
    public Grant putGrant(Grant grant) throws NotFoundException, InvalidRequestException, UnavailableException {
        try {
            commit(WriteBatch.create().putGrant(grant));
            return grant;
        } catch (NotFoundException | InvalidRequestException | UnavailableException e) {
            throw e;
        } catch (KmsException e) {
            throw unexpected(e);
        }
    }

    @Override
    public boolean revokeGrant(String keyId, String identity) throws UnavailableException {
        try {
            return write("revokeGrant", c -> revoke(c, keyId, identity));
        } catch (UnavailableException e) {
            throw e;
        } catch (KmsException e) {
            throw unexpected(e);
        }
    }

    @Override
    public Optional<Grant> grant(String keyId, String identity) throws UnavailableException {
        if (unmatchable(keyId) || unmatchable(identity)) {
            return Optional.empty();
        }
        return read("grant", c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT key_id, grantee, permissions FROM kms_grant WHERE key_id = ? AND grantee = ?")) {
                ps.setString(1, keyId);
                ps.setString(2, identity);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? toGrant(rs) : Optional.<Grant>empty();
                }
            }
        });
    }

    @Override
    public List<Grant> grants(String keyId) throws UnavailableException {
        if (unmatchable(keyId)) {
            return List.of();
        }
        return read("grants", c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT key_id, grantee, permissions FROM kms_grant WHERE key_id = ? ORDER BY grantee" + dialect.binaryCollation())) {
                ps.setString(1, keyId);
                List<Grant> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        toGrant(rs).ifPresent(out::add);
                    }
                }
                return out;
            }
        });
    }

    // ---------------------------------------------------------------- batches

    @Override
    public List<KeyRecord> commit(WriteBatch batch) throws KmsException {
        List<WriteBatch.Op> ops = batch.ops();
        if (ops.isEmpty()) {
            return List.of();
        }
        return write("commit", c -> {
            List<KeyRecord> stored = new ArrayList<>();
            for (WriteBatch.Op op : ops) {
                switch (op) {
                    case WriteBatch.Op.Insert i -> stored.add(insert(c, i.record()));
                    case WriteBatch.Op.Update u -> stored.add(update(c, u.record()));
                    case WriteBatch.Op.PutGrant g -> putGrant(c, g.grant());
                    case WriteBatch.Op.RevokeGrant r -> revoke(c, r.keyId(), r.identity());
                }
            }
            return stored;
        });
    }

    private KeyRecord insert(Connection c, KeyRecord record) throws SQLException, ConflictException {
        KeyRecord stored = record.toBuilder().version(1).build();
        try (PreparedStatement ps = c.prepareStatement(INSERT_KEY)) {
            ps.setString(1, stored.id());
            bindColumns(ps, 2, stored);
            ps.executeUpdate();
        } catch (SQLException e) {
            if (dialect.isUniqueViolation(e)) {
                throw new ConflictException(ResultReason.OBJECT_ALREADY_EXISTS, "an object with this identifier already exists", null);
            }
            throw e;
        }
        insertNamesAndAttributes(c, stored);
        return stored;
    }

    private KeyRecord update(Connection c, KeyRecord record) throws SQLException, KmsException {
        KeyRecord stored = record.toBuilder().version(record.version() + 1).build();
        try (PreparedStatement ps = c.prepareStatement(UPDATE_KEY)) {
            int i = bindColumns(ps, 1, stored);
            ps.setString(i++, record.id());
            ps.setLong(i, record.version());
            if (ps.executeUpdate() == 0) {
                throw missingOrStale(c, record.id(), record.version());
            }
        }
        for (String table : List.of("kms_key_name", "kms_key_attribute")) {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + table + " WHERE key_id = ?")) {
                ps.setString(1, record.id());
                ps.executeUpdate();
            }
        }
        insertNamesAndAttributes(c, stored);
        return stored;
    }

    private void insertNamesAndAttributes(Connection c, KeyRecord r) throws SQLException, ConflictException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO kms_key_name (name, key_id, ordinal) VALUES (?, ?, ?)")) {
            int ordinal = 0;
            for (String n : r.names()) {
                ps.setString(1, n);
                ps.setString(2, r.id());
                ps.setInt(3, ordinal++);
                try {
                    ps.executeUpdate();
                } catch (SQLException e) {
                    if (dialect.isUniqueViolation(e)) {
                        throw new ConflictException(ResultReason.NON_UNIQUE_NAME_ATTRIBUTE, "the name is already in use", null);
                    }
                    throw e;
                }
            }
        }
        if (!r.attributes().isEmpty()) {
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO kms_key_attribute (key_id, ordinal, name, value_digest) VALUES (?, ?, ?, ?)")) {
                int ordinal = 0;
                for (Attribute a : r.attributes()) {
                    ps.setString(1, r.id());
                    ps.setInt(2, ordinal++);
                    ps.setString(3, a.name());
                    ps.setString(4, StoreJson.valueDigest(a.value()));
                    ps.addBatch();
                }
                ps.executeBatch();
            }
        }
    }

    private void putGrant(Connection c, Grant g) throws SQLException, NotFoundException {
        if (!exists(c, g.keyId())) {
            throw new NotFoundException("object not found");
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO kms_grant (key_id, grantee, permissions) VALUES (?, ?, ?) "
                + "ON CONFLICT (key_id, grantee) DO UPDATE SET permissions = excluded.permissions")) {
            ps.setString(1, g.keyId());
            ps.setString(2, g.identity());
            ps.setString(3, g.permissions().stream().sorted().map(Enum::name).collect(Collectors.joining(",")));
            ps.executeUpdate();
        } catch (SQLException e) {
            if (dialect.isForeignKeyViolation(e)) {
                throw new NotFoundException("object not found");
            }
            throw e;
        }
    }

    private static boolean revoke(Connection c, String keyId, String identity) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM kms_grant WHERE key_id = ? AND grantee = ?")) {
            ps.setString(1, keyId);
            ps.setString(2, identity);
            return ps.executeUpdate() > 0;
        }
    }

    private static boolean exists(Connection c, String id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT version FROM kms_key WHERE id = ?")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    /** After a compare-and-set touched no row: was the record missing, or changed meanwhile? */
    private static KmsException missingOrStale(Connection c, String id, long expected) throws SQLException {
        if (!exists(c, id)) {
            return new NotFoundException("object not found");
        }
        log.debug("store_version_conflict id={} expected_version={}", id, expected);
        return new ConflictException(ResultReason.ILLEGAL_OPERATION, "the object was changed concurrently; retry", null);
    }

    // ---------------------------------------------------------------- health

    @Override
    public void ping() throws UnavailableException {
        read("ping", c -> probe(c));
        try {
            write("ping", c -> probe(c));
        } catch (UnavailableException e) {
            throw e;
        } catch (KmsException e) {
            throw unexpected(e);
        }
    }

    private static Boolean probe(Connection c) throws SQLException {
        // SELECT 1 would not touch the database file in SQLite; this reads the schema and an index.
        try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM kms_key WHERE id = ''");
             ResultSet rs = ps.executeQuery()) {
            return rs.next();
        }
    }

    @Override
    public void close() {
        closed = true;
        writer.close();
        reader.close();
        log.info("store_closed store={}", name);
    }

    /** Makes the pools drop their connections, so the next use reconnects (tests of outages). */
    void evictConnections() {
        writer.getHikariPoolMXBean().softEvictConnections();
        reader.getHikariPoolMXBean().softEvictConnections();
    }

    /** Runs work on the writer connection, then rolls back (tests inject faults with pragmas). */
    void onWriterConnection(SqlWork<Void> work) throws Exception {
        Connection c = writer.getConnection();
        try {
            work.run(c);
        } finally {
            release(c, !rollback(c, "test"), "test");
        }
    }

    // ---------------------------------------------------------------- plumbing

    @FunctionalInterface
    interface SqlWork<T> {
        T run(Connection c) throws SQLException, KmsException;
    }

    @FunctionalInterface
    private interface SqlRead<T> {
        T run(Connection c) throws SQLException;
    }

    private <T> T write(String op, SqlWork<T> work) throws KmsException {
        ensureOpen();
        for (int attempt = 1; ; attempt++) {
            Connection c;
            try {
                c = writer.getConnection();
            } catch (SQLException e) {
                throw unavailable(op, e);
            }
            boolean committed = false;
            boolean broken = false;
            try {
                T result = work.run(c);
                try {
                    c.commit();
                } catch (SQLException e) {
                    broken = true;
                    UnavailableException u = unavailable(op + ".commit", e);
                    throw new CommitOutcomeUnknownException(u.getMessage(), e);
                }
                committed = true;
                return result;
            } catch (SQLException e) {
                if (dialect.isRetryable(e) && attempt < WRITE_ATTEMPTS) {
                    // The database aborted the whole transaction (deadlock, serialization): run it again.
                    log.info("store_write_retried store={} op={} attempt={} sql_state={}", name, op, attempt, e.getSQLState());
                    continue;
                }
                if (dialect.isInvalidValue(e)) {
                    log.info("store_value_refused store={} op={} sql_state={}", name, op, e.getSQLState());
                    throw new InvalidRequestException(ResultReason.INVALID_FIELD,
                            "a value cannot be stored: it holds a character or a size the metadata store refuses", null);
                }
                broken = true;
                throw unavailable(op, e);
            } finally {
                if (!committed && !rollback(c, op)) {
                    broken = true;
                }
                release(c, broken, op);
            }
        }
    }

    /**
     * A connection whose transaction failed at the database level is discarded, not pooled: after
     * SQLite rolls back by itself (SQLITE_FULL, IOERR, BUSY) the driver's rollback fails before it
     * re-opens a transaction, and the connection would then autocommit statement by statement.
     */
    private void release(Connection c, boolean broken, String op) {
        if (broken) {
            log.info("store_connection_discarded op={}", op);
            writer.evictConnection(c);
            return;
        }
        try {
            c.close();
        } catch (SQLException e) {
            log.warn("store_connection_close_failed op={} error={}", op, e.toString());
            writer.evictConnection(c);
        }
    }

    private <T> T read(String op, SqlRead<T> work) throws UnavailableException {
        ensureOpen();
        try (Connection c = reader.getConnection()) {
            return work.run(c);
        } catch (SQLException e) {
            throw unavailable(op, e);
        }
    }

    private void ensureOpen() throws UnavailableException {
        if (closed) {
            throw new UnavailableException("metadata store is closed");
        }
    }

    private static boolean rollback(Connection c, String op) {
        try {
            c.rollback();
            return true;
        } catch (SQLException e) {
            log.debug("store_rollback_failed op={} error={}", op, e.toString());
            return false;
        }
    }

    private UnavailableException unavailable(String op, SQLException e) {
        String ref = UUID.randomUUID().toString().substring(0, 8);
        log.warn("store_unavailable store={} op={} ref={} sql_state={} code={} error={}",
                name, op, ref, e.getSQLState(), e.getErrorCode(), e.toString());
        return new UnavailableException("metadata store unavailable, retry later (ref=" + ref + ")", e);
    }

    private static IllegalStateException unexpected(KmsException e) {
        // Unreachable by construction: each single-write method can only fail the ways it declares.
        return new IllegalStateException("unexpected store failure " + e.errorCode(), e);
    }

    private static void where(KeyFilter f, StringBuilder sql, List<Object> p) {
        sql.append(" WHERE 1 = 1");
        if (!f.states().isEmpty()) {
            sql.append(" AND k.state IN (").append(String.join(", ", java.util.Collections.nCopies(f.states().size(), "?"))).append(')');
            f.states().stream().sorted().forEach(s -> p.add(s.name()));
        }
        if (f.owner() != null) {
            sql.append(" AND k.owner_identity = ?");
            p.add(f.owner());
        }
        if (f.algorithm() != null) {
            sql.append(" AND k.algorithm = ?");
            p.add(f.algorithm());
        }
        if (f.objectType() != null) {
            sql.append(" AND k.object_type = ?");
            p.add(f.objectType());
        }
        if (f.lengthBits() != null) {
            sql.append(" AND k.length_bits = ?");
            p.add(f.lengthBits());
        }
        if (f.usageMaskAll() != 0) {
            sql.append(" AND (k.usage_mask & ?) = ?");
            p.add(f.usageMaskAll());
            p.add(f.usageMaskAll());
        }
        if (f.name() != null) {
            sql.append(" AND EXISTS (SELECT 1 FROM kms_key_name n WHERE n.key_id = k.id AND n.name = ?)");
            p.add(f.name());
        }
        for (Attribute a : f.attributes()) {
            sql.append(" AND EXISTS (SELECT 1 FROM kms_key_attribute a WHERE a.key_id = k.id AND a.name = ? AND a.value_digest = ?)");
            p.add(a.name());
            p.add(StoreJson.valueDigest(a.value()));
        }
        if (f.visibleTo() != null) {
            sql.append(" AND (k.owner_identity = ? OR EXISTS (SELECT 1 FROM kms_grant g WHERE g.key_id = k.id AND g.grantee = ?))");
            p.add(f.visibleTo());
            p.add(f.visibleTo());
        }
    }

    private static void bindAll(PreparedStatement ps, List<Object> params) throws SQLException {
        for (int i = 0; i < params.size(); i++) {
            ps.setObject(i + 1, params.get(i));
        }
    }

    /** Binds every column but the id, from {@code i}; returns the next index. */
    private static int bindColumns(PreparedStatement ps, int i, KeyRecord r) throws SQLException {
        ps.setString(i++, r.objectType());
        ps.setString(i++, r.algorithm());
        if (r.lengthBits() == null) {
            ps.setNull(i++, Types.INTEGER);
        } else {
            ps.setInt(i++, r.lengthBits());
        }
        ps.setInt(i++, r.usageMask());
        ps.setString(i++, r.state().name());
        ps.setString(i++, r.owner());
        ps.setBoolean(i++, r.extractable());
        ps.setString(i++, r.hsmLabel());
        for (Instant t : new Instant[] {r.initialDate(), r.activationDate(), r.deactivationDate(), r.compromiseDate(),
                r.compromiseOccurrenceDate(), r.destroyDate(), r.lastChangeDate()}) {
            if (t == null) {
                ps.setNull(i++, Types.BIGINT);
            } else {
                ps.setLong(i++, t.toEpochMilli());
            }
        }
        ps.setString(i++, r.revocationReason());
        ps.setString(i++, r.revocationMessage());
        ps.setString(i++, StoreJson.names(r.names()));
        ps.setString(i++, StoreJson.links(r.links()));
        ps.setString(i++, StoreJson.attributes(r.attributes()));
        ps.setLong(i++, r.version());
        return i;
    }

    private static KeyRecord toRecord(ResultSet rs) throws SQLException {
        int lengthBits = rs.getInt(4);
        Integer length = rs.wasNull() ? null : lengthBits;
        return new KeyRecord(
                rs.getString(1), rs.getString(2), rs.getString(3), length, rs.getInt(5),
                KeyState.valueOf(rs.getString(6)),
                StoreJson.names(rs.getString(19)),
                instant(rs, 10), instant(rs, 11), instant(rs, 12), instant(rs, 13), instant(rs, 14), instant(rs, 15), instant(rs, 16),
                rs.getString(7), rs.getBoolean(8), rs.getString(9),
                StoreJson.links(rs.getString(20)),
                StoreJson.attributes(rs.getString(21)),
                rs.getString(17), rs.getString(18), rs.getLong(22));
    }

    private static Instant instant(ResultSet rs, int column) throws SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? null : Instant.ofEpochMilli(v);
    }

    private static Optional<Grant> toGrant(ResultSet rs) throws SQLException {
        Set<Permission> perms = EnumSet.noneOf(Permission.class);
        for (String s : rs.getString(3).split(",")) {
            try {
                perms.add(Permission.valueOf(s.trim()));
            } catch (IllegalArgumentException unknown) {
                // A permission written by a newer node: ignoring it only ever denies more.
                log.warn("store_unknown_permission key_id={} permission={}", rs.getString(1), s.trim());
            }
        }
        return perms.isEmpty() ? Optional.empty() : Optional.of(new Grant(rs.getString(1), rs.getString(2), perms));
    }

    /**
     * True for a value no stored text can equal: every stored identifier, name and identity is
     * free of control characters ({@link Checks}), and PostgreSQL cannot even compare text
     * holding NUL. Such lookups match nothing, without asking the database.
     */
    private static boolean unmatchable(String v) {
        if (v == null) {
            return false;
        }
        for (int i = 0; i < v.length(); i++) {
            if (Character.isISOControl(v.charAt(i))) {
                return true;
            }
        }
        return false;
    }

    private static boolean unmatchable(KeyFilter f) {
        if (unmatchable(f.owner()) || unmatchable(f.algorithm()) || unmatchable(f.objectType())
                || unmatchable(f.name()) || unmatchable(f.visibleTo())) {
            return true;
        }
        for (Attribute a : f.attributes()) {
            if (unmatchable(a.name())) {
                return true;
            }
        }
        return false;
    }

    private static String encodeCursor(String id) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString((CURSOR_PREFIX + id).getBytes(StandardCharsets.UTF_8));
    }

    private static String decodeCursor(String cursor) throws InvalidRequestException {
        try {
            String s = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            if (s.startsWith(CURSOR_PREFIX) && s.length() > CURSOR_PREFIX.length() && !unmatchable(s)) {
                return s.substring(CURSOR_PREFIX.length());
            }
        } catch (IllegalArgumentException e) {
            // fall through
        }
        throw new InvalidRequestException("invalid page cursor");
    }

    private static String prefixed(String columns) {
        return java.util.Arrays.stream(columns.split(",\\s*")).map(c -> "k." + c).collect(Collectors.joining(", "));
    }
}
