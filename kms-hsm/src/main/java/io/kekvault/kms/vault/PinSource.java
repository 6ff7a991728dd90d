package io.kekvault.kms.vault;

import io.kekvault.secret.SecretText;
import java.nio.file.Path;

/**
 * Where the token PIN comes from: an environment variable or a file, never committed config.
 * The PIN is read afresh for each login (so recovery after a module re-initialisation needs no
 * PIN kept in memory) and handed out as a {@code char[]} the caller clears after use.
 * {@link #toString()} names the source, never the PIN.
 */
public sealed interface PinSource {

    /** A fresh copy of the PIN; the caller must {@code Arrays.fill(pin, '\0')} it after use. */
    char[] read();

    /** A description of the source for logs and errors (no secret). */
    String describe();

    record Env(String variable) implements PinSource {
        @Override
        public char[] read() {
            return SecretText.fromEnv(variable, "PIN");
        }

        @Override
        public String describe() {
            return "env:" + variable;
        }
    }

    record File(Path path) implements PinSource {
        @Override
        public char[] read() {
            return SecretText.fromFile(path, "PIN");
        }

        @Override
        public String describe() {
            return "file:" + path;
        }
    }

    /** Parses {@code env:NAME} or {@code file:/path}. */
    static PinSource parse(String spec) {
        if (spec == null) {
            throw new IllegalArgumentException("PIN source is required (env:NAME or file:/path)");
        }
        if (spec.startsWith("env:")) {
            return new Env(spec.substring(4));
        }
        if (spec.startsWith("file:")) {
            return new File(Path.of(spec.substring(5)));
        }
        throw new IllegalArgumentException("PIN source must be env:NAME or file:/path, not a literal PIN");
    }
}
