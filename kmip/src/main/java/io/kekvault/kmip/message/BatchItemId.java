package io.kekvault.kmip.message;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;

/** A Unique Batch Item ID: opaque bytes chosen by the client, echoed by the server. Immutable. */
public final class BatchItemId {
    private final byte[] bytes;

    private BatchItemId(byte[] bytes) {
        this.bytes = bytes;
    }

    public static BatchItemId of(byte[] bytes) {
        return new BatchItemId(bytes.clone());
    }

    /** Four big-endian bytes of {@code n}. */
    public static BatchItemId ofInt(int n) {
        return new BatchItemId(ByteBuffer.allocate(4).putInt(n).array());
    }

    public static BatchItemId ofHex(String hex) {
        return new BatchItemId(HexFormat.of().parseHex(hex));
    }

    public byte[] bytes() {
        return bytes.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BatchItemId b && Arrays.equals(bytes, b.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return HexFormat.of().formatHex(bytes);
    }
}
