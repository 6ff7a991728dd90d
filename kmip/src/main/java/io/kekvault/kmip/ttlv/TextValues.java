package io.kekvault.kmip.ttlv;

import io.kekvault.kmip.error.InvalidRequestException;
import io.kekvault.kmip.error.ResultReason;

import java.math.BigInteger;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.Optional;

/** Value spelling shared by the XML and JSON encodings (KMIP Profiles, "Value" rules). */
final class TextValues {
    private static final HexFormat HEX = HexFormat.of();
    private static final DateTimeFormatter SECONDS = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ssxxx");
    private static final DateTimeFormatter MICROS = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSSxxx");
    // ISO spelling only for four-digit years; other instants are written in hex.
    private static final long MIN_ISO_SECONDS = -62167219200L;  // 0000-01-01T00:00:00Z
    private static final long MAX_ISO_SECONDS = 253402300799L;  // 9999-12-31T23:59:59Z

    private TextValues() {
    }

    static InvalidRequestException invalid(String message) {
        return new InvalidRequestException(ResultReason.INVALID_MESSAGE, message, null);
    }

    /** The text spelling of a non-structure item; {@code maskSeparator} is " " in XML and "|" in JSON. */
    static String format(TtlvItem item, String attributeName, String maskSeparator) {
        return switch (item) {
            case TtlvInteger i -> {
                Optional<EnumTable> t = KmipRegistry.valueTable(i.tag(), attributeName).filter(EnumTable::isMask);
                yield t.isPresent() ? t.get().formatMask(i.value(), maskSeparator) : Integer.toString(i.value());
            }
            case TtlvLongInteger l -> Long.toString(l.value());
            case TtlvBigInteger b -> "0x" + HEX.withUpperCase().formatHex(b.encodedValue());
            case TtlvEnumeration e -> KmipRegistry.formatEnumeration(e.tag(), attributeName, e.value());
            case TtlvBoolean b -> Boolean.toString(b.value());
            case TtlvTextString t -> t.value();
            case TtlvByteString b -> HEX.formatHex(b.raw());
            case TtlvDateTime d -> formatSeconds(d.epochSeconds());
            case TtlvInterval i -> Long.toString(i.seconds());
            case TtlvDateTimeExtended d -> formatMicros(d.epochMicros());
            case TtlvPlaceholder p -> p.expression();
            case TtlvStructure s -> throw new IllegalArgumentException("a structure has no scalar value");
        };
    }

    static String formatSeconds(long s) {
        if (s < MIN_ISO_SECONDS || s > MAX_ISO_SECONDS) {
            return String.format("0x%016X", s);
        }
        return SECONDS.format(OffsetDateTime.ofInstant(Instant.ofEpochSecond(s), ZoneOffset.UTC));
    }

    static String formatMicros(long us) {
        long s = Math.floorDiv(us, 1_000_000L);
        if (s < MIN_ISO_SECONDS || s > MAX_ISO_SECONDS) {
            return String.format("0x%016X", us);
        }
        return MICROS.format(OffsetDateTime.ofInstant(Instant.EPOCH.plus(us, ChronoUnit.MICROS), ZoneOffset.UTC));
    }

    /** Parses the text spelling of a value of {@code type}. */
    static TtlvItem parse(Tag tag, ItemType type, String text, String attributeName, boolean placeholders)
            throws InvalidRequestException {
        if (placeholders && TtlvPlaceholder.isPlaceholder(text)) {
            return new TtlvPlaceholder(tag, type, text);
        }
        try {
            return switch (type) {
                case INTEGER -> new TtlvInteger(tag, parseInteger(tag, text, attributeName));
                case LONG_INTEGER -> new TtlvLongInteger(tag, parseLong(text, 16));
                case BIG_INTEGER -> new TtlvBigInteger(tag, parseBig(text));
                case ENUMERATION -> new TtlvEnumeration(tag, parseEnumeration(tag, text, attributeName));
                case BOOLEAN -> new TtlvBoolean(tag, parseBoolean(text));
                case TEXT_STRING -> new TtlvTextString(tag, text);
                case BYTE_STRING -> TtlvByteString.adopt(tag, parseHexBytes(text));
                case DATE_TIME -> new TtlvDateTime(tag, parseSeconds(text));
                case INTERVAL -> {
                    long v = parseLong(text, 8);
                    if (v < 0 || v > 0xFFFFFFFFL) {
                        throw invalid("out of range");
                    }
                    yield new TtlvInterval(tag, v);
                }
                case DATE_TIME_EXTENDED -> new TtlvDateTimeExtended(tag, parseMicros(text));
                case STRUCTURE -> throw invalid("a structure has no value attribute");
            };
        } catch (InvalidRequestException e) {
            throw invalid(tag.name() + ": invalid " + type.encodingName() + " value '" + abbreviate(text) + "' ("
                    + e.getMessage() + ")");
        } catch (RuntimeException e) {
            throw invalid(tag.name() + ": invalid " + type.encodingName() + " value '" + abbreviate(text) + "'");
        }
    }

