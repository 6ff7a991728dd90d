package io.kekvault.kmip.error;

/** A size, count or nesting limit was exceeded; nothing was read past the limit. */
public final class LimitExceededException extends KmsException {
    public LimitExceededException(String message) {
        super(ResultReason.SERVER_LIMIT_EXCEEDED, message, null);
    }

    public LimitExceededException(String message, Throwable cause) {
        super(ResultReason.SERVER_LIMIT_EXCEEDED, message, cause);
    }

    public LimitExceededException(ResultReason reason, String message, Throwable cause) {
        super(reason, message, cause);
    }
}
