package io.kekvault.kmip.error;

/** The caller is known but its role does not allow the operation. */
public final class PermissionDeniedException extends KmsException {
    public PermissionDeniedException(String message) {
        super(ResultReason.PERMISSION_DENIED, message, null);
    }

    public PermissionDeniedException(String message, Throwable cause) {
        super(ResultReason.PERMISSION_DENIED, message, cause);
    }

    public PermissionDeniedException(ResultReason reason, String message, Throwable cause) {
        super(reason, message, cause);
    }
}
