package io.kekvault.kmip.error;

/** The caller presented no valid credential. */
public final class AuthenticationException extends KmsException {
    public AuthenticationException(String message) {
        super(ResultReason.AUTHENTICATION_NOT_SUCCESSFUL, message, null);
    }

    public AuthenticationException(String message, Throwable cause) {
        super(ResultReason.AUTHENTICATION_NOT_SUCCESSFUL, message, cause);
    }

    public AuthenticationException(ResultReason reason, String message, Throwable cause) {
        super(reason, message, cause);
    }
}
