package io.kekvault.kmip.client;

/**
 * A request that changes state (Create, Register, ReKey, Activate...) was written to a KMS, and
 * the connection failed before the response arrived: the operation may or may not have taken
 * effect. The client does not retry it elsewhere, since that could create a second key; the
 * caller must find out (for example Locate by the Name it set) before trying again.
 */
public final class KmipOutcomeUnknownException extends KmipConnectionException {
    private final KmipEndpoint endpoint;

    public KmipOutcomeUnknownException(KmipEndpoint endpoint, Throwable cause) {
        super("connection to " + endpoint + " failed after the request was sent; the operation may have taken effect", cause);
        this.endpoint = endpoint;
    }

    public KmipEndpoint endpoint() {
        return endpoint;
    }
}
