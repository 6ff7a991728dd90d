package io.kekvault.kms.server.kmip;

import io.kekvault.kmip.error.ResultReason;
import io.kekvault.kmip.message.ProtocolVersion;
import java.util.EnumMap;
import java.util.Map;

/**
 * Result Reasons a client of a given protocol version understands. KMIP 2.0 added many precise
 * reasons (Object Not Found, Attribute Read Only...); a KMIP 1.x client gets the 1.x reason of the
 * same family instead, so it never sees a value its version does not define.
 */
public final class KmipResults {
    private static final Map<ResultReason, ResultReason> TO_1X = new EnumMap<>(ResultReason.class);

    static {
        for (ResultReason r : new ResultReason[] {ResultReason.OBJECT_NOT_FOUND, ResultReason.ATTRIBUTE_NOT_FOUND,
                ResultReason.ATTRIBUTE_INSTANCE_NOT_FOUND, ResultReason.OBJECT_DESTROYED, ResultReason.WRAPPING_OBJECT_NOT_FOUND,
                ResultReason.WRAPPING_OBJECT_DESTROYED, ResultReason.UNKNOWN_OBJECT_GROUP}) {
            TO_1X.put(r, ResultReason.ITEM_NOT_FOUND);
        }
        for (ResultReason r : new ResultReason[] {ResultReason.NOT_AUTHORISED, ResultReason.ATTRIBUTE_READ_ONLY,
                ResultReason.READ_ONLY_ATTRIBUTE, ResultReason.INCOMPATIBLE_CRYPTOGRAPHIC_USAGE_MASK,
                ResultReason.USAGE_LIMIT_EXCEEDED, ResultReason.SENSITIVE, ResultReason.NOT_EXTRACTABLE,
                ResultReason.WRONG_KEY_LIFECYCLE_STATE, ResultReason.KEY_VALUE_NOT_PRESENT}) {
            TO_1X.put(r, ResultReason.PERMISSION_DENIED);
        }
        for (ResultReason r : new ResultReason[] {ResultReason.NON_UNIQUE_NAME_ATTRIBUTE, ResultReason.OBJECT_ALREADY_EXISTS,
                ResultReason.DUPLICATE_PROCESS_REQUEST, ResultReason.ATTRIBUTE_SINGLE_VALUED, ResultReason.MULTI_VALUED_ATTRIBUTE}) {
            TO_1X.put(r, ResultReason.ILLEGAL_OPERATION);
        }
        for (ResultReason r : new ResultReason[] {ResultReason.INVALID_ATTRIBUTE, ResultReason.INVALID_ATTRIBUTE_VALUE,
                ResultReason.INVALID_DATA_TYPE, ResultReason.NUMERIC_RANGE, ResultReason.UNKNOWN_ENUMERATION, ResultReason.UNKNOWN_TAG,
                ResultReason.INVALID_OBJECT_TYPE, ResultReason.ILLEGAL_OBJECT_TYPE, ResultReason.BAD_CRYPTOGRAPHIC_PARAMETERS,
                ResultReason.INVALID_CSR, ResultReason.INVALID_CORRELATION_VALUE,
                ResultReason.INVALID_ASYNCHRONOUS_CORRELATION_VALUE, ResultReason.INVALID_TICKET}) {
            TO_1X.put(r, ResultReason.INVALID_FIELD);
        }
        for (ResultReason r : new ResultReason[] {ResultReason.UNSUPPORTED_ATTRIBUTE,
                ResultReason.UNSUPPORTED_CRYPTOGRAPHIC_PARAMETERS, ResultReason.KEY_WRAP_TYPE_NOT_SUPPORTED,
                ResultReason.UNKNOWN_MESSAGE_EXTENSION, ResultReason.PKCS11_INVALID_FUNCTION, ResultReason.PKCS11_INVALID_INTERFACE}) {
            TO_1X.put(r, ResultReason.FEATURE_NOT_SUPPORTED);
        }
        for (ResultReason r : new ResultReason[] {ResultReason.UNSUPPORTED_PROTOCOL_VERSION,
                ResultReason.MISSING_INITIALIZATION_VECTOR, ResultReason.CODEC_ERROR, ResultReason.ENCODING_OPTION_ERROR,
                ResultReason.SERVER_LIMIT_EXCEEDED}) {
            TO_1X.put(r, ResultReason.INVALID_MESSAGE);
        }
        for (ResultReason r : new ResultReason[] {ResultReason.ATTESTATION_REQUIRED, ResultReason.ATTESTATION_FAILED,
                ResultReason.BAD_PASSWORD}) {
            TO_1X.put(r, ResultReason.AUTHENTICATION_NOT_SUCCESSFUL);
        }
    }

    private KmipResults() {
    }

    /** {@code reason} as a client speaking {@code version} understands it. */
    public static ResultReason forVersion(ResultReason reason, ProtocolVersion version) {
        if (version.isV2() || definedIn(reason, version)) {
            return reason;
        }
        ResultReason mapped = TO_1X.getOrDefault(reason, ResultReason.GENERAL_FAILURE);
        return definedIn(mapped, version) ? mapped : ResultReason.GENERAL_FAILURE;
    }

    /** Whether KMIP {@code version} (1.x) defines {@code reason}. */
    static boolean definedIn(ResultReason reason, ProtocolVersion version) {
        int v = reason.value();
        if (reason == ResultReason.GENERAL_FAILURE || v <= 0x11) {
            return true;
        }
        if (v == 0x12) {
            return version.atLeast(ProtocolVersion.V1_1);
        }
        if (v <= 0x15) {
            return version.atLeast(ProtocolVersion.V1_2);
        }
        if (v <= 0x18) {
            return version.atLeast(ProtocolVersion.V1_4);
        }
        return version.isV2();
    }
}
