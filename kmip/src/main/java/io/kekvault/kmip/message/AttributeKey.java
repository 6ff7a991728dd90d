package io.kekvault.kmip.message;

import io.kekvault.kmip.error.InvalidRequestException;
import io.kekvault.kmip.error.ResultReason;
import io.kekvault.kmip.ttlv.Tag;

import java.util.Objects;

/**
 * Which attribute: a standard one (named by its tag) or a custom one (vendor and name).
 *
 * <p>KMIP 1.x names custom attributes {@code x-Name} (client) or {@code y-Name} (server);
 * KMIP 2.x writes them as vendor attributes (Vendor Identification {@code x}, Attribute Name
 * {@code Name}). Both read into the same {@link Custom} key, so {@code x-Product_Version} sent by
 * vCenter over KMIP 1.1 and the same attribute read back over KMIP 2.0 are one attribute.
 */
public sealed interface AttributeKey permits AttributeKey.Standard, AttributeKey.Custom {

    /** The KMIP 1.x Attribute Name: "Cryptographic Algorithm", "x-Product_Version". */
    String name1x();

    record Standard(Tag tag) implements AttributeKey {
        public Standard {
            Objects.requireNonNull(tag, "tag");
        }

        @Override
        public String name1x() {
            return tag.specName().orElse(tag.hex());
        }

        @Override
        public String toString() {
            return tag.name();
        }
    }

    record Custom(String vendor, String name) implements AttributeKey {
        public Custom {
            Objects.requireNonNull(vendor, "vendor");
            Objects.requireNonNull(name, "name");
            if (vendor.isEmpty() || name.isEmpty()) {
                throw new IllegalArgumentException("a custom attribute needs a vendor and a name");
            }
        }

        @Override
        public String name1x() {
            return vendor + "-" + name;
        }

        @Override
        public String toString() {
            return name1x();
        }
    }

    static AttributeKey of(Tag tag) {
        return new Standard(tag);
    }

    static Custom custom(String vendor, String name) {
        return new Custom(vendor, name);
    }

    /** A client custom attribute, {@code x-name} in KMIP 1.x. */
    static Custom x(String name) {
        return new Custom("x", name);
    }

    /** Reads a KMIP 1.x Attribute Name: {@code x-...}/{@code y-...} are custom, others must be a known attribute. */
    static AttributeKey fromName1x(String attributeName) throws InvalidRequestException {
        if (attributeName.length() > 2 && (attributeName.startsWith("x-") || attributeName.startsWith("y-"))) {
            return new Custom(attributeName.substring(0, 1), attributeName.substring(2));
        }
        return Tag.forSpecName(attributeName).<AttributeKey>map(Standard::new).orElseThrow(() ->
                new InvalidRequestException(ResultReason.INVALID_FIELD, "unknown attribute name '"
                        + (attributeName.length() > 64 ? attributeName.substring(0, 64) + "..." : attributeName) + "'", null));
    }
}
