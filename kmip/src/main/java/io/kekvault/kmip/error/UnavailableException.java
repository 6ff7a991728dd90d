package io.kekvault.kmip.error;

/** A backing service (HSM or store) is unreachable right now; the request may be retried. */
public non-sealed class UnavailableException extends KmsException {
    public UnavailableException(String message) {
        super(ResultReason.PROTECTION_STORAGE_UNAVAILABLE, message, null);
    }

    public UnavailableException(String message, Throwable cause) {
        super(ResultReason.PROTECTION_STORAGE_UNAVAILABLE, message, cause);
    }

    public UnavailableException(ResultReason reason, String message, Throwable cause) {
        super(reason, message, cause);
    }
}
