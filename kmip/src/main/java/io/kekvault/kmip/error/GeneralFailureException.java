package io.kekvault.kmip.error;

/** An unexpected failure; the client sees only a log reference, the server log has the detail. */
public non-sealed class GeneralFailureException extends KmsException {
    public GeneralFailureException(String message) {
        super(ResultReason.GENERAL_FAILURE, message, null);
    }

    public GeneralFailureException(String message, Throwable cause) {
        super(ResultReason.GENERAL_FAILURE, message, cause);
    }

    public GeneralFailureException(ResultReason reason, String message, Throwable cause) {
        super(reason, message, cause);
    }
}
