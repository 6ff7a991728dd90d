package io.kekvault.kms.vault;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

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
            String v = System.getenv(variable);
            if (v == null || v.isEmpty()) {
                throw new IllegalStateException("PIN environment variable " + variable + " is not set");
            }
            return v.toCharArray();
        }

        @Override
        public String describe() {
            return "env:" + variable;
        }
    }

    record File(Path path) implements PinSource {
        @Override
        public char[] read() {
            byte[] raw;
            try {
                raw = Files.readAllBytes(path);
            } catch (IOException e) {
                throw new IllegalStateException("cannot read PIN file " + path + ": " + e.getClass().getSimpleName());
            }
            try {
                int end = raw.length;
                while (end > 0 && (raw[end - 1] == '\n' || raw[end - 1] == '\r')) {
                    end--;
                }
                CharBuffer cb = StandardCharsets.UTF_8.decode(ByteBuffer.wrap(raw, 0, end));
                char[] pin = Arrays.copyOf(cb.array(), cb.limit());
                Arrays.fill(cb.array(), '\0');
                if (pin.length == 0) {
                    throw new IllegalStateException("PIN file " + path + " is empty");
                }
                return pin;
            } finally {
                Arrays.fill(raw, (byte) 0);
            }
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
