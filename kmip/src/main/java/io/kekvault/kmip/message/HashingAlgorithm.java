package io.kekvault.kmip.message;

import io.kekvault.kmip.ttlv.KmipEnum;

/** KMIP Hashing Algorithm enumeration (values of the KMIP 1.0-2.1 specifications; generated from {@code kmip-enums.txt}). */
public enum HashingAlgorithm implements KmipEnum {
    MD2(0x00000001),
    MD4(0x00000002),
    MD5(0x00000003),
    SHA_1(0x00000004),
    SHA_224(0x00000005),
    SHA_256(0x00000006),
    SHA_384(0x00000007),
    SHA_512(0x00000008),
    RIPEMD_160(0x00000009),
    TIGER(0x0000000A),
    WHIRLPOOL(0x0000000B),
    SHA_512_224(0x0000000C),
    SHA_512_256(0x0000000D),
    SHA3_224(0x0000000E),
    SHA3_256(0x0000000F),
    SHA3_384(0x00000010),
    SHA3_512(0x00000011);

    private final int value;

    HashingAlgorithm(int value) {
        this.value = value;
    }

    @Override
    public int value() {
        return value;
    }

    /** The constant for a wire value, if this version of the tables knows it. */
    public static java.util.Optional<HashingAlgorithm> fromValue(int value) {
        return io.kekvault.kmip.ttlv.KmipEnums.find(HashingAlgorithm.class, value);
    }
}
