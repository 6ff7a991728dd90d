package io.kekvault.kms.access;

import io.kekvault.kmip.error.AuthenticationException;
import io.kekvault.kmip.error.PermissionDeniedException;
import io.kekvault.kmip.error.ResultReason;
import io.kekvault.pki.Identity;
import io.kekvault.pki.PkiException;
import io.kekvault.pki.RoleMap;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLSession;
import javax.net.ssl.X509TrustManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a TLS peer into a {@link Caller}: the client certificate chain is validated against the
 * KMS's CA (PKIX, dates, clientAuth key usage) and the certificate's CN is looked up in the role
 * map. The TLS layer only proves possession of the private key; this class decides, so a refused
 * client gets a precise error (no certificate / other CA / expired / no role) instead of a bare
 * handshake failure. Results are cached in the TLS session until the certificate expires.
 */
public final class ClientAuthenticator {
    private static final Logger log = LoggerFactory.getLogger(ClientAuthenticator.class);
    private static final String SESSION_KEY = "io.kekvault.caller";

    private final X509TrustManager trust;
    private final Path roleMapFile;
    private final Map<String, Role> inlineRoles;
    private final Clock clock;
    private volatile RoleMap roleMap;
    private volatile long roleMapStamp = -1;
    private volatile long lastCheck;

    private record Verified(String identity, Role role, long notAfterMillis) {
    }

    public ClientAuthenticator(X509TrustManager trust, Path roleMapFile, Map<String, Role> inlineRoles, Clock clock) {
        this.trust = trust;
        this.roleMapFile = roleMapFile;
        this.inlineRoles = Map.copyOf(inlineRoles);
        this.clock = clock;
        reloadRoleMapIfChanged(true);
    }

    /** Authenticates the peer of {@code session}; the result is cached on the session. */
    public Caller authenticate(SSLSession session, String requestId, String channel)
            throws AuthenticationException, PermissionDeniedException {
        if (session == null) {
            throw new AuthenticationException("a client certificate is required (mutual TLS)");
        }
        Object cached = session.getValue(SESSION_KEY);
        if (cached instanceof Verified v && clock.millis() < v.notAfterMillis()) {
            Role now = roleOf(v.identity());
            if (now == null) {
                throw noRole(v.identity());
            }
            return new Caller(v.identity(), now, requestId, channel);
        }
        Certificate[] peer;
        try {
            peer = session.getPeerCertificates();
        } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
            throw new AuthenticationException("a client certificate is required (mutual TLS)");
        }
        Verified v = verify(peer);
        session.putValue(SESSION_KEY, v);
        return new Caller(v.identity(), v.role(), requestId, channel);
    }

    /** Validates a chain presented by a client (also used by tests and the KMIP front end). */
    private Verified verify(Certificate[] peer) throws AuthenticationException, PermissionDeniedException {
        if (peer == null || peer.length == 0) {
            throw new AuthenticationException("a client certificate is required (mutual TLS)");
        }
        X509Certificate[] chain = Arrays.stream(peer).map(c -> (X509Certificate) c).toArray(X509Certificate[]::new);
        X509Certificate leaf = chain[0];
        try {
            leaf.checkValidity(java.util.Date.from(clock.instant()));
        } catch (CertificateExpiredException e) {
            throw new AuthenticationException(ResultReason.AUTHENTICATION_NOT_SUCCESSFUL,
                    "the client certificate expired on " + leaf.getNotAfter().toInstant(), null);
        } catch (CertificateNotYetValidException e) {
            throw new AuthenticationException(ResultReason.AUTHENTICATION_NOT_SUCCESSFUL,
                    "the client certificate is not valid before " + leaf.getNotBefore().toInstant(), null);
        }
        try {
            trust.checkClientTrusted(chain, leaf.getPublicKey().getAlgorithm().equals("EC") ? "EC" : "RSA");
        } catch (CertificateException e) {
            log.info("event=client_cert_refused subject=\"{}\" issuer=\"{}\" why=\"{}\"", leaf.getSubjectX500Principal(),
                    leaf.getIssuerX500Principal(), e.getMessage());
            throw new AuthenticationException(ResultReason.AUTHENTICATION_NOT_SUCCESSFUL,
                    "the client certificate was not issued by this KMS's CA or is not valid for client authentication", null);
        }
        String identity;
        try {
            identity = Identity.fromCertificate(leaf).name();
        } catch (PkiException e) {
            throw new AuthenticationException(ResultReason.AUTHENTICATION_NOT_SUCCESSFUL,
                    "the client certificate has no usable identity (one CN): " + e.getMessage(), null);
        }
        Role role = roleOf(identity);
        if (role == null) {
            throw noRole(identity);
        }
        return new Verified(identity, role, leaf.getNotAfter().getTime());
    }

    private static PermissionDeniedException noRole(String identity) {
        return new PermissionDeniedException("identity '" + identity + "' has no role in this KMS's role map");
    }

    /** The role of {@code identity}: inline config first, then the role-map file. */
    public Role roleOf(String identity) {
        Role inline = inlineRoles.get(identity);
        if (inline != null) {
            return inline;
        }
        reloadRoleMapIfChanged(false);
        RoleMap m = roleMap;
        if (m == null) {
            return null;
        }
        try {
            return m.roleOf(Identity.parse(identity)).map(Role::parse).orElse(null);
        } catch (PkiException | IllegalArgumentException e) {
            return null;
        }
    }

    /** `pki issue` adds identities while the KMS runs: pick them up without a restart. */
    private void reloadRoleMapIfChanged(boolean force) {
        if (roleMapFile == null) {
            return;
        }
        long now = System.currentTimeMillis();
        if (!force && now - lastCheck < 1000) {
            return;
        }
        lastCheck = now;
        try {
            long stamp = Files.exists(roleMapFile) ? Files.getLastModifiedTime(roleMapFile).toMillis() ^ Files.size(roleMapFile) : 0;
            if (stamp != roleMapStamp) {
                synchronized (this) {
                    roleMap = RoleMap.loadIfExists(roleMapFile);
                    roleMapStamp = stamp;
                }
                log.info("event=role_map_loaded file={} identities={}", roleMapFile, roleMap.asMap().size());
            }
        } catch (java.io.IOException | PkiException e) {
            log.error("event=role_map_unreadable file={} error=\"{}\"", roleMapFile, e.getMessage());
        }
    }

    public List<String> knownIdentities() {
        List<String> ids = new java.util.ArrayList<>(inlineRoles.keySet());
        RoleMap m = roleMap;
        if (m != null) {
            m.asMap().keySet().forEach(i -> ids.add(i.name()));
        }
        return ids;
    }
}
