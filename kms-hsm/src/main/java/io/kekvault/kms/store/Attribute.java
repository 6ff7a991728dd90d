package io.kekvault.kms.store;

import java.util.Objects;

/**
 * One attribute instance: a name (a KMIP attribute name such as {@code Contact Information}, or a
 * custom one such as vCenter's {@code x-Vendor}) and a typed value. A key holds an ordered list of
 * them, so a multi-instance attribute is several entries with the same name.
 */
public record Attribute(String name, AttributeValue value) {
    public static final int MAX_NAME_LENGTH = 255;

    public Attribute {
        Checks.text(name, "attribute name", MAX_NAME_LENGTH);
        Objects.requireNonNull(value, "value");
    }

    public static Attribute of(String name, AttributeValue value) {
        return new Attribute(name, value);
    }

    /** A text-string attribute, the common case for custom {@code x-} attributes. */
    public static Attribute text(String name, String value) {
        return new Attribute(name, AttributeValue.text(value));
    }
}
