package io.kekvault.kmip.message;

import io.kekvault.kmip.ttlv.KmipEnum;

/** KMIP State enumeration (values of the KMIP 1.0-2.1 specifications; generated from {@code kmip-enums.txt}). */
public enum State implements KmipEnum {
    PRE_ACTIVE(0x00000001),
    ACTIVE(0x00000002),
    DEACTIVATED(0x00000003),
    COMPROMISED(0x00000004),
    DESTROYED(0x00000005),
    DESTROYED_COMPROMISED(0x00000006);

    private final int value;

    State(int value) {
        this.value = value;
    }

    @Override
    public int value() {
        return value;
    }

    /** The constant for a wire value, if this version of the tables knows it. */
    public static java.util.Optional<State> fromValue(int value) {
        return io.kekvault.kmip.ttlv.KmipEnums.find(State.class, value);
    }
}
