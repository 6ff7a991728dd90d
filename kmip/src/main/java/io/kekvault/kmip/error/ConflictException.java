package io.kekvault.kmip.error;

/** The object or name already exists. */
public final class ConflictException extends KmsException {
    public ConflictException(String message) {
        super(ResultReason.OBJECT_ALREADY_EXISTS, message, null);
    }

    public ConflictException(String message, Throwable cause) {
        super(ResultReason.OBJECT_ALREADY_EXISTS, message, cause);
    }

    public ConflictException(ResultReason reason, String message, Throwable cause) {
        super(reason, message, cause);
    }
}
