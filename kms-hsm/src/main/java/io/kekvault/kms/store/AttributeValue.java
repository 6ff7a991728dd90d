package io.kekvault.kms.store;

import java.math.BigInteger;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * A typed attribute value, one per KMIP item type an attribute can carry. Never key material:
 * the store holds metadata only, and a {@link Bytes} value prints its length, not its content.
 */
public sealed interface AttributeValue {

    /** The KMIP item type of the value. */
    enum Type { TEXT_STRING, INTEGER, LONG_INTEGER, BIG_INTEGER, ENUMERATION, BOOLEAN, BYTE_STRING, DATE_TIME, INTERVAL, STRUCTURE }

    Type type();

    static AttributeValue text(String value) {
        return new Text(value);
    }

    static AttributeValue integer(int value) {
        return new Int(value);
    }

    static AttributeValue longInteger(long value) {
        return new LongInt(value);
    }

    static AttributeValue bigInteger(BigInteger value) {
        return new BigInt(value);
    }

    static AttributeValue enumeration(int value) {
        return new Enumeration(value);
    }

    static AttributeValue bool(boolean value) {
        return new Bool(value);
    }

    static AttributeValue bytes(byte[] value) {
        return new Bytes(value);
    }

    static AttributeValue dateTime(Instant value) {
        return new DateTime(value);
    }

    static AttributeValue interval(long seconds) {
        return new Interval(seconds);
    }

    static AttributeValue structure(List<Attribute> fields) {
        return new Struct(fields);
    }

    record Text(String value) implements AttributeValue {
        public Text {
            Objects.requireNonNull(value, "value");
        }

        @Override
        public Type type() {
            return Type.TEXT_STRING;
        }
    }

    record Int(int value) implements AttributeValue {
        @Override
        public Type type() {
            return Type.INTEGER;
        }
    }

    record LongInt(long value) implements AttributeValue {
        @Override
        public Type type() {
            return Type.LONG_INTEGER;
        }
    }

    record BigInt(BigInteger value) implements AttributeValue {
        public BigInt {
            Objects.requireNonNull(value, "value");
        }

        @Override
        public Type type() {
            return Type.BIG_INTEGER;
        }
    }

    /** A KMIP enumeration, by its wire value. */
    record Enumeration(int value) implements AttributeValue {
        @Override
        public Type type() {
            return Type.ENUMERATION;
        }
    }

    record Bool(boolean value) implements AttributeValue {
        @Override
        public Type type() {
            return Type.BOOLEAN;
        }
    }

    /** A byte string (for example a digest or an identifier); copied in and out. */
    record Bytes(byte[] value) implements AttributeValue {
        public Bytes {
            value = Objects.requireNonNull(value, "value").clone();
        }

        @Override
        public byte[] value() {
            return value.clone();
        }

        @Override
        public Type type() {
            return Type.BYTE_STRING;
        }

        String hex() {
            return HexFormat.of().formatHex(value);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Bytes b && Arrays.equals(value, b.value);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(value);
        }

        @Override
        public String toString() {
            return "Bytes[length=" + value.length + "]";
        }
    }

    /** A KMIP Date-Time; kept to the millisecond, like every date in the store. */
    record DateTime(Instant value) implements AttributeValue {
        public DateTime {
            value = Objects.requireNonNull(value, "value").truncatedTo(ChronoUnit.MILLIS);
        }

        @Override
        public Type type() {
            return Type.DATE_TIME;
        }
    }

    /** A KMIP Interval, in seconds. */
    record Interval(long seconds) implements AttributeValue {
        @Override
        public Type type() {
            return Type.INTERVAL;
        }
    }

    /** A structure: an ordered list of named fields (for example Cryptographic Parameters). */
    record Struct(List<Attribute> fields) implements AttributeValue {
        public Struct {
            fields = List.copyOf(fields);
        }

        @Override
        public Type type() {
            return Type.STRUCTURE;
        }
    }
}
