package io.kekvault.kmip.ttlv;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.kekvault.kmip.error.InvalidRequestException;
import io.kekvault.kmip.error.KmsException;
import io.kekvault.kmip.error.LimitExceededException;
import io.kekvault.kmip.error.ResultReason;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The KMIP JSON encoding of the KMIP Profiles: every item is {@code {"tag": ..., "type": ...,
 * "value": ...}}; a Structure's value is an array and its type may be omitted; tags are canonical
 * names or {@code "0x540001"}; enumerations are names (or {@code "0x0000000A"}); masks are names
 * joined by {@code |}; Integers and Intervals are numbers; Long Integers are numbers up to 2^52 and
 * hex strings beyond; Big Integers and Byte Strings are hex; Date-Times are ISO-8601 strings.
 *
 * <p>Reading is strict and bounded like {@link KmipXml}: duplicate keys, unknown keys, wrong JSON
 * kinds and malformed values are {@code INVALID_MESSAGE}; size, nesting and item limits are
 * {@link LimitExceededException}.
 */
public final class KmipJson {
    private static final long MAX_SAFE_NUMBER = 1L << 52;

    private KmipJson() {
    }

    private static ObjectMapper mapper(TtlvLimits limits) {
        JsonFactory f = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(2 * limits.maxDepth() + 4)
                        .maxStringLength((int) Math.min(Integer.MAX_VALUE, limits.maxTextBytes()))
                        .maxDocumentLength(limits.maxTextBytes())
                        .maxNumberLength(100)
                        .build())
                .build();
        return JsonMapper.builder(f)
                .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS)
                .build();
    }

    public static TtlvItem read(String json) throws KmsException {
        return read(json, TextCodecOptions.STRICT);
    }

    public static TtlvItem read(String json, TextCodecOptions options) throws KmsException {
        return read(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)), options);
    }

    /** Reads one item (an object). */
    public static TtlvItem read(InputStream in, TextCodecOptions options) throws KmsException {
        List<TtlvItem> all = readAll(in, options);
        if (all.size() != 1) {
            throw TextValues.invalid("expected one KMIP message, found " + all.size());
        }
        return all.getFirst();
    }

    /** Reads one object, or an array of objects (several messages). */
    public static List<TtlvItem> readAll(InputStream in, TextCodecOptions options) throws KmsException {
        JsonNode root;
        try {
            root = mapper(options.limits()).readTree(new BoundedInputStream(in, options.limits().maxTextBytes()));
        } catch (StreamConstraintsException e) {
            throw new LimitExceededException("JSON message exceeds the limits: " + e.getOriginalMessage());
        } catch (BoundedInputStream.LimitReached e) {
            throw new LimitExceededException("JSON message exceeds " + options.limits().maxTextBytes() + " bytes");
        } catch (JsonProcessingException e) {
            throw new InvalidRequestException(ResultReason.INVALID_MESSAGE, "malformed JSON: " + e.getOriginalMessage(), null);
        } catch (IOException e) {
            throw new InvalidRequestException(ResultReason.INVALID_MESSAGE, "unreadable JSON", null);
        }
        if (root == null || root.isMissingNode()) {
            throw TextValues.invalid("empty JSON document");
        }
        Converter c = new Converter(options);
        List<TtlvItem> out = new ArrayList<>();
        if (root.isArray()) {
            for (JsonNode n : root) {
                out.add(c.item(n, 1, null));
            }
        } else {
            out.add(c.item(root, 1, null));
        }
        return out;
    }

    private static final class Converter {
        private final TextCodecOptions options;
        private int items;

        Converter(TextCodecOptions options) {
            this.options = options;
        }

        TtlvItem item(JsonNode n, int depth, String attributeName) throws KmsException {
            if (++items > options.limits().maxItems()) {
                throw new LimitExceededException("message has more than " + options.limits().maxItems() + " items");
            }
            if (!n.isObject()) {
                throw TextValues.invalid("every item must be a JSON object with tag, type and value");
            }
            JsonNode tagNode = null;
            JsonNode typeNode = null;
            JsonNode valueNode = null;
            for (Map.Entry<String, JsonNode> e : n.properties()) {
                switch (e.getKey()) {
                    case "tag" -> tagNode = e.getValue();
                    case "type" -> typeNode = e.getValue();
                    case "value" -> valueNode = e.getValue();
                    default -> throw TextValues.invalid("unknown key '" + TextValues.abbreviate(e.getKey()) + "' in an item");
                }
            }
            if (tagNode == null || !tagNode.isTextual()) {
                throw TextValues.invalid("an item needs a string tag");
            }
            String tagText = tagNode.asText();
            Tag tag = Tag.forName(tagText).filter(t -> t.isKnown() || tagText.startsWith("0x") || tagText.startsWith("0X"))
                    .orElseThrow(() -> TextValues.invalid("unknown tag " + TextValues.abbreviate(tagText)));
            ItemType type = ItemType.STRUCTURE;
            if (typeNode != null) {
                if (!typeNode.isTextual()) {
                    throw TextValues.invalid(tag.name() + ": type must be a string");
                }
                type = ItemType.fromEncodingName(typeNode.asText())
                        .orElseThrow(() -> TextValues.invalid(tag.name() + ": unknown type"));
            }
            if (valueNode == null) {
                throw TextValues.invalid(tag.name() + " has no value");
            }
            if (type == ItemType.STRUCTURE) {
                if (!valueNode.isArray()) {
                    throw TextValues.invalid(tag.name() + " is a Structure; its value must be an array");
                }
                if (depth > options.limits().maxDepth()) {
                    throw new LimitExceededException("structures nest deeper than " + options.limits().maxDepth() + " levels");
                }
                List<TtlvItem> children = new ArrayList<>();
                String sibling = null;
                for (JsonNode c : valueNode) {
                    TtlvItem child = item(c, depth + 1, sibling);
                    if (child.tag().equals(Tag.ATTRIBUTE_NAME) && child instanceof TtlvTextString t) {
                        sibling = t.value();
                    }
                    children.add(child);
                }
                return new TtlvStructure(tag, children);
            }
            return scalar(tag, type, valueNode, attributeName);
        }

        private TtlvItem scalar(Tag tag, ItemType type, JsonNode v, String attributeName) throws KmsException {
            if (v.isTextual()) {
                if (type == ItemType.TEXT_STRING && !(options.placeholders() && TtlvPlaceholder.isPlaceholder(v.asText()))) {
                    return new TtlvTextString(tag, v.asText());
                }
                return TextValues.parse(tag, type, v.asText(), attributeName, options.placeholders());
            }
            if (v.isBoolean() && type == ItemType.BOOLEAN) {
                return new TtlvBoolean(tag, v.booleanValue());
            }
            if (v.isIntegralNumber()) {
                BigInteger b = v.bigIntegerValue();
                switch (type) {
                    case INTEGER, ENUMERATION -> {
                        if (b.bitLength() < 32) {
                            int i = b.intValue();
                            return type == ItemType.INTEGER ? new TtlvInteger(tag, i) : new TtlvEnumeration(tag, i);
                        }
                    }
                    case LONG_INTEGER -> {
                        if (b.bitLength() < 64) {
                            return new TtlvLongInteger(tag, b.longValue());
                        }
                    }
                    case BIG_INTEGER -> {
                        return new TtlvBigInteger(tag, b);
                    }
                    case INTERVAL -> {
                        if (b.signum() >= 0 && b.bitLength() <= 32) {
                            return new TtlvInterval(tag, b.longValue());
                        }
                    }
                    case DATE_TIME -> {
                        if (b.bitLength() < 64) {
                            return new TtlvDateTime(tag, b.longValue());
                        }
                    }
                    default -> {
                    }
                }
                throw TextValues.invalid(tag.name() + ": the number does not fit a " + type.encodingName());
            }
            throw TextValues.invalid(tag.name() + ": a " + type.encodingName() + " cannot be a JSON " + v.getNodeType().name().toLowerCase());
        }
    }

    // ---------------------------------------------------------------- writing

    /** Compact JSON text of {@code item}. */
    public static String write(TtlvItem item) {
        return write(item, false);
    }

    public static String write(TtlvItem item, boolean pretty) {
        StringWriter w = new StringWriter();
        try (JsonGenerator g = new JsonFactory().createGenerator(w)) {
            if (pretty) {
                g.useDefaultPrettyPrinter();
            }
            item(g, item, null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return w.toString();
    }

    private static void item(JsonGenerator g, TtlvItem item, String attributeName) throws IOException {
        g.writeStartObject();
        g.writeStringField("tag", item.tag().name());
        if (item instanceof TtlvStructure s) {
            if (!item.tag().isKnown()) {
                g.writeStringField("type", ItemType.STRUCTURE.encodingName());
            }
            g.writeArrayFieldStart("value");
            String sibling = null;
            for (TtlvItem c : s.children()) {
                item(g, c, sibling);
                if (c.tag().equals(Tag.ATTRIBUTE_NAME) && c instanceof TtlvTextString t) {
                    sibling = t.value();
                }
            }
            g.writeEndArray();
            g.writeEndObject();
            return;
        }
        g.writeStringField("type", item.type().encodingName());
        g.writeFieldName("value");
        switch (item) {
            case TtlvInteger i -> {
                Optional<EnumTable> mask = KmipRegistry.valueTable(i.tag(), attributeName).filter(EnumTable::isMask);
                if (mask.isPresent()) {
                    g.writeString(mask.get().formatMask(i.value(), "|"));
                } else {
                    g.writeNumber(i.value());
                }
            }
            case TtlvLongInteger l -> {
                if (Math.abs(l.value()) <= MAX_SAFE_NUMBER && l.value() != Long.MIN_VALUE) {
                    g.writeNumber(l.value());
                } else {
                    g.writeString(String.format("0x%016X", l.value()));
                }
            }
            case TtlvBoolean b -> g.writeBoolean(b.value());
            case TtlvInterval i -> g.writeNumber(i.seconds());
            default -> g.writeString(TextValues.format(item, attributeName, "|"));
        }
        g.writeEndObject();
    }
}
