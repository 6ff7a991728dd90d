package io.kekvault.kmip.message;

import io.kekvault.kmip.ttlv.KmipEnum;

/** KMIP Object Type enumeration (values of the KMIP 1.0-2.1 specifications; generated from {@code kmip-enums.txt}). */
public enum ObjectType implements KmipEnum {
    CERTIFICATE(0x00000001),
    SYMMETRIC_KEY(0x00000002),
    PUBLIC_KEY(0x00000003),
    PRIVATE_KEY(0x00000004),
    SPLIT_KEY(0x00000005),
    TEMPLATE(0x00000006),
    SECRET_DATA(0x00000007),
    OPAQUE_OBJECT(0x00000008),
    PGP_KEY(0x00000009),
    CERTIFICATE_REQUEST(0x0000000A);

    private final int value;

    ObjectType(int value) {
        this.value = value;
    }

    @Override
    public int value() {
        return value;
    }

    /** The constant for a wire value, if this version of the tables knows it. */
    public static java.util.Optional<ObjectType> fromValue(int value) {
        return io.kekvault.kmip.ttlv.KmipEnums.find(ObjectType.class, value);
    }
}
