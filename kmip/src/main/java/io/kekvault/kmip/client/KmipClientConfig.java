package io.kekvault.kmip.client;

import io.kekvault.kmip.message.ProtocolVersion;
import io.kekvault.kmip.ttlv.TtlvLimits;

import javax.net.ssl.SSLContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Settings of a {@link KmipClient}. Build with {@link #builder(SSLContext)}: the SSL context
 * carries the client certificate and the trusted CA (mutual TLS); endpoints are tried in order.
 */
public record KmipClientConfig(
        List<KmipEndpoint> endpoints,
        SSLContext sslContext,
        ProtocolVersion protocolVersion,
        ConnectionMode connectionMode,
        int poolSize,
        Duration connectTimeout,
        Duration readTimeout,
        Duration idleTimeout,
        TtlvLimits responseLimits,
        List<String> tlsProtocols,
        boolean verifyHostname,
        KmipClientListener listener) {

    public KmipClientConfig {
        endpoints = List.copyOf(endpoints);
        if (endpoints.isEmpty()) {
            throw new IllegalArgumentException("at least one endpoint");
        }
        Objects.requireNonNull(sslContext, "sslContext");
        Objects.requireNonNull(protocolVersion, "protocolVersion");
        Objects.requireNonNull(connectionMode, "connectionMode");
        if (poolSize < 1) {
            throw new IllegalArgumentException("poolSize must be positive");
        }
        tlsProtocols = List.copyOf(tlsProtocols);
        listener = listener == null ? KmipClientListener.NONE : listener;
    }

    public static Builder builder(SSLContext sslContext) {
        return new Builder(sslContext);
    }

    public static final class Builder {
        private final SSLContext sslContext;
        private final List<KmipEndpoint> endpoints = new ArrayList<>();
        private ProtocolVersion protocolVersion = ProtocolVersion.V1_4;
        private ConnectionMode mode = ConnectionMode.POOLED;
        private int poolSize = 4;
        private Duration connectTimeout = Duration.ofSeconds(5);
        private Duration readTimeout = Duration.ofSeconds(30);
        private Duration idleTimeout = Duration.ofSeconds(5);
        private TtlvLimits limits = TtlvLimits.DEFAULT;
        private List<String> tlsProtocols = List.of("TLSv1.3", "TLSv1.2");
        private boolean verifyHostname = true;
        private KmipClientListener listener = KmipClientListener.NONE;

        private Builder(SSLContext sslContext) {
            this.sslContext = Objects.requireNonNull(sslContext, "sslContext");
        }

        public Builder endpoint(KmipEndpoint e) {
            endpoints.add(e);
            return this;
        }

        /** {@code host:port}. */
        public Builder endpoint(String hostPort) {
            return endpoint(KmipEndpoint.parse(hostPort));
        }

        public Builder endpoints(List<KmipEndpoint> e) {
            endpoints.addAll(e);
            return this;
        }

        /** The version written in request headers (default 1.4). */
        public Builder protocolVersion(ProtocolVersion v) {
            this.protocolVersion = v;
            return this;
        }

        public Builder connectionMode(ConnectionMode m) {
            this.mode = m;
            return this;
        }

        /** Idle connections kept per endpoint in {@link ConnectionMode#POOLED} mode (default 4). */
        public Builder poolSize(int n) {
            this.poolSize = n;
            return this;
        }

        public Builder connectTimeout(Duration d) {
            this.connectTimeout = d;
            return this;
        }

        /** Longest wait for a response (and for the TLS handshake). */
        public Builder readTimeout(Duration d) {
            this.readTimeout = d;
            return this;
        }

        /** Pooled connections idle longer than this are closed instead of reused (servers drop idle connections). */
        public Builder idleTimeout(Duration d) {
            this.idleTimeout = d;
            return this;
        }

        public Builder responseLimits(TtlvLimits l) {
            this.limits = l;
            return this;
        }

        public Builder tlsProtocols(List<String> p) {
            this.tlsProtocols = p;
            return this;
        }

        /** Check the server certificate names the endpoint host (default true). */
        public Builder verifyHostname(boolean v) {
            this.verifyHostname = v;
            return this;
        }

        public Builder listener(KmipClientListener l) {
            this.listener = l;
            return this;
        }

        public KmipClientConfig build() {
            return new KmipClientConfig(endpoints, sslContext, protocolVersion, mode, poolSize, connectTimeout, readTimeout,
                    idleTimeout, limits, tlsProtocols, verifyHostname, listener);
        }
    }
}
