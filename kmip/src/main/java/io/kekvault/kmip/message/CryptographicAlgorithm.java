package io.kekvault.kmip.message;

import io.kekvault.kmip.ttlv.KmipEnum;

/** KMIP Cryptographic Algorithm enumeration (values of the KMIP 1.0-2.1 specifications; generated from {@code kmip-enums.txt}). */
public enum CryptographicAlgorithm implements KmipEnum {
    DES(0x00000001),
    TRIPLE_DES(0x00000002),
    AES(0x00000003),
    RSA(0x00000004),
    DSA(0x00000005),
    ECDSA(0x00000006),
    HMAC_SHA1(0x00000007),
    HMAC_SHA224(0x00000008),
    HMAC_SHA256(0x00000009),
    HMAC_SHA384(0x0000000A),
    HMAC_SHA512(0x0000000B),
    HMAC_MD5(0x0000000C),
    DH(0x0000000D),
    ECDH(0x0000000E),
    ECMQV(0x0000000F),
    BLOWFISH(0x00000010),
    CAMELLIA(0x00000011),
    CAST5(0x00000012),
    IDEA(0x00000013),
    MARS(0x00000014),
    RC2(0x00000015),
    RC4(0x00000016),
    RC5(0x00000017),
    SKIPJACK(0x00000018),
    TWOFISH(0x00000019),
    EC(0x0000001A),
    ONE_TIME_PAD(0x0000001B),
    CHACHA20(0x0000001C),
    POLY1305(0x0000001D),
    CHACHA20POLY1305(0x0000001E),
    SHA3_224(0x0000001F),
    SHA3_256(0x00000020),
    SHA3_384(0x00000021),
    SHA3_512(0x00000022),
    HMAC_SHA3_224(0x00000023),
    HMAC_SHA3_256(0x00000024),
    HMAC_SHA3_384(0x00000025),
    HMAC_SHA3_512(0x00000026),
    SHAKE_128(0x00000027),
    SHAKE_256(0x00000028),
    ARIA(0x00000029),
    SEED(0x0000002A),
    SM2(0x0000002B),
    SM3(0x0000002C),
    SM4(0x0000002D),
    GOST_R_34_10_2012(0x0000002E),
    GOST_R_34_11_2012(0x0000002F),
    GOST_R_34_13_2015(0x00000030),
    GOST_28147_89(0x00000031),
    XMSS(0x00000032),
    SPHINCS_256(0x00000033),
    MCELIECE(0x00000034),
    MCELIECE_6960119(0x00000035),
    MCELIECE_8192128(0x00000036),
    ED25519(0x00000037),
    ED448(0x00000038);

    private final int value;

    CryptographicAlgorithm(int value) {
        this.value = value;
    }

    @Override
    public int value() {
        return value;
    }

    /** The constant for a wire value, if this version of the tables knows it. */
    public static java.util.Optional<CryptographicAlgorithm> fromValue(int value) {
        return io.kekvault.kmip.ttlv.KmipEnums.find(CryptographicAlgorithm.class, value);
    }
}
