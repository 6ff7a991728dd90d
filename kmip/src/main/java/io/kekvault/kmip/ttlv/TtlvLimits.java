package io.kekvault.kmip.ttlv;

/**
 * Limits every decoder checks before it allocates anything for untrusted input.
 *
 * @param maxMessageBytes largest binary message (header included); text encodings (XML, JSON)
 *                        may be up to {@link #maxTextBytes()}
 * @param maxDepth        deepest nesting of structures (the message itself is depth 1)
 * @param maxItems        most items in one message
 */
public record TtlvLimits(int maxMessageBytes, int maxDepth, int maxItems) {

    /** 4 MiB, 32 levels, 100 000 items: far above what KMIP clients send, far below what hurts a server. */
    public static final TtlvLimits DEFAULT = new TtlvLimits(4 * 1024 * 1024, 32, 100_000);

    public TtlvLimits {
        if (maxMessageBytes < 8 || maxDepth < 1 || maxItems < 1) {
            throw new IllegalArgumentException("limits must be positive (messages at least 8 bytes)");
        }
    }

    /** Text encodings spell bytes in hex and add names and markup: allow four times the binary size. */
    public long maxTextBytes() {
        return 4L * maxMessageBytes;
    }

    public TtlvLimits withMaxMessageBytes(int bytes) {
        return new TtlvLimits(bytes, maxDepth, maxItems);
    }

    public TtlvLimits withMaxDepth(int depth) {
        return new TtlvLimits(maxMessageBytes, depth, maxItems);
    }

    public TtlvLimits withMaxItems(int items) {
        return new TtlvLimits(maxMessageBytes, maxDepth, items);
    }
}
