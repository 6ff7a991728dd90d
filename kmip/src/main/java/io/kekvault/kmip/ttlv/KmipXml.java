package io.kekvault.kmip.ttlv;

import io.kekvault.kmip.error.InvalidRequestException;
import io.kekvault.kmip.error.KmsException;
import io.kekvault.kmip.error.LimitExceededException;
import io.kekvault.kmip.error.ResultReason;

import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The KMIP XML encoding of the KMIP Profiles, in exactly the form of the OASIS test vectors:
 * {@code <UniqueIdentifier type="TextString" value="..."/>}, structures as elements without a
 * type, enumerations and mask bits by name ({@code value="Decrypt Encrypt"}), Byte Strings in hex,
 * Date-Times in ISO-8601. Tags without a name are written {@code <TTLV tag="0x540001" .../>}.
 *
 * <p>Reading is strict (unknown element names, unknown types, stray text and malformed values are
 * {@code INVALID_MESSAGE}); DTDs and external entities are disabled; the input size, nesting and
 * item count are bounded by {@link TtlvLimits} ({@link LimitExceededException}).
 */
public final class KmipXml {
    private static final String KMIP_ROOT = "KMIP";
    private static final String TTLV_ELEMENT = "TTLV";

    private KmipXml() {
    }

    /** Reads one message (or any single item) from XML text. */
    public static TtlvItem read(String xml, TextCodecOptions options) throws KmsException {
        return read(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)), options);
    }

    public static TtlvItem read(String xml) throws KmsException {
        return read(xml, TextCodecOptions.STRICT);
    }

    /** Reads one item; a {@code <KMIP>} wrapper holding exactly one item is accepted too. */
    public static TtlvItem read(InputStream in, TextCodecOptions options) throws KmsException {
        List<TtlvItem> all = readAll(in, options);
        if (all.size() != 1) {
            throw TextValues.invalid("expected one KMIP message, found " + all.size());
        }
        return all.getFirst();
    }

    /**
     * Reads a vector file: a {@code <KMIP>} root holding a sequence of messages (comments are
     * skipped), or a single message.
     */
    public static List<TtlvItem> readAll(InputStream in, TextCodecOptions options) throws KmsException {
        Reader r = new Reader(options);
        XMLStreamReader x = null;
        try {
            // Read and decode UTF-8 ourselves (bounded): the XML parser then never sees bytes, so
            // it neither reports encoding errors on stderr nor honours another declared encoding.
            byte[] bytes = new BoundedInputStream(in, options.limits().maxTextBytes()).readAllBytes();
            String text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
            x = factory().createXMLStreamReader(new StringReader(text));
            while (x.next() != XMLStreamConstants.START_ELEMENT) {
                // prolog: comments, whitespace
            }
            List<TtlvItem> out = new ArrayList<>();
            if (x.getLocalName().equals(KMIP_ROOT) && x.getAttributeCount() == 0) {
                while (nextSignificant(x) == XMLStreamConstants.START_ELEMENT) {
                    out.add(r.element(x, 1));
                }
            } else {
                out.add(r.element(x, 1));
            }
            while (x.hasNext()) {
                int ev = x.next();
                if (ev == XMLStreamConstants.START_ELEMENT
                        || (ev == XMLStreamConstants.CHARACTERS && !x.isWhiteSpace())) {
                    throw TextValues.invalid("content after the end of the document element");
                }
            }
            return out;
        } catch (BoundedInputStream.LimitReached e) {
            throw new LimitExceededException("XML message exceeds " + options.limits().maxTextBytes() + " bytes");
        } catch (CharacterCodingException e) {
            throw new InvalidRequestException(ResultReason.INVALID_MESSAGE, "XML message is not valid UTF-8", null);
        } catch (IOException e) {
            throw new InvalidRequestException(ResultReason.INVALID_MESSAGE, "unreadable XML message", null);
        } catch (XMLStreamException e) {
            if (e.getNestedException() instanceof BoundedInputStream.LimitReached || e.getCause() instanceof BoundedInputStream.LimitReached) {
                throw new LimitExceededException("XML message exceeds " + options.limits().maxTextBytes() + " bytes");
            }
            throw new InvalidRequestException(ResultReason.INVALID_MESSAGE, "malformed XML: " + firstLine(e.getMessage()), null);
        } catch (RuntimeException e) {
            if (rootCause(e) instanceof BoundedInputStream.LimitReached) {
                throw new LimitExceededException("XML message exceeds " + options.limits().maxTextBytes() + " bytes");
            }
            throw new InvalidRequestException(ResultReason.INVALID_MESSAGE, "malformed XML", null);
        } finally {
            if (x != null) {
                try {
                    x.close();
                } catch (XMLStreamException ignored) {
                    // nothing more to read
                }
            }
        }
    }

    private static Throwable rootCause(Throwable t) {
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t;
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        String line = nl < 0 ? s : s.substring(nl + 1);
        return line.length() > 200 ? line.substring(0, 200) : line;
    }

    private static XMLInputFactory factory() {
        XMLInputFactory f = XMLInputFactory.newDefaultFactory();
        f.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        f.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        f.setProperty(XMLInputFactory.IS_REPLACING_ENTITY_REFERENCES, false);
        f.setProperty(XMLInputFactory.IS_COALESCING, true);
        return f;
    }

    /** Skips comments, whitespace and processing instructions; refuses other text. */
    private static int nextSignificant(XMLStreamReader x) throws XMLStreamException, InvalidRequestException {
        while (true) {
            int ev = x.next();
            switch (ev) {
                case XMLStreamConstants.START_ELEMENT, XMLStreamConstants.END_ELEMENT, XMLStreamConstants.END_DOCUMENT -> {
                    if (ev == XMLStreamConstants.END_DOCUMENT) {
                        throw TextValues.invalid("document ended inside an element");
                    }
                    return ev;
                }
                case XMLStreamConstants.CHARACTERS, XMLStreamConstants.SPACE, XMLStreamConstants.CDATA -> {
                    if (!x.isWhiteSpace()) {
                        throw TextValues.invalid("unexpected text inside " + x.getLocalName());
                    }
                }
                case XMLStreamConstants.COMMENT, XMLStreamConstants.PROCESSING_INSTRUCTION -> {
                }
                default -> throw TextValues.invalid("unexpected XML construct");
            }
        }
    }

    private static final class Reader {
        private final TextCodecOptions options;
        private int items;

        Reader(TextCodecOptions options) {
            this.options = options;
        }

        /** Reads the element the reader stands on (START_ELEMENT) up to its END_ELEMENT. */
        TtlvItem element(XMLStreamReader x, int depth) throws XMLStreamException, KmsException {
            return element(x, depth, null);
        }

        private TtlvItem element(XMLStreamReader x, int depth, String attributeName) throws XMLStreamException, KmsException {
            if (++items > options.limits().maxItems()) {
                throw new LimitExceededException("message has more than " + options.limits().maxItems() + " items");
            }
            String local = x.getLocalName();
            String tagAttr = null;
            String typeAttr = null;
            String valueAttr = null;
            for (int i = 0; i < x.getAttributeCount(); i++) {
                String n = x.getAttributeLocalName(i);
                switch (n) {
                    case "tag" -> tagAttr = x.getAttributeValue(i);
                    case "type" -> typeAttr = x.getAttributeValue(i);
                    case "value" -> valueAttr = x.getAttributeValue(i);
                    default -> throw TextValues.invalid("unknown attribute '" + TextValues.abbreviate(n) + "' on " + local);
                }
            }
            Tag tag;
            if (tagAttr != null) {
                final String ta = tagAttr;
                tag = Tag.forName(tagAttr).orElseThrow(() -> TextValues.invalid("unknown tag " + TextValues.abbreviate(ta)));
                if (!local.equals(TTLV_ELEMENT) && !local.equals(tag.name())) {
                    throw TextValues.invalid("element " + local + " has a tag attribute for another tag " + ta);
                }
            } else {
                tag = Tag.forName(local).filter(Tag::isKnown)
                        .orElseThrow(() -> TextValues.invalid("unknown tag name " + TextValues.abbreviate(local)));
            }
            ItemType type = ItemType.STRUCTURE;
            if (typeAttr != null) {
                final String ty = typeAttr;
                type = ItemType.fromEncodingName(typeAttr)
                        .orElseThrow(() -> TextValues.invalid("unknown type " + TextValues.abbreviate(ty) + " for " + tag.name()));
            }
            if (type == ItemType.STRUCTURE) {
                if (valueAttr != null) {
                    throw TextValues.invalid(tag.name() + " is a Structure and cannot have a value attribute");
                }
                if (depth > options.limits().maxDepth()) {
                    throw new LimitExceededException("structures nest deeper than " + options.limits().maxDepth() + " levels");
                }
                List<TtlvItem> children = new ArrayList<>();
                String siblingAttributeName = null;
                while (nextSignificant(x) == XMLStreamConstants.START_ELEMENT) {
                    TtlvItem child = element(x, depth + 1, siblingAttributeName);
                    if (child.tag().equals(Tag.ATTRIBUTE_NAME) && child instanceof TtlvTextString t) {
                        siblingAttributeName = t.value();
                    }
                    children.add(child);
                }
                return new TtlvStructure(tag, children);
            }
            if (valueAttr == null) {
                throw TextValues.invalid(tag.name() + " has no value attribute");
            }
            TtlvItem item = TextValues.parse(tag, type, valueAttr, attributeName, options.placeholders());
            if (nextSignificant(x) != XMLStreamConstants.END_ELEMENT) {
                throw TextValues.invalid(tag.name() + " is a " + type.encodingName() + " and cannot have child elements");
            }
            return item;
        }
    }

    // ---------------------------------------------------------------- writing
    // Written by hand rather than with an XMLStreamWriter: StAX writers leave line breaks and
    // tabs in attribute values unescaped, and attribute-value normalization would turn them into
    // spaces on the way back.

    /** The XML text of {@code item}, indented by two spaces like the OASIS vectors. */
    public static String write(TtlvItem item) {
        StringBuilder sb = new StringBuilder(256);
        element(sb, item, 0, null);
        return sb.append('\n').toString();
    }

    /** Writes {@code items} inside a {@code <KMIP>} root, the layout of a vector file. */
    public static String writeAll(List<? extends TtlvItem> items) {
        StringBuilder sb = new StringBuilder(1024).append("<KMIP>\n");
        for (TtlvItem i : items) {
            sb.append('\n');
            element(sb, i, 0, null);
            sb.append('\n');
        }
        return sb.append("\n</KMIP>\n").toString();
    }

    public static void write(TtlvItem item, Writer out) {
        try {
            out.write(write(item));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void element(StringBuilder sb, TtlvItem item, int indent, String attributeName) {
        Tag tag = item.tag();
        boolean named = tag.isKnown();
        String elementName = named ? tag.name() : TTLV_ELEMENT;
        sb.append('<').append(elementName);
        if (!named) {
            sb.append(" tag=\"").append(tag.hex()).append('"');
        }
        if (item instanceof TtlvStructure s) {
            if (!named) {
                sb.append(" type=\"Structure\"");
            }
            if (s.children().isEmpty()) {
                sb.append("/>");
                return;
            }
            sb.append('>');
            String sibling = null;
            for (TtlvItem c : s.children()) {
                sb.append('\n').append("  ".repeat(indent + 1));
                element(sb, c, indent + 1, sibling);
                if (c.tag().equals(Tag.ATTRIBUTE_NAME) && c instanceof TtlvTextString t) {
                    sibling = t.value();
                }
            }
            sb.append('\n').append("  ".repeat(indent)).append("</").append(elementName).append('>');
            return;
        }
        sb.append(" type=\"").append(item.type().encodingName()).append("\" value=\"");
        escapeAttribute(sb, TextValues.format(item, attributeName, " "), tag);
        sb.append("\"/>");
    }

    private static void escapeAttribute(StringBuilder sb, String v, Tag tag) {
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            switch (c) {
                case '&' -> sb.append("&amp;");
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '"' -> sb.append("&quot;");
                case '\n' -> sb.append("&#10;");
                case '\r' -> sb.append("&#13;");
                case '\t' -> sb.append("&#9;");
                default -> {
                    if (c < 0x20 || c == 0xFFFE || c == 0xFFFF) {
                        throw new IllegalArgumentException(tag.name() + " holds a character XML 1.0 cannot carry (U+"
                                + String.format("%04X", (int) c) + ")");
                    }
                    if (Character.isSurrogate(c)) {
                        if (Character.isHighSurrogate(c) && i + 1 < v.length() && Character.isLowSurrogate(v.charAt(i + 1))) {
                            sb.append(c).append(v.charAt(++i));
                        } else {
                            throw new IllegalArgumentException(tag.name() + " holds an unpaired surrogate");
                        }
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
    }
}
