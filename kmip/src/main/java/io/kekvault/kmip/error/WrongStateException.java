package io.kekvault.kmip.error;

/** The object's lifecycle state does not allow the operation (for example wrap under a Pre-Active key). */
public final class WrongStateException extends KmsException {
    public WrongStateException(String message) {
        super(ResultReason.WRONG_KEY_LIFECYCLE_STATE, message, null);
    }

    public WrongStateException(String message, Throwable cause) {
        super(ResultReason.WRONG_KEY_LIFECYCLE_STATE, message, cause);
    }

    public WrongStateException(ResultReason reason, String message, Throwable cause) {
        super(reason, message, cause);
    }
}