    static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }

    private static boolean isHex(String s) {
        return s.length() > 2 && (s.startsWith("0x") || s.startsWith("0X"));
    }

    private static long parseHexNumber(String s, int maxBytes) throws InvalidRequestException {
        String h = s.substring(2);
        if (h.length() > maxBytes * 2) {
            throw invalid("more than " + maxBytes + " bytes of hex");
        }
        return Long.parseUnsignedLong(h, 16);
    }

    private static long parseLong(String s, int maxBytes) throws InvalidRequestException {
        String t = s.strip();
        if (isHex(t)) {
            return parseHexNumber(t, maxBytes);
        }
        return Long.parseLong(t);
    }

    private static int parseInteger(Tag tag, String text, String attributeName) throws InvalidRequestException {
        String t = text.strip();
        if (t.isEmpty()) {
            throw invalid("empty");
        }
        char c = t.charAt(0);
        if ((c >= '0' && c <= '9') || c == '-') {
            if (isHex(t)) {
                return (int) parseHexNumber(t, 4);
            }
            if (t.indexOf(' ') < 0 && t.indexOf('|') < 0) {
                return Integer.parseInt(t);
            }
        }
        EnumTable mask = KmipRegistry.valueTable(tag, attributeName).filter(EnumTable::isMask)
                .orElseThrow(() -> invalid("not a number and " + tag.name() + " has no mask names"));
        int v = 0;
        for (String part : t.split("[ |]+")) {
            if (part.isEmpty()) {
                continue;
            }
            if (isHex(part)) {
                v |= (int) parseHexNumber(part, 4);
            } else if (Character.isDigit(part.charAt(0))) {
                v |= Integer.parseInt(part);
            } else {
                v |= mask.value(part).orElseThrow(() -> invalid("unknown mask name " + abbreviate(part)));
            }
        }
        return v;
    }

    private static int parseEnumeration(Tag tag, String text, String attributeName) throws InvalidRequestException {
        String t = text.strip();
        if (isHex(t)) {
            return (int) parseHexNumber(t, 4);
        }
        if (!t.isEmpty() && Character.isDigit(t.charAt(0))) {
            long v = Long.parseLong(t);
            if (v < Integer.MIN_VALUE || v > 0xFFFFFFFFL) {
                throw invalid("out of range");
            }
            return (int) v;
        }
        EnumTable table = KmipRegistry.valueTable(tag, attributeName)
                .orElseThrow(() -> invalid("no names are known for " + tag.name() + "; use hex"));
        return table.value(t).orElseThrow(() -> invalid("unknown name for " + table.specName()));
    }

    private static boolean parseBoolean(String text) throws InvalidRequestException {
        String t = text.strip();
        if (t.equals("true")) {
            return true;
        }
        if (t.equals("false")) {
            return false;
        }
        if (isHex(t)) {
            long v = parseHexNumber(t, 8);
            if (v == 0 || v == 1) {
                return v == 1;
            }
        }
        throw invalid("a Boolean is true or false");
    }

    private static BigInteger parseBig(String text) {
        String t = text.strip();
        if (isHex(t)) {
            String h = t.substring(2);
            if (h.length() % 2 != 0) {
                h = "0" + h;
            }
            return new BigInteger(HEX.parseHex(h));
        }
        return new BigInteger(t);
    }

    static byte[] parseHexBytes(String text) {
        String t = text.strip();
        return HEX.parseHex(t);
    }

    private static long parseSeconds(String text) throws InvalidRequestException {
        String t = text.strip();
        if (isHex(t)) {
            return parseHexNumber(t, 8);
        }
        try {
            Instant i = OffsetDateTime.parse(t).toInstant();
            if (i.getNano() != 0) {
                throw invalid("a DateTime has whole seconds");
            }
            return i.getEpochSecond();
        } catch (DateTimeParseException e) {
            throw invalid("not ISO-8601 with an offset");
        }
    }

    private static long parseMicros(String text) throws InvalidRequestException {
        String t = text.strip();
        if (isHex(t)) {
            return parseHexNumber(t, 8);
        }
        try {
            Instant i = OffsetDateTime.parse(t).toInstant();
            if (i.getNano() % 1000 != 0) {
                throw invalid("a DateTimeExtended has microsecond precision");
            }
            return Math.addExact(Math.multiplyExact(i.getEpochSecond(), 1_000_000L), i.getNano() / 1000);
        } catch (DateTimeParseException e) {
            throw invalid("not ISO-8601 with an offset");
        }
    }
}
