package io.kekvault.kmip.message;

import io.kekvault.kmip.ttlv.KmipEnum;

/** KMIP Padding Method enumeration (values of the KMIP 1.0-2.1 specifications; generated from {@code kmip-enums.txt}). */
public enum PaddingMethod implements KmipEnum {
    NONE(0x00000001),
    OAEP(0x00000002),
    PKCS5(0x00000003),
    SSL3(0x00000004),
    ZEROS(0x00000005),
    ANSI_X9_23(0x00000006),
    ISO_10126(0x00000007),
    PKCS1_V1_5(0x00000008),
    X9_31(0x00000009),
    PSS(0x0000000A);

    private final int value;

    PaddingMethod(int value) {
        this.value = value;
    }

    @Override
    public int value() {
        return value;
    }

    /** The constant for a wire value, if this version of the tables knows it. */
    public static java.util.Optional<PaddingMethod> fromValue(int value) {
        return io.kekvault.kmip.ttlv.KmipEnums.find(PaddingMethod.class, value);
    }
}
