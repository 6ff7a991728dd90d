package io.kekvault.pki.tls;

import java.util.List;
import javax.net.ssl.SSLParameters;

/**
 * The one TLS policy of every Kekvault endpoint: TLS 1.3 and 1.2 only; forward-secret AEAD
 * suites only (TLS 1.3 suites, and for TLS 1.2 ECDHE with AES-GCM or ChaCha20-Poly1305); servers
 * require a client certificate; clients verify the server's name against its SANs.
 *
 * <p>Contexts from {@link TlsContext} apply this by themselves. A server built another way
 * (Vert.x) must be configured from the same constants, for example:
 * <pre>{@code
 * ServerSSLOptions ssl = new ServerSSLOptions()
 *     .setKeyCertOptions(KeyCertOptions.wrap(material.keyManagerFactory()))
 *     .setTrustOptions(TrustOptions.wrap(material.trustManagerFactory()))
 *     .setClientAuth(ClientAuth.REQUIRED)
 *     .setEnabledSecureTransportProtocols(new HashSet<>(TlsPolicy.PROTOCOLS));
 * TlsPolicy.CIPHER_SUITES.forEach(ssl::addEnabledCipherSuite);
 * }</pre>
 */
public final class TlsPolicy {

    /** Enabled protocols, preferred first. Nothing older than TLS 1.2. */
    public static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

    /** TLS 1.3 suites (AEAD only by design of TLS 1.3). */
    public static final List<String> TLS13_CIPHER_SUITES = List.of(
            "TLS_AES_256_GCM_SHA384",
            "TLS_AES_128_GCM_SHA256",
            "TLS_CHACHA20_POLY1305_SHA256");

    /** TLS 1.2 suites: ECDHE key exchange (forward secrecy) with an AEAD cipher; ECDSA and RSA certificates. */
    public static final List<String> TLS12_CIPHER_SUITES = List.of(
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

    /** All enabled suites, in preference order (Java/IANA names; Netty and Vert.x accept them). */
    public static final List<String> CIPHER_SUITES = concat(TLS13_CIPHER_SUITES, TLS12_CIPHER_SUITES);

    /** Endpoint identification clients use: RFC 2818 host name check against the server's SANs. */
    public static final String ENDPOINT_IDENTIFICATION = "HTTPS";

    private TlsPolicy() {
    }

    /** Fresh server parameters: protocols, suites, server suite order, client certificate required. */
    public static SSLParameters serverParameters() {
        SSLParameters parameters = base();
        parameters.setNeedClientAuth(true);
        return parameters;
    }

    /** Fresh client parameters: protocols, suites, server host name verification. */
    public static SSLParameters clientParameters() {
        SSLParameters parameters = base();
        parameters.setEndpointIdentificationAlgorithm(ENDPOINT_IDENTIFICATION);
        return parameters;
    }

    private static SSLParameters base() {
        SSLParameters parameters = new SSLParameters(
                CIPHER_SUITES.toArray(String[]::new), PROTOCOLS.toArray(String[]::new));
        parameters.setUseCipherSuitesOrder(true);
        return parameters;
    }

    private static List<String> concat(List<String> a, List<String> b) {
        return java.util.stream.Stream.concat(a.stream(), b.stream()).toList();
    }
}
