package io.kekvault.kms.store;

import java.sql.SQLException;

/**
 * PostgreSQL answers with SQLState codes (pgjdbc passes them through): 23505 unique, 23503
 * foreign key, 40001 serialization failure, 40P01 deadlock, class 22 data exceptions.
 */
final class PostgresDialect implements SqlDialect {
    static final PostgresDialect INSTANCE = new PostgresDialect();

    private PostgresDialect() {
    }

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
    public boolean isRetryable(SQLException e) {
        return "40001".equals(e.getSQLState()) || "40P01".equals(e.getSQLState());
    }

    /** Class 22, e.g. 22021 (a NUL character in text), 22001 (value too long), 22003 (out of range). */
    @Override
    public boolean isInvalidValue(SQLException e) {
        String s = e.getSQLState();
        return s != null && s.startsWith("22");
    }

    @Override
    public String lockForUpdate() {
        return " FOR UPDATE";
    }

    @Override
    public String binaryCollation() {
        return " COLLATE \"C\"";
    }
}
