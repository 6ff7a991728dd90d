package io.kekvault.kmip.message;

import io.kekvault.kmip.ttlv.KmipEnum;

/** KMIP Link Type enumeration (values of the KMIP 1.0-2.1 specifications; generated from {@code kmip-enums.txt}). */
public enum LinkType implements KmipEnum {
    CERTIFICATE_LINK(0x00000101),
    PUBLIC_KEY_LINK(0x00000102),
    PRIVATE_KEY_LINK(0x00000103),
    DERIVATION_BASE_OBJECT_LINK(0x00000104),
    DERIVED_KEY_LINK(0x00000105),
    REPLACEMENT_OBJECT_LINK(0x00000106),
    REPLACED_OBJECT_LINK(0x00000107),
    PARENT_LINK(0x00000108),
    CHILD_LINK(0x00000109),
    PREVIOUS_LINK(0x0000010A),
    NEXT_LINK(0x0000010B),
    PKCS_12_CERTIFICATE_LINK(0x0000010C),
    PKCS_12_PASSWORD_LINK(0x0000010D),
    WRAPPING_KEY_LINK(0x0000010E);

    private final int value;

    LinkType(int value) {
        this.value = value;
    }

    @Override
    public int value() {
        return value;
    }

    /** The constant for a wire value, if this version of the tables knows it. */
    public static java.util.Optional<LinkType> fromValue(int value) {
        return io.kekvault.kmip.ttlv.KmipEnums.find(LinkType.class, value);
    }
}
