package io.kekvault.esxi.vm;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * A VM configuration file: {@code key = "value"} lines in order, as VMware writes them. Values are
 * quoted; a backslash or quote inside a value is escaped with {@code |5C} / {@code |22} (VMware's
 * {@code |XX} hex escape), so every value stays on one line. Blank lines and {@code #} comments are
 * not kept. Mutable, not thread-safe; {@link #save} replaces the file atomically.
 */
public final class VmxFile {
    private final LinkedHashMap<String, String> entries = new LinkedHashMap<>();

    public static VmxFile read(Path file) throws IOException {
        return parse(Files.readString(file, StandardCharsets.UTF_8));
    }

    public static VmxFile parse(String text) throws IOException {
        VmxFile f = new VmxFile();
        int lineNo = 0;
        for (String raw : text.split("\n", -1)) {
            lineNo++;
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int eq = line.indexOf('=');
            if (eq <= 0) {
                throw new IOException("line " + lineNo + ": expected key = \"value\"");
            }
            String key = line.substring(0, eq).strip();
            String value = line.substring(eq + 1).strip();
            if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
                value = unescape(value.substring(1, value.length() - 1));
            }
            f.entries.put(key, value);
        }
        return f;
    }

    public String get(String key) {
        return entries.get(key);
    }

    public String getOrDefault(String key, String def) {
        return entries.getOrDefault(key, def);
    }

    public VmxFile set(String key, String value) {
        if (value == null) {
            entries.remove(key);
        } else {
            entries.put(key, value);
        }
        return this;
    }

    public VmxFile remove(String key) {
        entries.remove(key);
        return this;
    }

    /** Removes and returns the entries whose key matches. */
    public Map<String, String> removeIf(Predicate<String> keyTest) {
        Map<String, String> out = new LinkedHashMap<>();
        entries.entrySet().removeIf(e -> {
            if (keyTest.test(e.getKey())) {
                out.put(e.getKey(), e.getValue());
                return true;
            }
            return false;
        });
        return out;
    }

    public Map<String, String> entries() {
        return Collections.unmodifiableMap(entries);
    }

    public List<String> keys() {
        return new ArrayList<>(entries.keySet());
    }

    public String format() {
        StringBuilder b = new StringBuilder();
        entries.forEach((k, v) -> b.append(k).append(" = \"").append(escape(v)).append("\"\n"));
        return b.toString();
    }

    /** Replaces {@code file} with this content atomically (see {@link AtomicFiles}). */
    public void save(Path file) throws IOException {
        AtomicFiles.write(file, format().getBytes(StandardCharsets.UTF_8));
    }

    static String escape(String v) {
        StringBuilder b = new StringBuilder(v.length());
        for (char c : v.toCharArray()) {
            switch (c) {
                case '|' -> b.append("|7C");
                case '"' -> b.append("|22");
                case '\\' -> b.append("|5C");
                case '\n' -> b.append("|0A");
                case '\r' -> b.append("|0D");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    static String unescape(String v) {
        if (v.indexOf('|') < 0) {
            return v;
        }
        StringBuilder b = new StringBuilder(v.length());
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c == '|' && i + 2 < v.length()) {
                try {
                    b.append((char) Integer.parseInt(v.substring(i + 1, i + 3), 16));
                    i += 2;
                    continue;
                } catch (NumberFormatException ignored) {
                    // not an escape: keep the bar
                }
            }
            b.append(c);
        }
        return b.toString();
    }
}
