package io.kekvault.kms.audit;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;

/** The canonical form of {@link AuditRecord} (see there), its hash, and a strict parser. */
final class AuditCodec {
    static final int FORMAT_VERSION = 1;
    /** Longest line the writer can produce is far below this; anything longer is not a record. */
    static final int MAX_LINE_BYTES = 64 * 1024;
    private static final List<String> KEYS = List.of(
            "v", "seq", "time", "node", "identity", "op", "keyId", "result", "requestId", "detail", "prev", "hash");
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();
    private static final HexFormat HEX = HexFormat.of();

    private AuditCodec() {
    }

    /** Thrown by {@link #parse} with a short reason. */
    static final class MalformedRecordException extends Exception {
        MalformedRecordException(String reason) {
            super(reason);
        }
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from the JDK", e);
        }
    }

    static String genesis(String node) {
        return HEX.formatHex(sha256().digest(("kekvault-audit-genesis-v1\n" + node).getBytes(StandardCharsets.UTF_8)));
    }

    /** The event's fields between {@code "node"} and {@code "prev"}: built outside the log's lock. */
    static String eventFields(AuditEvent e) {
        return eventFields(e.identity(), e.operation(), e.keyId(), e.result(), e.requestId(), e.detail());
    }

    private static String eventFields(String identity, String op, String keyId, String result, String requestId, String detail) {
        StringBuilder b = new StringBuilder(160);
        b.append(",\"identity\":");
        string(b, identity);
        b.append(",\"op\":");
        string(b, op);
        b.append(",\"keyId\":");
        string(b, keyId);
        b.append(",\"result\":");
        string(b, result);
        b.append(",\"requestId\":");
        string(b, requestId);
        b.append(",\"detail\":");
        string(b, detail);
        return b.toString();
    }

    /** The canonical record without its hash: {@code {"v":1,…,"prev":"…"}}. */
    static String canonical(long seq, Instant time, String nodeJson, String eventFields, String prev) {
        return new StringBuilder(eventFields.length() + nodeJson.length() + 180)
                .append("{\"v\":").append(FORMAT_VERSION)
                .append(",\"seq\":").append(seq)
                .append(",\"time\":\"").append(time).append('"')
                .append(",\"node\":").append(nodeJson)
                .append(eventFields)
                .append(",\"prev\":\"").append(prev).append("\"}")
                .toString();
    }

    static String canonical(AuditRecord r) {
        return canonical(r.sequence(), r.time(), json(r.node()),
                eventFields(r.identity(), r.operation(), r.keyId(), r.result(), r.requestId(), r.detail()), r.previousHash());
    }

    static String hash(MessageDigest md, String canonical) {
        md.reset();
        return HEX.formatHex(md.digest(canonical.getBytes(StandardCharsets.UTF_8)));
    }

    /** The line as written: canonical record with the hash inserted before the closing brace, and a newline. */
    static byte[] line(String canonical, String hash) {
        String s = canonical.substring(0, canonical.length() - 1) + ",\"hash\":\"" + hash + "\"}\n";
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static String json(String s) {
        StringBuilder b = new StringBuilder(s == null ? 4 : s.length() + 2);
        string(b, s);
        return b.toString();
    }

    private static void string(StringBuilder b, String s) {
        if (s == null) {
            b.append("null");
            return;
        }
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\b' -> b.append("\\b");
                case '\f' -> b.append("\\f");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        b.append('"');
    }

    private static final byte[] SEQ_PREFIX = ("{\"v\":" + FORMAT_VERSION + ",\"seq\":").getBytes(StandardCharsets.US_ASCII);

    /** The sequence number from a line's fixed prefix without parsing it all, or -1. */
    static long sequenceOf(byte[] line) {
        if (line.length <= SEQ_PREFIX.length || !Arrays.equals(line, 0, SEQ_PREFIX.length, SEQ_PREFIX, 0, SEQ_PREFIX.length)) {
            return -1;
        }
        long v = 0;
        int i = SEQ_PREFIX.length;
        int digits = 0;
        for (; i < line.length && line[i] >= '0' && line[i] <= '9' && digits < 18; i++, digits++) {
            v = v * 10 + (line[i] - '0');
        }
        return digits > 0 && i < line.length && line[i] == ',' ? v : -1;
    }

    /** Parses one line (without its newline) strictly: exact keys, types and formats. */
    static AuditRecord parse(byte[] line) throws MalformedRecordException {
        if (line.length > MAX_LINE_BYTES) {
            throw new MalformedRecordException("line longer than " + MAX_LINE_BYTES + " bytes");
        }
        JsonNode n;
        try {
            n = MAPPER.readTree(line);
        } catch (IOException e) {
            throw new MalformedRecordException("not JSON");
        }
        if (n == null || !n.isObject()) {
            throw new MalformedRecordException("not a JSON object");
        }
        Iterator<String> names = n.fieldNames();
        for (String expected : KEYS) {
            if (!names.hasNext() || !expected.equals(names.next())) {
                throw new MalformedRecordException("fields are not exactly " + String.join(",", KEYS));
            }
        }
        if (names.hasNext()) {
            throw new MalformedRecordException("unexpected extra field");
        }
        if (!n.get("v").isInt() || n.get("v").intValue() != FORMAT_VERSION) {
            throw new MalformedRecordException("unsupported format version");
        }
        JsonNode seq = n.get("seq");
        if (!seq.isIntegralNumber() || !seq.canConvertToLong() || seq.longValue() < 1) {
            throw new MalformedRecordException("bad sequence number");
        }
        Instant time;
        try {
            time = Instant.parse(text(n, "time", false));
        } catch (DateTimeParseException e) {
            throw new MalformedRecordException("bad time");
        }
        return new AuditRecord(seq.longValue(), time, text(n, "node", false), text(n, "identity", false),
                text(n, "op", false), text(n, "keyId", true), text(n, "result", false), text(n, "requestId", true),
                text(n, "detail", true), hex(n, "prev"), hex(n, "hash"));
    }

    private static String text(JsonNode n, String key, boolean nullable) throws MalformedRecordException {
        JsonNode v = n.get(key);
        if (v.isNull() && nullable) {
            return null;
        }
        if (!v.isTextual()) {
            throw new MalformedRecordException("field " + key + " is not a string");
        }
        return v.textValue();
    }

    private static String hex(JsonNode n, String key) throws MalformedRecordException {
        String s = text(n, key, false);
        if (s.length() != 64 || !s.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
            throw new MalformedRecordException("field " + key + " is not a SHA-256 hex digest");
        }
        return s;
    }
}
