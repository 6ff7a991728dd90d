package io.kekvault.kmip.message;

import io.kekvault.kmip.ttlv.KmipEnum;

/** KMIP Batch Error Continuation Option enumeration (values of the KMIP 1.0-2.1 specifications; generated from {@code kmip-enums.txt}). */
public enum BatchErrorContinuationOption implements KmipEnum {
    CONTINUE(0x00000001),
    STOP(0x00000002),
    UNDO(0x00000003);

    private final int value;

    BatchErrorContinuationOption(int value) {
        this.value = value;
    }

    @Override
    public int value() {
        return value;
    }

    /** The constant for a wire value, if this version of the tables knows it. */
    public static java.util.Optional<BatchErrorContinuationOption> fromValue(int value) {
        return io.kekvault.kmip.ttlv.KmipEnums.find(BatchErrorContinuationOption.class, value);
    }
}
