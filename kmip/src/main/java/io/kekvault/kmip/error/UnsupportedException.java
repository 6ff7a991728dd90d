package io.kekvault.kmip.error;

/** The operation, feature or parameters are not supported by this server. */
public final class UnsupportedException extends KmsException {
    public UnsupportedException(String message) {
        super(ResultReason.OPERATION_NOT_SUPPORTED, message, null);
    }

    public UnsupportedException(String message, Throwable cause) {
        super(ResultReason.OPERATION_NOT_SUPPORTED, message, cause);
    }

    public UnsupportedException(ResultReason reason, String message, Throwable cause) {
        super(reason, message, cause);
    }
}
