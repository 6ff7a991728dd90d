package io.kekvault.kms.access;

import java.security.cert.X509Certificate;
import javax.net.ssl.X509TrustManager;

/**
 * TLS-layer trust manager for the KMS listeners: it lets any client certificate through the
 * handshake (the handshake still proves the client holds the private key) and advertises the
 * KMS's CA, so clients pick the right certificate. {@link ClientAuthenticator} then validates the
 * chain before anything is served, and answers a refusal the client can read (problem+json or a
 * KMIP Result Reason) instead of a bare handshake alert.
 */
public final class AcceptAnyClientTrustManager implements X509TrustManager {
    private final X509TrustManager delegate;

    public AcceptAnyClientTrustManager(X509TrustManager delegate) {
        this.delegate = delegate;
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {
        // deferred to ClientAuthenticator
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws java.security.cert.CertificateException {
        delegate.checkServerTrusted(chain, authType);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return delegate.getAcceptedIssuers();
    }
}
