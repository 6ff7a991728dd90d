package io.kekvault.kmip.error;

import java.util.Objects;

/**
 * Root of Kekvault's typed errors. Each subclass is one family of KMIP Result Reasons; the
 * KMIP front end turns it into a Result Status/Reason/Message per batch item, the HTTP front end
 * into {@code application/problem+json} through one table.
 *
 * <p>The message is shown to clients, so it never holds key material, PINs or internal detail
 * such as PKCS#11 return codes: those stay in the cause and in the server log.
 */
public abstract sealed class KmsException extends Exception
        permits NotFoundException, PermissionDeniedException, AuthenticationException,
                InvalidRequestException, UnsupportedException, WrongStateException,
                CryptographicFailureException, NotExtractableException, LimitExceededException,
                ConflictException, UnavailableException, GeneralFailureException {

    private final ResultReason reason;

    protected KmsException(ResultReason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    /** The precise KMIP Result Reason within this family. */
    public ResultReason reason() {
        return reason;
    }

    /** Stable code for problem+json and logs: the reason in lower snake case. */
    public String errorCode() {
        return reason.code();
    }

    /** Builds the family exception that matches a Result Reason received from a KMIP peer. */
    public static KmsException fromReason(ResultReason reason, String message) {
        return fromReason(reason, message, null);
    }

    /** The same error with another client-facing message (e.g. prefixed with a batch item). */
    public static KmsException withMessage(KmsException e, String message) {
        return fromReason(e.reason(), message, e);
    }

    private static KmsException fromReason(ResultReason reason, String message, Throwable cause) {
        String m = message == null ? reason.code() : message;
        return switch (reason) {
            case ITEM_NOT_FOUND, OBJECT_NOT_FOUND, ATTRIBUTE_NOT_FOUND, ATTRIBUTE_INSTANCE_NOT_FOUND,
                 WRAPPING_OBJECT_NOT_FOUND, OBJECT_DESTROYED, WRAPPING_OBJECT_DESTROYED, UNKNOWN_OBJECT_GROUP ->
                    new NotFoundException(reason, m, cause);
            case PERMISSION_DENIED, NOT_AUTHORISED -> new PermissionDeniedException(reason, m, cause);
            case AUTHENTICATION_NOT_SUCCESSFUL, BAD_PASSWORD, INVALID_TICKET, ATTESTATION_FAILED,
                 ATTESTATION_REQUIRED -> new AuthenticationException(reason, m, cause);
            case OPERATION_NOT_SUPPORTED, FEATURE_NOT_SUPPORTED, KEY_FORMAT_TYPE_NOT_SUPPORTED,
                 KEY_COMPRESSION_TYPE_NOT_SUPPORTED, KEY_WRAP_TYPE_NOT_SUPPORTED,
                 APPLICATION_NAMESPACE_NOT_SUPPORTED, UNSUPPORTED_PROTOCOL_VERSION,
                 UNSUPPORTED_CRYPTOGRAPHIC_PARAMETERS, UNSUPPORTED_ATTRIBUTE,
                 PKCS11_INVALID_FUNCTION, PKCS11_INVALID_INTERFACE ->
                    new UnsupportedException(reason, m, cause);
            case WRONG_KEY_LIFECYCLE_STATE, ILLEGAL_OPERATION, OBJECT_ARCHIVED,
                 WRAPPING_OBJECT_ARCHIVED, USAGE_LIMIT_EXCEEDED -> new WrongStateException(reason, m, cause);
            case CRYPTOGRAPHIC_FAILURE, BAD_CRYPTOGRAPHIC_PARAMETERS,
                 INCOMPATIBLE_CRYPTOGRAPHIC_USAGE_MASK ->
                    new CryptographicFailureException(reason, m, cause);
            case SENSITIVE, NOT_EXTRACTABLE, KEY_VALUE_NOT_PRESENT ->
                    new NotExtractableException(reason, m, cause);
            case RESPONSE_TOO_LARGE, SERVER_LIMIT_EXCEEDED -> new LimitExceededException(reason, m, cause);
            case OBJECT_ALREADY_EXISTS, NON_UNIQUE_NAME_ATTRIBUTE, DUPLICATE_PROCESS_REQUEST ->
                    new ConflictException(reason, m, cause);
            case PROTECTION_STORAGE_UNAVAILABLE, PRIVATE_PROTECTION_STORAGE_UNAVAILABLE,
                 PUBLIC_PROTECTION_STORAGE_UNAVAILABLE -> new UnavailableException(reason, m, cause);
            case GENERAL_FAILURE, INTERNAL_SERVER_ERROR, OPERATION_CANCELED_BY_REQUESTER,
                 PKCS11_CODEC_ERROR -> new GeneralFailureException(reason, m, cause);
            default -> new InvalidRequestException(reason, m, cause);
        };
    }
}
