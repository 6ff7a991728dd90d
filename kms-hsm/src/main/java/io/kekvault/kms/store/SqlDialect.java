package io.kekvault.kms.store;

import java.sql.SQLException;

/**
 * What differs between the databases behind {@link JdbcMetadataStore}: how each reports a
 * constraint violation. The SQL itself, and the migrations, are one common subset of SQLite and
 * PostgreSQL. A PostgreSQL dialect answers from the SQLState: 23505 unique, 23503 foreign key.
 */
interface SqlDialect {
    String name();

    /** A primary-key or unique constraint was violated. */
    boolean isUniqueViolation(SQLException e);

    /** A foreign-key constraint was violated (the referenced key is gone). */
    boolean isForeignKeyViolation(SQLException e);

    /** SQLState-based answers, for drivers that set it (PostgreSQL, most others). */
    SqlDialect STANDARD = new SqlDialect() {
        @Override
        public String name() {
            return "standard";
        }

        @Override
        public boolean isUniqueViolation(SQLException e) {
            return "23505".equals(e.getSQLState());
        }

        @Override
        public boolean isForeignKeyViolation(SQLException e) {
            return "23503".equals(e.getSQLState());
        }
    };
}
