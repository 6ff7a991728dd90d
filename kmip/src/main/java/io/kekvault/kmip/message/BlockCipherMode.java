package io.kekvault.kmip.message;

import io.kekvault.kmip.ttlv.KmipEnum;

/** KMIP Block Cipher Mode enumeration (values of the KMIP 1.0-2.1 specifications; generated from {@code kmip-enums.txt}). */
public enum BlockCipherMode implements KmipEnum {
    CBC(0x00000001),
    ECB(0x00000002),
    PCBC(0x00000003),
    CFB(0x00000004),
    OFB(0x00000005),
    CTR(0x00000006),
    CMAC(0x00000007),
    CCM(0x00000008),
    GCM(0x00000009),
    CBC_MAC(0x0000000A),
    XTS(0x0000000B),
    AESKEYWRAPPADDING(0x0000000C),
    NISTKEYWRAP(0x0000000D),
    X9_102_AESKW(0x0000000E),
    X9_102_TDKW(0x0000000F),
    X9_102_AKW1(0x00000010),
    X9_102_AKW2(0x00000011),
    AEAD(0x00000012);

    private final int value;

    BlockCipherMode(int value) {
        this.value = value;
    }

    @Override
    public int value() {
        return value;
    }

    /** The constant for a wire value, if this version of the tables knows it. */
    public static java.util.Optional<BlockCipherMode> fromValue(int value) {
        return io.kekvault.kmip.ttlv.KmipEnums.find(BlockCipherMode.class, value);
    }
}
