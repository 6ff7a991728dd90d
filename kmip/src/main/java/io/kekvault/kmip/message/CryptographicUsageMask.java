package io.kekvault.kmip.message;

import io.kekvault.kmip.ttlv.KmipEnum;

/** KMIP Cryptographic Usage Mask bit mask (values of the KMIP 1.0-2.1 specifications; generated from {@code kmip-enums.txt}). */
public enum CryptographicUsageMask implements KmipEnum {
    SIGN(0x00000001),
    VERIFY(0x00000002),
    ENCRYPT(0x00000004),
    DECRYPT(0x00000008),
    WRAP_KEY(0x00000010),
    UNWRAP_KEY(0x00000020),
    EXPORT(0x00000040),
    MAC_GENERATE(0x00000080),
    MAC_VERIFY(0x00000100),
    DERIVE_KEY(0x00000200),
    CONTENT_COMMITMENT(0x00000400),
    KEY_AGREEMENT(0x00000800),
    CERTIFICATE_SIGN(0x00001000),
    CRL_SIGN(0x00002000),
    GENERATE_CRYPTOGRAM(0x00004000),
    VALIDATE_CRYPTOGRAM(0x00008000),
    TRANSLATE_ENCRYPT(0x00010000),
    TRANSLATE_DECRYPT(0x00020000),
    TRANSLATE_WRAP(0x00040000),
    TRANSLATE_UNWRAP(0x00080000),
    AUTHENTICATE(0x00100000),
    UNRESTRICTED(0x00200000),
    FPE_ENCRYPT(0x00400000),
    FPE_DECRYPT(0x00800000);

    private final int value;

    CryptographicUsageMask(int value) {
        this.value = value;
    }

    @Override
    public int value() {
        return value;
    }

    /** The mask with every bit of {@code flags} set. */
    public static int maskOf(CryptographicUsageMask... flags) {
        int m = 0;
        for (CryptographicUsageMask f : flags) {
            m |= f.value;
        }
        return m;
    }

    /** The named flags set in {@code mask} (unnamed bits are ignored). */
    public static java.util.EnumSet<CryptographicUsageMask> flagsOf(int mask) {
        java.util.EnumSet<CryptographicUsageMask> s = java.util.EnumSet.noneOf(CryptographicUsageMask.class);
        for (CryptographicUsageMask f : values()) {
            if ((mask & f.value) == f.value) {
                s.add(f);
            }
        }
        return s;
    }
}
