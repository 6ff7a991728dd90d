package io.kekvault.bridge.inventory;

/** A storage policy; {@code encryption} policies make the components they apply to encrypted. */
public record StoragePolicy(String name, String description, boolean encryption) {
    public static final String ENCRYPTION = "vm-encryption";
    public static final String PLAIN = "datastore-default";
}
