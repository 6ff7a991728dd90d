package io.kekvault.kmip.ttlv;

import io.kekvault.kmip.error.InvalidRequestException;
import io.kekvault.kmip.error.KmsException;
import io.kekvault.kmip.error.LimitExceededException;
import io.kekvault.kmip.error.ResultReason;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Strict decoder of binary TTLV.
 *
 * <p>Guarantees: the size, depth and item limits are checked before anything is allocated for
 * the value they guard, and no length field is trusted beyond the bytes actually present, so a
 * hostile length (up to 4 GiB) costs nothing. Every violation of the encoding rules (length past
 * the end of the enclosing item, wrong length for a fixed-length type, non-zero padding, a
 * Boolean other than 0 or 1, invalid UTF-8, unknown item type, a tag outside the KMIP and
 * extension ranges, trailing bytes) is an {@link InvalidRequestException} with reason
 * {@code INVALID_MESSAGE}; a limit is a {@link LimitExceededException}. Nothing else escapes.
 */
public final class TtlvDecoder {

    private final byte[] buf;
    private final TtlvLimits limits;
    private int items;

    private TtlvDecoder(byte[] buf, TtlvLimits limits) {
        this.buf = buf;
        this.limits = limits;
    }

    /** Decodes exactly one item that spans the whole array. */
    public static TtlvItem decode(byte[] message, TtlvLimits limits) throws KmsException {
        return decode(message, 0, message.length, limits);
    }

    public static TtlvItem decode(byte[] message) throws KmsException {
        return decode(message, TtlvLimits.DEFAULT);
    }

    /** Decodes exactly one item spanning {@code buf[offset, offset+length)}. */
    public static TtlvItem decode(byte[] buf, int offset, int length, TtlvLimits limits) throws KmsException {
        if (length > limits.maxMessageBytes()) {
            throw new LimitExceededException("message of " + length + " bytes exceeds the limit of "
                    + limits.maxMessageBytes() + " bytes");
        }
        java.util.Objects.checkFromIndexSize(offset, length, buf.length);
        TtlvDecoder d = new TtlvDecoder(buf, limits);
        int end = offset + length;
        int[] pos = {offset};
        TtlvItem item = d.item(pos, end, 1);
        if (pos[0] != end) {
            throw invalid("message has " + (end - pos[0]) + " trailing bytes after the top-level item");
        }
        return item;
    }

    static InvalidRequestException invalid(String message) {
        return new InvalidRequestException(ResultReason.INVALID_MESSAGE, message, null);
    }

    private TtlvItem item(int[] pos, int end, int depth) throws KmsException {
        int p = pos[0];
        if (end - p < 8) {
            throw invalid("truncated item header at offset " + p + ": " + (end - p) + " of 8 bytes");
        }
        if (++items > limits.maxItems()) {
            throw new LimitExceededException("message has more than " + limits.maxItems() + " items");
        }
        int tagValue = ((buf[p] & 0xFF) << 16) | ((buf[p + 1] & 0xFF) << 8) | (buf[p + 2] & 0xFF);
        Tag tag = new Tag(tagValue);
        if (!tag.isStandardRange() && !tag.isExtension()) {
            throw invalid("tag " + tag.hex() + " at offset " + p + " is outside the KMIP (0x42xxxx) and extension (0x54xxxx) ranges");
        }
        int typeCode = buf[p + 3] & 0xFF;
        ItemType type = ItemType.fromCode(typeCode).orElseThrow(
                () -> invalid("unknown item type 0x" + Integer.toHexString(typeCode) + " for " + tag.name() + " at offset " + p));
        long length = ((long) (buf[p + 4] & 0xFF) << 24) | ((buf[p + 5] & 0xFF) << 16) | ((buf[p + 6] & 0xFF) << 8) | (buf[p + 7] & 0xFF);
        int v = p + 8;
        long available = end - v;
        if (length > available) {
            throw invalid(tag.name() + " at offset " + p + " declares " + length + " bytes but only " + available + " remain");
        }
        int len = (int) length;
        int fixed = type.fixedLength();
        if (fixed >= 0 && len != fixed) {
            throw invalid(tag.name() + " is a " + type.encodingName() + " of " + len + " bytes; it must be " + fixed);
        }
        long padded = type == ItemType.STRUCTURE ? len : (len + 7L) / 8 * 8;
        if (padded > available) {
            throw invalid(tag.name() + " at offset " + p + " lacks its padding to 8 bytes");
        }
        for (int i = v + len; i < v + padded; i++) {
            if (buf[i] != 0) {
                throw invalid(tag.name() + " at offset " + p + " has non-zero padding");
            }
        }
        pos[0] = (int) (v + padded);
        return switch (type) {
            case STRUCTURE -> structure(tag, v, len, depth);
            case INTEGER -> new TtlvInteger(tag, ByteBuffer.wrap(buf, v, 4).getInt());
            case LONG_INTEGER -> new TtlvLongInteger(tag, ByteBuffer.wrap(buf, v, 8).getLong());
            case BIG_INTEGER -> {
                if (len == 0 || len % 8 != 0) {
                    throw invalid(tag.name() + " is a BigInteger of " + len + " bytes; it must be a non-zero multiple of 8");
                }
                yield new TtlvBigInteger(tag, new BigInteger(Arrays.copyOfRange(buf, v, v + len)));
            }
            case ENUMERATION -> new TtlvEnumeration(tag, ByteBuffer.wrap(buf, v, 4).getInt());
            case BOOLEAN -> {
                long b = ByteBuffer.wrap(buf, v, 8).getLong();
                if (b != 0 && b != 1) {
                    throw invalid(tag.name() + " is a Boolean with the value " + b + "; it must be 0 or 1");
                }
                yield new TtlvBoolean(tag, b == 1);
            }
            case TEXT_STRING -> new TtlvTextString(tag, utf8(tag, v, len));
            case BYTE_STRING -> TtlvByteString.adopt(tag, Arrays.copyOfRange(buf, v, v + len));
            case DATE_TIME -> new TtlvDateTime(tag, ByteBuffer.wrap(buf, v, 8).getLong());
            case INTERVAL -> new TtlvInterval(tag, ByteBuffer.wrap(buf, v, 4).getInt() & 0xFFFFFFFFL);
            case DATE_TIME_EXTENDED -> new TtlvDateTimeExtended(tag, ByteBuffer.wrap(buf, v, 8).getLong());
        };
    }

    private TtlvStructure structure(Tag tag, int v, int len, int depth) throws KmsException {
        if (depth > limits.maxDepth()) {
            throw new LimitExceededException("structures nest deeper than " + limits.maxDepth() + " levels");
        }
        if (len % 8 != 0) {
            throw invalid(tag.name() + " is a Structure of " + len + " bytes; it must be a multiple of 8");
        }
        List<TtlvItem> children = new ArrayList<>();
        int[] pos = {v};
        int end = v + len;
        while (pos[0] < end) {
            children.add(item(pos, end, depth + 1));
        }
        return new TtlvStructure(tag, children);
    }

    private String utf8(Tag tag, int v, int len) throws InvalidRequestException {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(buf, v, len))
                    .toString();
        } catch (CharacterCodingException e) {
            throw invalid(tag.name() + " is not valid UTF-8");
        }
    }
}
