package io.kekvault.kmip.client;

/**
 * Hooks for the events an operator wants in a log: a KMS endpoint failed and the client moves to
 * the next one. Called on the thread that sends the request; must not block or throw.
 */
public interface KmipClientListener {

    /**
     * {@code failed} could not be used ({@code cause}: connection refused, TLS handshake failure,
     * connection lost before a response to an idempotent request); the client tries {@code next}
     * now, or gives up when {@code next} is null.
     */
    default void endpointFailed(KmipEndpoint failed, KmipEndpoint next, Exception cause) {
    }

    /** A request was answered by {@code endpoint} (after failovers, this tells which one took over). */
    default void answered(KmipEndpoint endpoint) {
    }

    KmipClientListener NONE = new KmipClientListener() {
    };
}
