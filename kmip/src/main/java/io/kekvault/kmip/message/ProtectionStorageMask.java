package io.kekvault.kmip.message;

import io.kekvault.kmip.ttlv.KmipEnum;

/** KMIP Protection Storage Mask bit mask (values of the KMIP 1.0-2.1 specifications; generated from {@code kmip-enums.txt}). */
public enum ProtectionStorageMask implements KmipEnum {
    SOFTWARE(0x00000001),
    HARDWARE(0x00000002),
    ON_PROCESSOR(0x00000004),
    ON_SYSTEM(0x00000008),
    OFF_SYSTEM(0x00000010),
    HYPERVISOR(0x00000020),
    OPERATING_SYSTEM(0x00000040),
    CONTAINER(0x00000080),
    ON_PREMISES(0x00000100),
    OFF_PREMISES(0x00000200),
    SELF_MANAGED(0x00000400),
    OUTSOURCED(0x00000800),
    VALIDATED(0x00001000),
    SAME_JURISDICTION(0x00002000);

    private final int value;

    ProtectionStorageMask(int value) {
        this.value = value;
    }

    @Override
    public int value() {
        return value;
    }

    /** The mask with every bit of {@code flags} set. */
    public static int maskOf(ProtectionStorageMask... flags) {
        int m = 0;
        for (ProtectionStorageMask f : flags) {
            m |= f.value;
        }
        return m;
    }

    /** The named flags set in {@code mask} (unnamed bits are ignored). */
    public static java.util.EnumSet<ProtectionStorageMask> flagsOf(int mask) {
        java.util.EnumSet<ProtectionStorageMask> s = java.util.EnumSet.noneOf(ProtectionStorageMask.class);
        for (ProtectionStorageMask f : values()) {
            if ((mask & f.value) == f.value) {
                s.add(f);
            }
        }
        return s;
    }
}
