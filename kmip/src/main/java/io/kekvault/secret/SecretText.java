package io.kekvault.secret;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Reads a short secret (token PIN, database password) from an environment variable or a file.
 * Every call returns a fresh {@code char[]} that the caller clears after use; the intermediate
 * byte and char buffers are cleared here. Error messages name the source, never the secret.
 */
public final class SecretText {
    private SecretText() {
    }

    /**
     * The value of {@code variable}.
     *
     * @param what the secret's name in error messages, e.g. "PIN"
     * @throws IllegalStateException if the variable is unset or empty
     */
    public static char[] fromEnv(String variable, String what) {
        String v = System.getenv(variable);
        if (v == null || v.isEmpty()) {
            throw new IllegalStateException(what + " environment variable " + variable + " is not set");
        }
        return v.toCharArray();
    }

    /**
     * The file's content as UTF-8, without trailing newlines.
     *
     * @param what the secret's name in error messages, e.g. "database password"
     * @throws IllegalStateException if the file cannot be read or holds nothing
     */
    public static char[] fromFile(Path path, String what) {
        byte[] raw;
        try {
            raw = Files.readAllBytes(path);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + what + " file " + path + ": " + e.getClass().getSimpleName());
        }
        try {
            int end = raw.length;
            while (end > 0 && (raw[end - 1] == '\n' || raw[end - 1] == '\r')) {
                end--;
            }
            CharBuffer cb = StandardCharsets.UTF_8.decode(ByteBuffer.wrap(raw, 0, end));
            char[] secret = Arrays.copyOf(cb.array(), cb.limit());
            Arrays.fill(cb.array(), '\0');
            if (secret.length == 0) {
                throw new IllegalStateException(what + " file " + path + " is empty");
            }
            return secret;
        } finally {
            Arrays.fill(raw, (byte) 0);
        }
    }
}
