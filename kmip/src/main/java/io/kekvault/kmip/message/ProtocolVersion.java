package io.kekvault.kmip.message;

import io.kekvault.kmip.error.InvalidRequestException;
import io.kekvault.kmip.ttlv.Tag;
import io.kekvault.kmip.ttlv.TtlvStructure;

/** A KMIP protocol version (major.minor). KMIP 2.x changed the attribute forms, see {@link AttributeCodec}. */
public record ProtocolVersion(int major, int minor) implements Comparable<ProtocolVersion> {
    public static final ProtocolVersion V1_0 = new ProtocolVersion(1, 0);
    public static final ProtocolVersion V1_1 = new ProtocolVersion(1, 1);
    public static final ProtocolVersion V1_2 = new ProtocolVersion(1, 2);
    public static final ProtocolVersion V1_3 = new ProtocolVersion(1, 3);
    public static final ProtocolVersion V1_4 = new ProtocolVersion(1, 4);
    public static final ProtocolVersion V2_0 = new ProtocolVersion(2, 0);
    public static final ProtocolVersion V2_1 = new ProtocolVersion(2, 1);

    /** Every version this library speaks, newest first (the order of a Discover Versions answer). */
    public static final java.util.List<ProtocolVersion> SUPPORTED = java.util.List.of(V2_1, V2_0, V1_4, V1_3, V1_2, V1_1, V1_0);

    public boolean atLeast(ProtocolVersion other) {
        return compareTo(other) >= 0;
    }

    /** True from KMIP 2.0 on: attributes travel in an Attributes structure, references as Attribute Reference. */
    public boolean isV2() {
        return major >= 2;
    }

    public TtlvStructure toTtlv() {
        return TtlvStructure.builder(Tag.PROTOCOL_VERSION)
                .integer(Tag.PROTOCOL_VERSION_MAJOR, major)
                .integer(Tag.PROTOCOL_VERSION_MINOR, minor)
                .build();
    }

    public static ProtocolVersion fromTtlv(TtlvStructure s) throws InvalidRequestException {
        return new ProtocolVersion(s.integer(Tag.PROTOCOL_VERSION_MAJOR), s.integer(Tag.PROTOCOL_VERSION_MINOR));
    }

    /**
     * The protocol version in the header of a message that may not parse as a whole, so a server
     * can answer a malformed request in the client's version. Never throws.
     */
    public static java.util.Optional<ProtocolVersion> peek(io.kekvault.kmip.ttlv.TtlvItem message) {
        try {
            if (message instanceof TtlvStructure m) {
                for (io.kekvault.kmip.ttlv.TtlvItem h : m.children()) {
                    if (h.tag().equals(Tag.REQUEST_HEADER) || h.tag().equals(Tag.RESPONSE_HEADER)) {
                        return java.util.Optional.of(fromTtlv(h.asStructure().structure(Tag.PROTOCOL_VERSION)));
                    }
                }
            }
        } catch (InvalidRequestException e) {
            // no usable version
        }
        return java.util.Optional.empty();
    }

    /** Parses "1.4". */
    public static ProtocolVersion parse(String text) {
        int dot = text.indexOf('.');
        if (dot < 0) {
            throw new IllegalArgumentException("protocol version must look like 1.4: " + text);
        }
        return new ProtocolVersion(Integer.parseInt(text.substring(0, dot).strip()), Integer.parseInt(text.substring(dot + 1).strip()));
    }

    @Override
    public int compareTo(ProtocolVersion o) {
        return major != o.major ? Integer.compare(major, o.major) : Integer.compare(minor, o.minor);
    }

    @Override
    public String toString() {
        return major + "." + minor;
    }
}
