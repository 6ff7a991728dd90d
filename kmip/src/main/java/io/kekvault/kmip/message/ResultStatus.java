package io.kekvault.kmip.message;

import io.kekvault.kmip.ttlv.KmipEnum;

/** KMIP Result Status enumeration (values of the KMIP 1.0-2.1 specifications; generated from {@code kmip-enums.txt}). */
public enum ResultStatus implements KmipEnum {
    SUCCESS(0x00000000),
    OPERATION_FAILED(0x00000001),
    OPERATION_PENDING(0x00000002),
    OPERATION_UNDONE(0x00000003);

    private final int value;

    ResultStatus(int value) {
        this.value = value;
    }

    @Override
    public int value() {
        return value;
    }

    /** The constant for a wire value, if this version of the tables knows it. */
    public static java.util.Optional<ResultStatus> fromValue(int value) {
        return io.kekvault.kmip.ttlv.KmipEnums.find(ResultStatus.class, value);
    }
}
