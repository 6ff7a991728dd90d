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
     * Appended to identifier comparisons and ORDER BY so that listing order, and with it keyset
     * paging, is byte order on every database: SQLite compares text in binary already, PostgreSQL
     * uses the database's collation unless told {@code COLLATE "C"}.
     */
    String binaryCollation();

    /**
     * For the PostgreSQL store: answers from the SQLState (23505 unique, 23503 foreign key).
     * Not exercised until that store and its contract test subclass exist.
     */
    SqlDialect POSTGRESQL = new SqlDialect() {
        @Override
        public String name() {
            return "postgresql";
        }

        @Override
        public boolean isUniqueViolation(SQLException e) {
            return "23505".equals(e.getSQLState());
        }

        @Override
        public boolean isForeignKeyViolation(SQLException e) {
            return "23503".equals(e.getSQLState());
        }

        @Override
        public String binaryCollation() {
            return " COLLATE \"C\"";
        }
    };
}
