package io.kekvault.kmip.message;

import io.kekvault.kmip.ttlv.KmipEnum;

/** KMIP Key Role Type enumeration (values of the KMIP 1.0-2.1 specifications; generated from {@code kmip-enums.txt}). */
public enum KeyRoleType implements KmipEnum {
    BDK(0x00000001),
    CVK(0x00000002),
    DEK(0x00000003),
    MKAC(0x00000004),
    MKSMC(0x00000005),
    MKSMI(0x00000006),
    MKDAC(0x00000007),
    MKDN(0x00000008),
    MKCP(0x00000009),
    MKOTH(0x0000000A),
    KEK(0x0000000B),
    MAC16609(0x0000000C),
    MAC97971(0x0000000D),
    MAC97972(0x0000000E),
    MAC97973(0x0000000F),
    MAC97974(0x00000010),
    MAC97975(0x00000011),
    ZPK(0x00000012),
    PVKIBM(0x00000013),
    PVKPVV(0x00000014),
    PVKOTH(0x00000015),
    DUKPT(0x00000016),
    IV(0x00000017),
    TRKBK(0x00000018);

    private final int value;

    KeyRoleType(int value) {
        this.value = value;
    }

    @Override
    public int value() {
        return value;
    }

    /** The constant for a wire value, if this version of the tables knows it. */
    public static java.util.Optional<KeyRoleType> fromValue(int value) {
        return io.kekvault.kmip.ttlv.KmipEnums.find(KeyRoleType.class, value);
    }
}
