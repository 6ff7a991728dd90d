package io.kekvault.kms.server.http;

import com.fasterxml.jackson.core.Base64Variants;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kekvault.kmip.error.InvalidRequestException;
import io.kekvault.kmip.error.ResultReason;
import io.kekvault.kms.op.Lifecycle;
import io.kekvault.kms.store.Attribute;
import io.kekvault.kms.store.AttributeValue;
import io.kekvault.kms.store.Grant;
import io.kekvault.kms.store.KeyLink;
import io.kekvault.kms.store.KeyRecord;
import io.kekvault.secret.SecretBytes;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * JSON of the HTTP API. Requests that carry DEKs are read with a streaming parser that decodes
 * base64 straight into byte arrays (no String copy of a DEK), and are strict: unknown members,
 * wrong types and bad base64 are refused with a precise message that never quotes the value.
 */
public final class JsonCodec {
    /** Bounded nesting and sizes, checked by the parser before it builds anything. */
    static final JsonFactory FACTORY = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(16).maxStringLength(1 << 20)
                    .maxNumberLength(32).build())
            .build();
    static final ObjectMapper MAPPER = new ObjectMapper(FACTORY);

    private JsonCodec() {
    }

    static InvalidRequestException invalid(String m) {
        return new InvalidRequestException(ResultReason.INVALID_FIELD, m, null);
    }

    // ------------------------------------------------------------------ plain requests

    /** Parses a JSON object; an empty body is an empty object. */
    static ObjectNode object(byte[] body) throws InvalidRequestException {
        if (body == null || body.length == 0) {
            return MAPPER.createObjectNode();
        }
        try {
            JsonNode n = MAPPER.readTree(body);
            if (n == null || !n.isObject()) {
                throw invalid("the request body must be a JSON object");
            }
            return (ObjectNode) n;
        } catch (IOException e) {
            throw new InvalidRequestException(ResultReason.INVALID_MESSAGE, "malformed JSON: " + safe(e), null);
        }
    }

    /** Jackson's location, never its excerpt of the input (which could be a secret). */
    private static String safe(IOException e) {
        if (e instanceof com.fasterxml.jackson.core.JsonProcessingException j && j.getLocation() != null) {
            return "syntax error at line " + j.getLocation().getLineNr() + ", column " + j.getLocation().getColumnNr();
        }
        return "unreadable body";
    }

    static void onlyFields(ObjectNode n, Set<String> allowed) throws InvalidRequestException {
        var it = n.fieldNames();
        while (it.hasNext()) {
            String f = it.next();
            if (!allowed.contains(f)) {
                throw invalid("unknown member '" + f + "' (allowed: " + new java.util.TreeSet<>(allowed) + ")");
            }
        }
    }

    static String text(ObjectNode n, String f) throws InvalidRequestException {
        JsonNode v = n.get(f);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw invalid("'" + f + "' must be a string");
        }
        return v.asText();
    }

    static Integer integer(ObjectNode n, String f) throws InvalidRequestException {
        JsonNode v = n.get(f);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isInt()) {
            throw invalid("'" + f + "' must be an integer");
        }
        return v.asInt();
    }

    static Boolean bool(ObjectNode n, String f) throws InvalidRequestException {
        JsonNode v = n.get(f);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isBoolean()) {
            throw invalid("'" + f + "' must be true or false");
        }
        return v.asBoolean();
    }

    static Instant instant(ObjectNode n, String f) throws InvalidRequestException {
        String s = text(n, f);
        if (s == null) {
            return null;
        }
        try {
            return Instant.parse(s);
        } catch (java.time.format.DateTimeParseException e) {
            throw invalid("'" + f + "' must be an ISO-8601 instant such as 2026-01-31T12:00:00Z");
        }
    }

    static List<String> strings(ObjectNode n, String f) throws InvalidRequestException {
        JsonNode v = n.get(f);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isArray()) {
            throw invalid("'" + f + "' must be an array of strings");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode e : v) {
            if (!e.isTextual()) {
                throw invalid("'" + f + "' must be an array of strings");
            }
            out.add(e.asText());
        }
        return out;
    }

    /** {"x-Vendor": "VMware, Inc."}: custom text attributes. */
    static List<Attribute> textAttributes(ObjectNode n, String f) throws InvalidRequestException {
        JsonNode v = n.get(f);
        if (v == null || v.isNull()) {
            return List.of();
        }
        if (!v.isObject()) {
            throw invalid("'" + f + "' must be an object of name: string");
        }
        List<Attribute> out = new ArrayList<>();
        var it = v.fields();
        while (it.hasNext()) {
            var e = it.next();
            if (!e.getValue().isTextual()) {
                throw invalid("attribute '" + e.getKey() + "' must be a string");
            }
            if (!e.getKey().startsWith("x-")) {
                throw invalid("custom attribute names start with 'x-' ('" + e.getKey() + "')");
            }
            out.add(Attribute.text(e.getKey(), e.getValue().asText()));
        }
        return out;
    }

    // ------------------------------------------------------------------ DEK-bearing requests

    /** A wrap/unwrap/rewrap request: a key id and items of binary fields. */
    record DekRequest(String keyId, List<Map<String, byte[]>> items, boolean batch) {
        void wipe() {
            for (Map<String, byte[]> m : items) {
                m.values().forEach(SecretBytes::wipe);
            }
        }
    }

    /**
     * Reads {@code {"keyId": .., <binary fields>}} or {@code {"keyId": .., "items": [{<binary fields>}]}}.
     *
     * @param binaryFields the base64 members an item may have
     * @param required     the ones it must have
     */
    static DekRequest dekRequest(byte[] body, Set<String> binaryFields, Set<String> required, boolean keyIdAllowed)
            throws InvalidRequestException {
        String keyId = null;
        List<Map<String, byte[]>> items = new ArrayList<>();
        Map<String, byte[]> single = new LinkedHashMap<>();
        boolean batch = false;
        try (JsonParser p = FACTORY.createParser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw invalid("the request body must be a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String f = p.currentName();
                JsonToken t = p.nextToken();
                if (f.equals("keyId") && keyIdAllowed) {
                    if (t != JsonToken.VALUE_STRING) {
                        throw invalid("'keyId' must be a string");
                    }
                    keyId = p.getText();
                } else if (f.equals("items")) {
                    if (t != JsonToken.START_ARRAY) {
                        throw invalid("'items' must be an array of objects");
                    }
                    batch = true;
                    while (p.nextToken() == JsonToken.START_OBJECT) {
                        items.add(readItem(p, binaryFields, items.size()));
                    }
                    if (p.currentToken() != JsonToken.END_ARRAY) {
                        throw invalid("'items' must be an array of objects");
                    }
                } else if (binaryFields.contains(f)) {
                    single.put(f, binary(p, f, t));
                } else {
                    throw invalid("unknown member '" + f + "'");
                }
            }
            if (p.currentToken() != JsonToken.END_OBJECT || p.nextToken() != null) {
                throw new InvalidRequestException(ResultReason.INVALID_MESSAGE, "malformed JSON: trailing content", null);
            }
        } catch (IOException e) {
            single.values().forEach(SecretBytes::wipe);
            items.forEach(m -> m.values().forEach(SecretBytes::wipe));
            throw new InvalidRequestException(ResultReason.INVALID_MESSAGE, "malformed JSON: " + safe(e), null);
        } catch (InvalidRequestException e) {
            single.values().forEach(SecretBytes::wipe);
            items.forEach(m -> m.values().forEach(SecretBytes::wipe));
            throw e;
        }
        if (batch && !single.isEmpty()) {
            new DekRequest(keyId, items, true).wipe();
            single.values().forEach(SecretBytes::wipe);
            throw invalid("give either 'items' or a single item's members, not both");
        }
        if (!batch) {
            items.add(single);
        }
        for (int i = 0; i < items.size(); i++) {
            for (String r : required) {
                if (!items.get(i).containsKey(r)) {
                    new DekRequest(keyId, items, batch).wipe();
                    throw new InvalidRequestException(ResultReason.MISSING_DATA,
                            (batch ? "item " + i + ": " : "") + "'" + r + "' is required", null);
                }
            }
        }
        return new DekRequest(keyId, items, batch);
    }

    private static Map<String, byte[]> readItem(JsonParser p, Set<String> binaryFields, int index) throws IOException,
            InvalidRequestException {
        Map<String, byte[]> m = new LinkedHashMap<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String f = p.currentName();
            JsonToken t = p.nextToken();
            if (!binaryFields.contains(f)) {
                m.values().forEach(SecretBytes::wipe);
                throw invalid("item " + index + ": unknown member '" + f + "'");
            }
            m.put(f, binary(p, "item " + index + ": '" + f + "'", t));
        }
        return m;
    }

    private static byte[] binary(JsonParser p, String what, JsonToken t) throws IOException, InvalidRequestException {
        if (t == JsonToken.VALUE_NULL) {
            return new byte[0];
        }
        if (t != JsonToken.VALUE_STRING) {
            throw invalid(what + " must be a base64 string");
        }
        try {
            return p.getBinaryValue(Base64Variants.MIME_NO_LINEFEEDS);
        } catch (IOException e) {
            throw invalid(what.startsWith("item") ? what + " is not valid base64" : "'" + what + "' is not valid base64");
        }
    }

    /** Writes {"field": base64} or {"items": [{...}]} from one or many items; wipes nothing. */
    static byte[] dekResponse(boolean batch, List<Map<String, Object>> items) {
        return io.kekvault.kmip.http.DekJson.write(null, batch, items);
    }

    // ------------------------------------------------------------------ responses

    static ObjectNode key(KeyRecord k) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("id", k.id());
        n.put("state", Lifecycle.display(k.state()));
        n.put("objectType", k.objectType());
        n.put("algorithm", k.algorithm());
        if (k.lengthBits() != null) {
            n.put("lengthBits", k.lengthBits());
        }
        n.put("usageMask", k.usageMask());
        ArrayNode names = n.putArray("names");
        k.names().forEach(names::add);
        n.put("owner", k.owner());
        n.put("extractable", k.extractable());
        ObjectNode dates = n.putObject("dates");
        date(dates, "initial", k.initialDate());
        date(dates, "activation", k.activationDate());
        date(dates, "deactivation", k.deactivationDate());
        date(dates, "compromise", k.compromiseDate());
        date(dates, "compromiseOccurrence", k.compromiseOccurrenceDate());
        date(dates, "destroy", k.destroyDate());
        date(dates, "lastChange", k.lastChangeDate());
        ArrayNode links = n.putArray("links");
        for (KeyLink l : k.links()) {
            links.addObject().put("type", l.linkType()).put("id", l.linkedId());
        }
        ObjectNode attrs = n.putObject("attributes");
        for (Attribute a : k.attributes()) {
            attrs.set(a.name(), attributeValue(a.value()));
        }
        if (k.revocationReason() != null) {
            n.putObject("revocation").put("reason", k.revocationReason()).put("message", k.revocationMessage());
        }
        n.put("version", k.version());
        return n;
    }

    private static void date(ObjectNode n, String f, Instant i) {
        if (i != null) {
            n.put(f, i.toString());
        }
    }

    static JsonNode attributeValue(AttributeValue v) {
        return switch (v) {
            case AttributeValue.Text t -> MAPPER.getNodeFactory().textNode(t.value());
            case AttributeValue.Int i -> MAPPER.getNodeFactory().numberNode(i.value());
            case AttributeValue.LongInt l -> MAPPER.getNodeFactory().numberNode(l.value());
            case AttributeValue.BigInt b -> MAPPER.getNodeFactory().textNode(b.value().toString());
            case AttributeValue.Enumeration e -> MAPPER.getNodeFactory().numberNode(e.value());
            case AttributeValue.Bool b -> MAPPER.getNodeFactory().booleanNode(b.value());
            case AttributeValue.Bytes b -> MAPPER.getNodeFactory().textNode(Base64.getEncoder().encodeToString(b.value()));
            case AttributeValue.DateTime d -> MAPPER.getNodeFactory().textNode(d.value().toString());
            case AttributeValue.Interval i -> MAPPER.getNodeFactory().numberNode(i.seconds());
            case AttributeValue.Struct s -> {
                ObjectNode o = MAPPER.createObjectNode();
                for (Attribute a : s.fields()) {
                    o.set(a.name(), attributeValue(a.value()));
                }
                yield o;
            }
        };
    }

    static ObjectNode grant(Grant g) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("keyId", g.keyId());
        n.put("identity", g.identity());
        ArrayNode p = n.putArray("permissions");
        g.permissions().stream().map(x -> x.name().toLowerCase(Locale.ROOT)).sorted().forEach(p::add);
        return n;
    }
}
