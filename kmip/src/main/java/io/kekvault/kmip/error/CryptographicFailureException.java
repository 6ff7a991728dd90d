package io.kekvault.kmip.error;

/** A cryptographic check failed, such as the authentication tag of a wrapped key. Says nothing about why, by design. */
public final class CryptographicFailureException extends KmsException {
    public CryptographicFailureException(String message) {
        super(ResultReason.CRYPTOGRAPHIC_FAILURE, message, null);
    }

    public CryptographicFailureException(String message, Throwable cause) {
        super(ResultReason.CRYPTOGRAPHIC_FAILURE, message, cause);
    }

    public CryptographicFailureException(ResultReason reason, String message, Throwable cause) {
        super(reason, message, cause);
    }
}
