package io.kekvault.kmip.ttlv;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Encoder of binary TTLV. Output is canonical: values padded with zeros to 8 bytes, Big
 * Integers sign-extended to the shortest multiple of 8 bytes. Items built in memory are trusted;
 * an unencodable item (an unresolved {@link TtlvPlaceholder}, text with unpaired surrogates,
 * a message past 2 GiB) is an {@link IllegalArgumentException}.
 */
public final class TtlvEncoder {

    private TtlvEncoder() {
    }

    public static byte[] encode(TtlvItem item) {
        long size = encodedLength(item);
        if (size > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("item of " + size + " bytes is too large to encode");
        }
        ByteBuffer out = ByteBuffer.allocate((int) size);
        write(item, out);
        if (out.hasRemaining()) {
            throw new IllegalStateException("encoded length mismatch");
        }
        return out.array();
    }

    public static void encode(TtlvItem item, OutputStream out) throws IOException {
        out.write(encode(item));
    }

    /** The number of bytes {@link #encode} produces, header and padding included. */
    public static long encodedLength(TtlvItem item) {
        return 8 + paddedValueLength(item);
    }

    private static long paddedValueLength(TtlvItem item) {
        long v = valueLength(item);
        return item instanceof TtlvStructure ? v : (v + 7) / 8 * 8;
    }

    private static long valueLength(TtlvItem item) {
        return switch (item) {
            case TtlvStructure s -> {
                long sum = 0;
                for (TtlvItem c : s.children()) {
                    sum += encodedLength(c);
                }
                if (sum > 0xFFFFFFFFL) {
                    throw new IllegalArgumentException(s.tag().name() + " is larger than 4 GiB");
                }
                yield sum;
            }
            case TtlvTextString t -> utf8(t).length;
            case TtlvByteString b -> b.length();
            case TtlvBigInteger b -> b.encodedValue().length;
            case TtlvPlaceholder p -> throw new IllegalArgumentException(
                    p.tag().name() + " holds the unresolved placeholder " + p.expression());
            default -> item.type().fixedLength();
        };
    }

    private static byte[] utf8(TtlvTextString t) {
        try {
            ByteBuffer b = StandardCharsets.UTF_8.newEncoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .encode(CharBuffer.wrap(t.value()));
            byte[] out = new byte[b.remaining()];
            b.get(out);
            return out;
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException(t.tag().name() + " is not encodable as UTF-8", e);
        }
    }

    private static void write(TtlvItem item, ByteBuffer out) {
        try {
            int tag = item.tag().value();
            out.put((byte) (tag >>> 16)).put((byte) (tag >>> 8)).put((byte) tag);
            out.put((byte) item.type().code());
            switch (item) {
                case TtlvStructure s -> {
                    out.putInt((int) valueLength(s));
                    for (TtlvItem c : s.children()) {
                        write(c, out);
                    }
                }
                case TtlvInteger i -> out.putInt(4).putInt(i.value()).putInt(0);
                case TtlvLongInteger l -> out.putInt(8).putLong(l.value());
                case TtlvBigInteger b -> {
                    byte[] v = b.encodedValue();
                    out.putInt(v.length).put(v);
                }
                case TtlvEnumeration e -> out.putInt(4).putInt(e.value()).putInt(0);
                case TtlvBoolean b -> out.putInt(8).putLong(b.value() ? 1 : 0);
                case TtlvTextString t -> putPadded(out, utf8(t));
                case TtlvByteString b -> putPadded(out, b.raw());
                case TtlvDateTime d -> out.putInt(8).putLong(d.epochSeconds());
                case TtlvInterval i -> out.putInt(4).putInt((int) i.seconds()).putInt(0);
                case TtlvDateTimeExtended d -> out.putInt(8).putLong(d.epochMicros());
                case TtlvPlaceholder p -> throw new IllegalArgumentException(
                        p.tag().name() + " holds the unresolved placeholder " + p.expression());
            }
        } catch (BufferOverflowException e) {
            throw new IllegalStateException("encoded length mismatch", e);
        }
    }

    private static void putPadded(ByteBuffer out, byte[] v) {
        out.putInt(v.length).put(v);
        int pad = (8 - v.length % 8) % 8;
        for (int i = 0; i < pad; i++) {
            out.put((byte) 0);
        }
    }
}
