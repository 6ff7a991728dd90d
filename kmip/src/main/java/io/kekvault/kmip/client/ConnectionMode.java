package io.kekvault.kmip.client;

/** How the client uses TLS connections. */
public enum ConnectionMode {
    /** Keep a few connections per endpoint open and reuse them. */
    POOLED,
    /** Open a new connection for each request and close it after the response, as vCenter does. */
    PER_REQUEST
}
