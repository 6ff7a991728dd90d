package io.kekvault.bridge.host;

import io.kekvault.kmip.error.KmsException;
import io.kekvault.kmip.error.UnavailableException;
import io.kekvault.pki.PkiException;
import io.kekvault.pki.tls.TlsContext;
import io.kekvault.pki.tls.TlsMaterial;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Makes {@link HostClient}s with the bridge's TLS identity towards hosts: explicit certificate
 * files from the config, or the certificate the bridge installed for a key provider (by default
 * the default provider: in a lab the KMS CA issues every certificate, and hosts accept the
 * {@code vcenter} identity it signed).
 */
public final class HostConnector {

    /** Supplies the TLS context of the provider whose certificate the bridge presents to hosts. */
    @FunctionalInterface
    public interface ProviderTls {
        TlsContext tls() throws KmsException;
    }

    private final Path cert;
    private final Path key;
    private final Path ca;
    private final ProviderTls providerTls;
    private final Duration timeout;
    private volatile TlsContext fixed;

    /** Explicit files ({@code cert}, {@code key}, {@code ca} non-null) or {@code providerTls}. */
    public HostConnector(Path cert, Path key, Path ca, ProviderTls providerTls, Duration timeout) {
        this.cert = cert;
        this.key = key;
        this.ca = ca;
        this.providerTls = providerTls;
        this.timeout = timeout;
    }

    private TlsContext tls() throws KmsException {
        if (cert == null) {
            return providerTls.tls();
        }
        TlsContext t = fixed;
        if (t == null) {
            try {
                t = TlsContext.client(TlsMaterial.load(cert, key, ca));
            } catch (PkiException e) {
                throw new UnavailableException("cannot load the bridge's host TLS material: " + e.getMessage(), e);
            }
            fixed = t;
        }
        return t;
    }

    private record Cached(TlsContext tls, HostClient client) {
    }

    private final java.util.Map<String, Cached> clients = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * A client for the host at {@code url}; {@code label} names it in errors. Clients are reused
     * (one HTTP connection pool per host) until the bridge's TLS identity changes.
     */
    public HostClient client(String label, String url) throws KmsException {
        TlsContext t = tls();
        String key = label + "|" + url;
        Cached c = clients.get(key);
        if (c == null || c.tls() != t) {
            c = new Cached(t, new HostClient(label, URI.create(url), t, timeout));
            clients.put(key, c);
        }
        return c.client();
    }
}
