package io.kekvault.kms.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The JSON text columns (names, links, attributes) and the digest of an attribute value used to
 * match attributes in SQL. The format is part of the schema: change it only with a migration.
 *
 * <pre>
 * names:      ["name-1", "name-2"]
 * links:      [{"type":"REPLACED_OBJECT_LINK","id":"..."}]
 * attributes: [{"name":"x-Vendor","type":"TEXT_STRING","value":"VMware"}, ...]
 * </pre>
 * Value encodings: INTEGER, ENUMERATION, INTERVAL and LONG_INTEGER as numbers, BIG_INTEGER as a
 * decimal string, BOOLEAN as a boolean, BYTE_STRING as lower-case hex, DATE_TIME as an ISO-8601
 * instant, STRUCTURE as an array of attribute objects.
 */
final class StoreJson {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private StoreJson() {
    }

    static String names(List<String> names) {
        ArrayNode a = MAPPER.createArrayNode();
        names.forEach(a::add);
        return write(a);
    }

    static List<String> names(String json) {
        List<String> out = new ArrayList<>();
        for (JsonNode n : read(json)) {
            out.add(n.textValue());
        }
        return out;
    }

    static String links(List<KeyLink> links) {
        ArrayNode a = MAPPER.createArrayNode();
        for (KeyLink l : links) {
            a.addObject().put("type", l.linkType()).put("id", l.linkedId());
        }
        return write(a);
    }

    static List<KeyLink> links(String json) {
        List<KeyLink> out = new ArrayList<>();
        for (JsonNode n : read(json)) {
            out.add(new KeyLink(n.get("type").textValue(), n.get("id").textValue()));
        }
        return out;
    }

    static String attributes(List<Attribute> attributes) {
        return write(attributeArray(attributes));
    }

    static List<Attribute> attributes(String json) {
        return attributeList(read(json));
    }

    /**
     * SHA-256 (hex) over the value's type and canonical JSON. Indexed in SQL instead of the value
     * itself, so arbitrarily long values stay indexable in every database.
     */
    static String valueDigest(AttributeValue v) {
        String canonical = v.type().name() + ":" + write(valueNode(v));
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(canonical.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from the JDK", e);
        }
    }

    private static ArrayNode attributeArray(List<Attribute> attributes) {
        ArrayNode a = MAPPER.createArrayNode();
        for (Attribute attr : attributes) {
            ObjectNode o = a.addObject();
            o.put("name", attr.name());
            o.put("type", attr.value().type().name());
            o.set("value", valueNode(attr.value()));
        }
        return a;
    }

    private static JsonNode valueNode(AttributeValue v) {
        var f = MAPPER.getNodeFactory();
        return switch (v) {
            case AttributeValue.Text t -> f.textNode(t.value());
            case AttributeValue.Int i -> f.numberNode(i.value());
            case AttributeValue.LongInt l -> f.numberNode(l.value());
            case AttributeValue.BigInt b -> f.textNode(b.value().toString());
            case AttributeValue.Enumeration e -> f.numberNode(e.value());
            case AttributeValue.Bool b -> f.booleanNode(b.value());
            case AttributeValue.Bytes b -> f.textNode(b.hex());
            case AttributeValue.DateTime d -> f.textNode(d.value().toString());
            case AttributeValue.Interval i -> f.numberNode(i.seconds());
            case AttributeValue.Struct s -> attributeArray(s.fields());
        };
    }

    private static List<Attribute> attributeList(JsonNode array) {
        List<Attribute> out = new ArrayList<>();
        for (JsonNode n : array) {
            out.add(new Attribute(n.get("name").textValue(), value(n.get("type").textValue(), n.get("value"))));
        }
        return out;
    }

    private static AttributeValue value(String type, JsonNode v) {
        return switch (AttributeValue.Type.valueOf(type)) {
            case TEXT_STRING -> AttributeValue.text(v.textValue());
            case INTEGER -> AttributeValue.integer(v.intValue());
            case LONG_INTEGER -> AttributeValue.longInteger(v.longValue());
            case BIG_INTEGER -> AttributeValue.bigInteger(new BigInteger(v.textValue()));
            case ENUMERATION -> AttributeValue.enumeration(v.intValue());
            case BOOLEAN -> AttributeValue.bool(v.booleanValue());
            case BYTE_STRING -> AttributeValue.bytes(HexFormat.of().parseHex(v.textValue()));
            case DATE_TIME -> AttributeValue.dateTime(Instant.parse(v.textValue()));
            case INTERVAL -> AttributeValue.interval(v.longValue());
            case STRUCTURE -> AttributeValue.structure(attributeList(v));
        };
    }

    private static String write(JsonNode n) {
        try {
            return MAPPER.writeValueAsString(n);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize metadata JSON", e);
        }
    }

    private static JsonNode read(String json) {
        try {
            JsonNode n = MAPPER.readTree(json);
            if (n == null || !n.isArray()) {
                throw new IllegalStateException("stored metadata JSON is not an array");
            }
            return n;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored metadata JSON is unreadable", e);
        }
    }
}
