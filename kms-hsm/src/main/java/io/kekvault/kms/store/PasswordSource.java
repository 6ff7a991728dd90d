package io.kekvault.kms.store;

import io.kekvault.secret.SecretText;
import java.nio.file.Path;

/**
 * Where the database password comes from: an environment variable or a file, never a literal in
 * the configuration. It is read afresh for every new database connection, so a rotated password
 * file takes effect without a restart, and no copy is kept between connections.
 * {@link #describe()} names the source, never the password.
 */
public sealed interface PasswordSource {

    /**
     * A fresh copy of the password; the caller clears it after use.
     *
     * @throws IllegalStateException if the source is unset, unreadable or empty (message names
     *         the source only)
     */
    char[] read();

    /** The source for logs and errors, e.g. {@code file:/etc/kekvault/db-password}. */
    String describe();

    /** {@code env:NAME}. */
    record Env(String variable) implements PasswordSource {
        @Override
        public char[] read() {
            return SecretText.fromEnv(variable, "database password");
        }

        @Override
        public String describe() {
            return "env:" + variable;
        }
    }

    /** {@code file:/path}: the file's content, without trailing newlines (UTF-8). */
    record File(Path path) implements PasswordSource {
        @Override
        public char[] read() {
            return SecretText.fromFile(path, "database password");
        }

        @Override
        public String describe() {
            return "file:" + path;
        }
    }

    /**
     * Parses {@code env:NAME} or {@code file:/path}; a relative file path is resolved against
     * {@code base} (the configuration file's directory), when given.
     */
    static PasswordSource parse(String spec, Path base) {
        if (spec == null || spec.isBlank()) {
            throw new IllegalArgumentException("a database password source is required (env:NAME or file:/path)");
        }
        if (spec.startsWith("env:") && spec.length() > 4) {
            return new Env(spec.substring(4));
        }
        if (spec.startsWith("file:") && spec.length() > 5) {
            Path p = Path.of(spec.substring(5));
            return new File(base == null ? p : base.resolve(p).normalize());
        }
        throw new IllegalArgumentException("the database password must be env:NAME or file:/path, not a literal password");
    }
}
