package io.kekvault.kms.store;

/**
 * A KMIP Link attribute: the link type as its KMIP enumeration name in upper snake case (for
 * example {@code REPLACED_OBJECT_LINK}, {@code REPLACEMENT_OBJECT_LINK}) and the linked object's
 * unique identifier. The store does not interpret the type.
 */
public record KeyLink(String linkType, String linkedId) {
    public KeyLink {
        Checks.text(linkType, "linkType", 64);
        Checks.text(linkedId, "linkedId", KeyRecord.MAX_ID_LENGTH);
    }

    public static KeyLink of(String linkType, String linkedId) {
        return new KeyLink(linkType, linkedId);
    }
}
