package io.kekvault.kmip.error;

/** The object does not exist, or the caller may not see it: both answer alike, so there is no existence oracle. */
public final class NotFoundException extends KmsException {
    public NotFoundException(String message) {
        super(ResultReason.ITEM_NOT_FOUND, message, null);
    }

    public NotFoundException(String message, Throwable cause) {
        super(ResultReason.ITEM_NOT_FOUND, message, cause);
    }

    public NotFoundException(ResultReason reason, String message, Throwable cause) {
        super(reason, message, cause);
    }
}
