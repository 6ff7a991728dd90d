package io.kekvault.kmip.client;

import java.util.Objects;

/** A KMS endpoint, {@code host:port} (IPv6 as {@code [::1]:5696}); the port defaults to 5696. */
public record KmipEndpoint(String host, int port) {
    public static final int DEFAULT_PORT = 5696;

    public KmipEndpoint {
        Objects.requireNonNull(host, "host");
        if (host.isEmpty() || port < 1 || port > 65535) {
            throw new IllegalArgumentException("invalid endpoint " + host + ":" + port);
        }
    }

    public static KmipEndpoint parse(String hostPort) {
        String s = hostPort.strip();
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("invalid endpoint " + hostPort);
            }
            String host = s.substring(1, close);
            String rest = s.substring(close + 1);
            return new KmipEndpoint(host, rest.startsWith(":") ? Integer.parseInt(rest.substring(1)) : DEFAULT_PORT);
        }
        int colon = s.lastIndexOf(':');
        if (colon < 0 || s.indexOf(':') != colon) {
            return new KmipEndpoint(s, DEFAULT_PORT);
        }
        return new KmipEndpoint(s.substring(0, colon), Integer.parseInt(s.substring(colon + 1)));
    }

    @Override
    public String toString() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
