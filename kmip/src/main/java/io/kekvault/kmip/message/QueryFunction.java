package io.kekvault.kmip.message;

import io.kekvault.kmip.ttlv.KmipEnum;

/** KMIP Query Function enumeration (values of the KMIP 1.0-2.1 specifications; generated from {@code kmip-enums.txt}). */
public enum QueryFunction implements KmipEnum {
    QUERY_OPERATIONS(0x00000001),
    QUERY_OBJECTS(0x00000002),
    QUERY_SERVER_INFORMATION(0x00000003),
    QUERY_APPLICATION_NAMESPACES(0x00000004),
    QUERY_EXTENSION_LIST(0x00000005),
    QUERY_EXTENSION_MAP(0x00000006),
    QUERY_ATTESTATION_TYPES(0x00000007),
    QUERY_RNGS(0x00000008),
    QUERY_VALIDATIONS(0x00000009),
    QUERY_PROFILES(0x0000000A),
    QUERY_CAPABILITIES(0x0000000B),
    QUERY_CLIENT_REGISTRATION_METHODS(0x0000000C),
    QUERY_DEFAULTS_INFORMATION(0x0000000D),
    QUERY_STORAGE_PROTECTION_MASKS(0x0000000E);

    private final int value;

    QueryFunction(int value) {
        this.value = value;
    }

    @Override
    public int value() {
        return value;
    }

    /** The constant for a wire value, if this version of the tables knows it. */
    public static java.util.Optional<QueryFunction> fromValue(int value) {
        return io.kekvault.kmip.ttlv.KmipEnums.find(QueryFunction.class, value);
    }
}
