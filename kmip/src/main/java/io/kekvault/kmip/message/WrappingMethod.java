package io.kekvault.kmip.message;

import io.kekvault.kmip.ttlv.KmipEnum;

/** KMIP Wrapping Method enumeration (values of the KMIP 1.0-2.1 specifications; generated from {@code kmip-enums.txt}). */
public enum WrappingMethod implements KmipEnum {
    ENCRYPT(0x00000001),
    MAC_SIGN(0x00000002),
    ENCRYPT_THEN_MAC_SIGN(0x00000003),
    MAC_SIGN_THEN_ENCRYPT(0x00000004),
    TR_31(0x00000005);

    private final int value;

    WrappingMethod(int value) {
        this.value = value;
    }

    @Override
    public int value() {
        return value;
    }

    /** The constant for a wire value, if this version of the tables knows it. */
    public static java.util.Optional<WrappingMethod> fromValue(int value) {
        return io.kekvault.kmip.ttlv.KmipEnums.find(WrappingMethod.class, value);
    }
}
