package io.kekvault.kmip.error;

/** The request is malformed or a field is invalid; nothing was changed. */
public final class InvalidRequestException extends KmsException {
    public InvalidRequestException(String message) {
        super(ResultReason.INVALID_FIELD, message, null);
    }

    public InvalidRequestException(String message, Throwable cause) {
        super(ResultReason.INVALID_FIELD, message, cause);
    }

    public InvalidRequestException(ResultReason reason, String message, Throwable cause) {
        super(reason, message, cause);
    }
}
