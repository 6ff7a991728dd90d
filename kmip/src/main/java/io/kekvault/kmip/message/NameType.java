package io.kekvault.kmip.message;

import io.kekvault.kmip.ttlv.KmipEnum;

/** KMIP Name Type enumeration (values of the KMIP 1.0-2.1 specifications; generated from {@code kmip-enums.txt}). */
public enum NameType implements KmipEnum {
    UNINTERPRETED_TEXT_STRING(0x00000001),
    URI(0x00000002);

    private final int value;

    NameType(int value) {
        this.value = value;
    }

    @Override
    public int value() {
        return value;
    }

    /** The constant for a wire value, if this version of the tables knows it. */
    public static java.util.Optional<NameType> fromValue(int value) {
        return io.kekvault.kmip.ttlv.KmipEnums.find(NameType.class, value);
    }
}
