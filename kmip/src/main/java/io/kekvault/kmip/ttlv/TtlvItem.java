package io.kekvault.kmip.ttlv;

import io.kekvault.kmip.error.InvalidRequestException;
import io.kekvault.kmip.error.ResultReason;

import java.math.BigInteger;
import java.time.Instant;
import java.util.List;

/**
 * One KMIP item: a tag, a type and a value. Items form immutable trees (a {@link TtlvStructure}
 * holds its children); every codec (binary TTLV, XML, JSON) reads and writes this model.
 *
 * <p>The {@code as...} views return the value when the item has the expected type and throw
 * {@link InvalidRequestException} with reason {@code INVALID_FIELD} otherwise, with a message that
 * names the tag and both types, so a server can hand the exception straight to the client.
 *
 * <p>{@code toString()} never prints text or byte values (they can be passwords or key material),
 * only tags, types and lengths.
 */
public sealed interface TtlvItem
        permits TtlvStructure, TtlvInteger, TtlvLongInteger, TtlvBigInteger, TtlvEnumeration, TtlvBoolean,
                TtlvTextString, TtlvByteString, TtlvDateTime, TtlvInterval, TtlvDateTimeExtended, TtlvPlaceholder {

    Tag tag();

    ItemType type();

    /** The same value under another tag (used to move a value between the 1.x and 2.x attribute forms). */
    TtlvItem withTag(Tag tag);

    // ---- factories ----

    static TtlvStructure structure(Tag tag, TtlvItem... children) {
        return new TtlvStructure(tag, List.of(children));
    }

    static TtlvStructure structure(Tag tag, List<? extends TtlvItem> children) {
        return new TtlvStructure(tag, List.copyOf(children));
    }

    static TtlvInteger integer(Tag tag, int value) {
        return new TtlvInteger(tag, value);
    }

    static TtlvLongInteger longInteger(Tag tag, long value) {
        return new TtlvLongInteger(tag, value);
    }

    static TtlvBigInteger bigInteger(Tag tag, BigInteger value) {
        return new TtlvBigInteger(tag, value);
    }

    static TtlvEnumeration enumeration(Tag tag, int value) {
        return new TtlvEnumeration(tag, value);
    }

    static TtlvEnumeration enumeration(Tag tag, KmipEnum value) {
        return new TtlvEnumeration(tag, value.value());
    }

    static TtlvBoolean bool(Tag tag, boolean value) {
        return new TtlvBoolean(tag, value);
    }

    static TtlvTextString text(Tag tag, String value) {
        return new TtlvTextString(tag, value);
    }

    static TtlvByteString bytes(Tag tag, byte[] value) {
        return new TtlvByteString(tag, value);
    }

    static TtlvDateTime dateTime(Tag tag, Instant value) {
        return new TtlvDateTime(tag, value.getEpochSecond());
    }

    static TtlvInterval interval(Tag tag, long seconds) {
        return new TtlvInterval(tag, seconds);
    }

    static TtlvDateTimeExtended dateTimeExtended(Tag tag, Instant value) {
        return TtlvDateTimeExtended.of(tag, value);
    }

    // ---- typed views ----

    default TtlvStructure asStructure() throws InvalidRequestException {
        if (this instanceof TtlvStructure s) {
            return s;
        }
        throw wrongType(this, ItemType.STRUCTURE);
    }

    default int asInteger() throws InvalidRequestException {
        if (this instanceof TtlvInteger i) {
            return i.value();
        }
        throw wrongType(this, ItemType.INTEGER);
    }

    default long asLongInteger() throws InvalidRequestException {
        if (this instanceof TtlvLongInteger i) {
            return i.value();
        }
        throw wrongType(this, ItemType.LONG_INTEGER);
    }

    default BigInteger asBigInteger() throws InvalidRequestException {
        if (this instanceof TtlvBigInteger i) {
            return i.value();
        }
        throw wrongType(this, ItemType.BIG_INTEGER);
    }

    default int asEnumeration() throws InvalidRequestException {
        if (this instanceof TtlvEnumeration e) {
            return e.value();
        }
        throw wrongType(this, ItemType.ENUMERATION);
    }

    default boolean asBoolean() throws InvalidRequestException {
        if (this instanceof TtlvBoolean b) {
            return b.value();
        }
        throw wrongType(this, ItemType.BOOLEAN);
    }

    default String asText() throws InvalidRequestException {
        if (this instanceof TtlvTextString t) {
            return t.value();
        }
        throw wrongType(this, ItemType.TEXT_STRING);
    }

    /** A copy of the bytes. */
    default byte[] asBytes() throws InvalidRequestException {
        if (this instanceof TtlvByteString b) {
            return b.value();
        }
        throw wrongType(this, ItemType.BYTE_STRING);
    }

    default Instant asDateTime() throws InvalidRequestException {
        if (this instanceof TtlvDateTime d) {
            try {
                return d.instant();
            } catch (java.time.DateTimeException e) {
                throw new InvalidRequestException(ResultReason.INVALID_FIELD, tag().name() + " is out of the supported date range", null);
            }
        }
        throw wrongType(this, ItemType.DATE_TIME);
    }

    /** Interval in seconds (0 to 2^32-1). */
    default long asInterval() throws InvalidRequestException {
        if (this instanceof TtlvInterval i) {
            return i.seconds();
        }
        throw wrongType(this, ItemType.INTERVAL);
    }

    default Instant asDateTimeExtended() throws InvalidRequestException {
        if (this instanceof TtlvDateTimeExtended d) {
            return d.instant();
        }
        throw wrongType(this, ItemType.DATE_TIME_EXTENDED);
    }

    private static InvalidRequestException wrongType(TtlvItem item, ItemType expected) {
        if (item instanceof TtlvPlaceholder p) {
            return new InvalidRequestException(ResultReason.INVALID_FIELD,
                    item.tag().name() + " holds the unresolved placeholder " + p.expression(), null);
        }
        return new InvalidRequestException(ResultReason.INVALID_FIELD,
                item.tag().name() + " must be a " + expected.encodingName() + ", not a "
                        + item.type().encodingName(), null);
    }
}
