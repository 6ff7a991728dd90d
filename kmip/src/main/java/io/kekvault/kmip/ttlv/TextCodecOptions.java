package io.kekvault.kmip.ttlv;

import java.util.Objects;

/**
 * Options of the XML and JSON readers.
 *
 * @param limits       size, depth and item limits (text input may be {@link TtlvLimits#maxTextBytes()})
 * @param placeholders when true, a value such as {@code $NOW} or {@code $UNIQUE_IDENTIFIER_0}
 *                     becomes a {@link TtlvPlaceholder} instead of being parsed (or refused)
 *                     as a value: the mode for reading OASIS test vectors; servers never use it
 */
public record TextCodecOptions(TtlvLimits limits, boolean placeholders) {

    /** What a server uses for request bodies: default limits, no placeholders. */
    public static final TextCodecOptions STRICT = new TextCodecOptions(TtlvLimits.DEFAULT, false);

    /** What a conformance runner uses for vector files: default limits, placeholders kept. */
    public static final TextCodecOptions VECTORS = new TextCodecOptions(TtlvLimits.DEFAULT, true);

    public TextCodecOptions {
        Objects.requireNonNull(limits, "limits");
    }
}
