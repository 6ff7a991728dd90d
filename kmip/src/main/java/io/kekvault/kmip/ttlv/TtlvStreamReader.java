package io.kekvault.kmip.ttlv;

import io.kekvault.kmip.error.KmsException;
import io.kekvault.kmip.error.LimitExceededException;

import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;
import java.util.Optional;

/**
 * Frames top-level TTLV messages on a stream (a TLS socket): reads the 8-byte header, checks
 * that the item is a Structure and that the declared length fits the limit before allocating,
 * then reads exactly that many bytes. A stream that ends inside a message, or a header that
 * announces a non-structure, is {@code INVALID_MESSAGE}; an oversized length is a
 * {@link LimitExceededException} - in both cases the stream is out of sync and must be closed
 * after answering. Not thread-safe: one reader per connection.
 */
public final class TtlvStreamReader {
    private final InputStream in;
    private final TtlvLimits limits;

    public TtlvStreamReader(InputStream in, TtlvLimits limits) {
        this.in = Objects.requireNonNull(in, "in");
        this.limits = Objects.requireNonNull(limits, "limits");
    }

    /**
     * The bytes of the next message, header included; empty when the stream ends cleanly
     * before the first byte of a message.
     */
    public Optional<byte[]> readMessageBytes() throws IOException, KmsException {
        byte[] header = new byte[8];
        int n = in.readNBytes(header, 0, 8);
        if (n == 0) {
            return Optional.empty();
        }
        if (n < 8) {
            throw TtlvDecoder.invalid("stream ended inside a message header (" + n + " of 8 bytes)");
        }
        if ((header[3] & 0xFF) != ItemType.STRUCTURE.code()) {
            throw TtlvDecoder.invalid("a message must be a Structure, the header announces type 0x"
                    + Integer.toHexString(header[3] & 0xFF));
        }
        long length = ((long) (header[4] & 0xFF) << 24) | ((header[5] & 0xFF) << 16) | ((header[6] & 0xFF) << 8) | (header[7] & 0xFF);
        if (length + 8 > limits.maxMessageBytes()) {
            throw new LimitExceededException("message of " + (length + 8) + " bytes exceeds the limit of "
                    + limits.maxMessageBytes() + " bytes");
        }
        byte[] message = new byte[(int) length + 8];
        System.arraycopy(header, 0, message, 0, 8);
        int got = in.readNBytes(message, 8, (int) length);
        if (got < length) {
            throw TtlvDecoder.invalid("stream ended inside a message (" + (got + 8) + " of " + (length + 8) + " bytes)");
        }
        return Optional.of(message);
    }

    /** The next message decoded, or empty at a clean end of stream. */
    public Optional<TtlvItem> readMessage() throws IOException, KmsException {
        Optional<byte[]> bytes = readMessageBytes();
        return bytes.isEmpty() ? Optional.empty() : Optional.of(TtlvDecoder.decode(bytes.get(), limits));
    }
}
