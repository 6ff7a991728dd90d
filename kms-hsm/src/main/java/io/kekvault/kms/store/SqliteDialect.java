package io.kekvault.kms.store;

import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

import java.sql.SQLException;

/** xerial sqlite-jdbc reports constraints through (extended) SQLite result codes, not SQLState. */
final class SqliteDialect implements SqlDialect {
    static final SqliteDialect INSTANCE = new SqliteDialect();

    private SqliteDialect() {
    }

    @Override
    public String name() {
        return "sqlite";
    }

    @Override
    public boolean isUniqueViolation(SQLException e) {
        if (e instanceof SQLiteException s) {
            SQLiteErrorCode c = s.getResultCode();
            if (c == SQLiteErrorCode.SQLITE_CONSTRAINT_PRIMARYKEY || c == SQLiteErrorCode.SQLITE_CONSTRAINT_UNIQUE) {
                return true;
            }
        }
        return baseConstraint(e) && message(e).contains("UNIQUE constraint failed");
    }

    @Override
    public boolean isForeignKeyViolation(SQLException e) {
        if (e instanceof SQLiteException s && s.getResultCode() == SQLiteErrorCode.SQLITE_CONSTRAINT_FOREIGNKEY) {
            return true;
        }
        return baseConstraint(e) && message(e).contains("FOREIGN KEY constraint failed");
    }

    @Override
    public String binaryCollation() {
        return "";
    }

    private static boolean baseConstraint(SQLException e) {
        return (e.getErrorCode() & 0xFF) == SQLiteErrorCode.SQLITE_CONSTRAINT.code;
    }

    private static String message(SQLException e) {
        return e.getMessage() == null ? "" : e.getMessage();
    }
}
