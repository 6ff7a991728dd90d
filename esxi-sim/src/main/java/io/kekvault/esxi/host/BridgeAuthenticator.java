package io.kekvault.esxi.host;

import io.kekvault.kmip.error.AuthenticationException;
import io.kekvault.kmip.error.KmsException;
import io.kekvault.kmip.error.PermissionDeniedException;
import io.kekvault.kmip.error.ResultReason;
import io.kekvault.pki.Identity;
import io.kekvault.pki.PkiException;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Date;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import javax.net.ssl.X509TrustManager;

/**
 * Decides who may command a host: only a client whose certificate chains to the KMS CA, is valid
 * for client authentication and names the bridge's identity (CN {@code vcenter} by default).
 * The TLS layer only proves key possession, so refusals are readable: 401 for no or untrusted
 * certificate, 403 for a trusted identity that is not the bridge.
 */
public final class BridgeAuthenticator {
    private final X509TrustManager trust;
    private final String bridgeIdentity;

    public BridgeAuthenticator(X509TrustManager trust, String bridgeIdentity) {
        this.trust = trust;
        this.bridgeIdentity = bridgeIdentity;
    }

    /** The caller's identity, which is the bridge's; refuses anyone else. */
    public String authenticate(SSLSession session) throws KmsException {
        if (session == null) {
            throw new AuthenticationException("a client certificate is required (mutual TLS)");
        }
        Certificate[] peer;
        try {
            peer = session.getPeerCertificates();
        } catch (SSLPeerUnverifiedException e) {
            throw new AuthenticationException("a client certificate is required (mutual TLS)");
        }
        if (peer == null || peer.length == 0) {
            throw new AuthenticationException("a client certificate is required (mutual TLS)");
        }
        X509Certificate[] chain = Arrays.stream(peer).map(c -> (X509Certificate) c).toArray(X509Certificate[]::new);
        X509Certificate leaf = chain[0];
        try {
            leaf.checkValidity(new Date());
            trust.checkClientTrusted(chain, leaf.getPublicKey().getAlgorithm().equals("EC") ? "EC" : "RSA");
        } catch (CertificateException e) {
            throw new AuthenticationException(ResultReason.AUTHENTICATION_NOT_SUCCESSFUL,
                    "the client certificate is not valid or not issued by the CA this host trusts", null);
        }
        String identity;
        try {
            identity = Identity.fromCertificate(leaf).name();
        } catch (PkiException e) {
            throw new AuthenticationException(ResultReason.AUTHENTICATION_NOT_SUCCESSFUL,
                    "the client certificate has no usable identity", null);
        }
        if (!identity.equals(bridgeIdentity)) {
            throw new PermissionDeniedException(ResultReason.PERMISSION_DENIED,
                    "identity '" + identity + "' may not command this host (only the bridge may)", null);
        }
        return identity;
    }
}
