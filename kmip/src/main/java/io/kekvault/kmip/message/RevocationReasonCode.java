package io.kekvault.kmip.message;

import io.kekvault.kmip.ttlv.KmipEnum;

/** KMIP Revocation Reason Code enumeration (values of the KMIP 1.0-2.1 specifications; generated from {@code kmip-enums.txt}). */
public enum RevocationReasonCode implements KmipEnum {
    UNSPECIFIED(0x00000001),
    KEY_COMPROMISE(0x00000002),
    CA_COMPROMISE(0x00000003),
    AFFILIATION_CHANGED(0x00000004),
    SUPERSEDED(0x00000005),
    CESSATION_OF_OPERATION(0x00000006),
    PRIVILEGE_WITHDRAWN(0x00000007);

    private final int value;

    RevocationReasonCode(int value) {
        this.value = value;
    }

    @Override
    public int value() {
        return value;
    }

    /** The constant for a wire value, if this version of the tables knows it. */
    public static java.util.Optional<RevocationReasonCode> fromValue(int value) {
        return io.kekvault.kmip.ttlv.KmipEnums.find(RevocationReasonCode.class, value);
    }
}
