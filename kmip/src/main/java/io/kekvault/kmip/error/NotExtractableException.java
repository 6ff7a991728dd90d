package io.kekvault.kmip.error;

/** Key material was asked for but the key may not leave the HSM. */
public final class NotExtractableException extends KmsException {
    public NotExtractableException(String message) {
        super(ResultReason.NOT_EXTRACTABLE, message, null);
    }

    public NotExtractableException(String message, Throwable cause) {
        super(ResultReason.NOT_EXTRACTABLE, message, cause);
    }

    public NotExtractableException(ResultReason reason, String message, Throwable cause) {
        super(reason, message, cause);
    }
}
