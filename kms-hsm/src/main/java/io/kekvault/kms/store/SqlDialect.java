package io.kekvault.kms.store;

import java.sql.SQLException;

/**
 * What differs between the databases behind {@link JdbcMetadataStore}; everything else, the
 * migrations included, is one common subset of SQLite and PostgreSQL.
 */
interface SqlDialect {
    String name();

    /** A primary-key or unique constraint was violated. */
    boolean isUniqueViolation(SQLException e);

    /** A foreign-key constraint was violated (the referenced key is gone). */
    boolean isForeignKeyViolation(SQLException e);

    /**
     * The transaction lost a race the database resolved by aborting it (deadlock, serialization
     * failure): it changed nothing and may simply run again.
     */
    default boolean isRetryable(SQLException e) {
        return false;
    }

    /**
     * The database refused a value itself (a character it cannot store, a value out of range):
     * the request is at fault, not the database, so this is no outage.
     */
    default boolean isInvalidValue(SQLException e) {
        return false;
    }

    /**
     * Appended to a SELECT of one record inside a write transaction so that the record stays
     * locked until commit; empty where the transaction is exclusive anyway (SQLite's one writer).
     */
    default String lockForUpdate() {
        return "";
    }

    /**
     * Appended to identifier comparisons and ORDER BY so that listing order, and with it keyset
     * paging, is byte order on every database: SQLite compares text in binary already, PostgreSQL
     * uses the database's collation unless told {@code COLLATE "C"}.
     */
    String binaryCollation();
}
