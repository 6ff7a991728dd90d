package io.kekvault.kmip.client;

import java.io.IOException;

/**
 * No KMS endpoint could be used; nothing was sent, or only idempotent requests were sent and
 * none was answered. The per-endpoint causes are attached as suppressed exceptions.
 */
public class KmipConnectionException extends IOException {
    public KmipConnectionException(String message) {
        super(message);
    }

    public KmipConnectionException(String message, Throwable cause) {
        super(message, cause);
    }
}
