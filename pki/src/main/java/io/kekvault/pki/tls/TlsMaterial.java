package io.kekvault.pki.tls;

import io.kekvault.pki.Identity;
import io.kekvault.pki.Keys;
import io.kekvault.pki.Pem;
import io.kekvault.pki.PkiDirectory;
import io.kekvault.pki.PkiException;
import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509KeyManager;
import javax.net.ssl.X509TrustManager;

/**
 * The credentials of one TLS endpoint: an optional certificate chain with its private key (leaf
 * first) and the CA certificates it trusts. Trust is exactly that bundle, never the JDK's default
 * trust store. Loading checks that the key belongs to the leaf certificate.
 *
 * <p>For Vert.x: {@link #keyManagerFactory()} and {@link #trustManagerFactory()} feed
 * {@code KeyCertOptions.wrap(...)} and {@code TrustOptions.wrap(...)}; or use the file paths with
 * {@code PemKeyCertOptions}/{@code PemTrustOptions}; or the {@link KeyStore}s.
 * The private key is never exposed by this class except through the key store and key manager.
 */
public final class TlsMaterial {

    private final List<X509Certificate> chain;
    private final PrivateKey key;
    private final List<X509Certificate> trusted;
    private final Path chainFile;
    private final Path keyFile;
    private final Path caFile;

    private TlsMaterial(List<X509Certificate> chain, PrivateKey key, List<X509Certificate> trusted,
            Path chainFile, Path keyFile, Path caFile) throws PkiException {
        this.chain = List.copyOf(chain);
        this.key = key;
        this.trusted = List.copyOf(trusted);
        this.chainFile = chainFile;
        this.keyFile = keyFile;
        this.caFile = caFile;
        if ((key == null) != this.chain.isEmpty()) {
            throw new IllegalArgumentException("a certificate chain and its private key go together");
        }
        if (this.trusted.isEmpty()) {
            throw new PkiException(PkiException.Reason.INVALID_INPUT, "no trusted CA certificate");
        }
        if (key != null && !Keys.matches(key, this.chain.getFirst().getPublicKey())) {
            throw new PkiException(PkiException.Reason.INVALID_INPUT,
                    (keyFile != null ? keyFile + ": " : "") + "private key does not match the leaf certificate");
        }
    }

    /** Loads a PEM certificate chain (leaf first), its PEM private key and a PEM CA bundle. */
    public static TlsMaterial load(Path certificateChainPem, Path privateKeyPem, Path caBundlePem) throws PkiException {
        return new TlsMaterial(Pem.readCertificates(certificateChainPem), Pem.readPrivateKey(privateKeyPem),
                Pem.readCertificates(caBundlePem), certificateChainPem, privateKeyPem, caBundlePem);
    }

    /** Trust only, no certificate of our own (a client that cannot authenticate; useful to test refusal). */
    public static TlsMaterial trustOnly(Path caBundlePem) throws PkiException {
        return new TlsMaterial(List.of(), null, Pem.readCertificates(caBundlePem), null, null, caBundlePem);
    }

    /** In-memory material, e.g. a requester whose key never touched a file. */
    public static TlsMaterial of(List<X509Certificate> chain, PrivateKey key, List<X509Certificate> trusted)
            throws PkiException {
        Objects.requireNonNull(chain, "chain");
        Objects.requireNonNull(key, "key");
        if (chain.isEmpty()) {
            throw new PkiException(PkiException.Reason.INVALID_INPUT, "empty certificate chain");
        }
        return new TlsMaterial(chain, key, trusted, null, null, null);
    }

    /** The KMS server credentials of a PKI directory: {@code server.pem}, {@code server.key}, trusting {@code ca.pem}. */
    public static TlsMaterial server(PkiDirectory dir) throws PkiException {
        return load(dir.serverCertificate(), dir.serverKey(), dir.caCertificate());
    }

    /** A client identity's credentials: {@code <identity>.pem}, {@code <identity>.key}, trusting {@code ca.pem}. */
    public static TlsMaterial client(PkiDirectory dir, Identity identity) throws PkiException {
        return load(dir.certificate(identity), dir.key(identity), dir.caCertificate());
    }

    public boolean hasCertificate() {
        return key != null;
    }

    /** Our chain, leaf first; empty for trust-only material. */
    public List<X509Certificate> certificateChain() {
        return chain;
    }

    public List<X509Certificate> trustedCertificates() {
        return trusted;
    }

    public Optional<Path> certificateChainFile() {
        return Optional.ofNullable(chainFile);
    }

    public Optional<Path> privateKeyFile() {
        return Optional.ofNullable(keyFile);
    }

    public Optional<Path> caBundleFile() {
        return Optional.ofNullable(caFile);
    }

    /**
     * A new in-memory PKCS#12 key store holding our key and chain under alias {@code identity},
     * protected by {@code password}. Empty for trust-only material.
     */
    public KeyStore keyStore(char[] password) throws PkiException {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            if (key != null) {
                store.setKeyEntry("identity", key, password, chain.toArray(Certificate[]::new));
            }
            return store;
        } catch (GeneralSecurityException | IOException e) {
            throw new PkiException(PkiException.Reason.CRYPTO_FAILURE, "cannot build key store", e);
        }
    }

    /** A new in-memory PKCS#12 trust store holding the CA bundle ({@code ca-0}, {@code ca-1}, ...). */
    public KeyStore trustStore() throws PkiException {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            for (int i = 0; i < trusted.size(); i++) {
                store.setCertificateEntry("ca-" + i, trusted.get(i));
            }
            return store;
        } catch (GeneralSecurityException | IOException e) {
            throw new PkiException(PkiException.Reason.CRYPTO_FAILURE, "cannot build trust store", e);
        }
    }

    /** An initialized key manager factory over our key (no key managers for trust-only material). */
    public KeyManagerFactory keyManagerFactory() throws PkiException {
        // The store password only guards an in-memory store that lives as long as the factory.
        byte[] random = new byte[16];
        new SecureRandom().nextBytes(random);
        char[] password = HexFormat.of().formatHex(random).toCharArray();
        try {
            KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            factory.init(keyStore(password), password);
            return factory;
        } catch (GeneralSecurityException e) {
            throw new PkiException(PkiException.Reason.CRYPTO_FAILURE, "cannot initialize key manager", e);
        }
    }

    /** An initialized PKIX trust manager factory trusting exactly the CA bundle (no revocation checks). */
    public TrustManagerFactory trustManagerFactory() throws PkiException {
        try {
            TrustManagerFactory factory = TrustManagerFactory.getInstance("PKIX");
            factory.init(trustStore());
            return factory;
        } catch (GeneralSecurityException e) {
            throw new PkiException(PkiException.Reason.CRYPTO_FAILURE, "cannot initialize trust manager", e);
        }
    }

    /** Our X.509 key manager; empty for trust-only material. */
    public Optional<X509KeyManager> keyManager() throws PkiException {
        if (key == null) {
            return Optional.empty();
        }
        for (KeyManager manager : keyManagerFactory().getKeyManagers()) {
            if (manager instanceof X509KeyManager x509) {
                return Optional.of(x509);
            }
        }
        throw new PkiException(PkiException.Reason.CRYPTO_FAILURE, "no X.509 key manager available");
    }

    public X509TrustManager trustManager() throws PkiException {
        for (TrustManager manager : trustManagerFactory().getTrustManagers()) {
            if (manager instanceof X509TrustManager x509) {
                return x509;
            }
        }
        throw new PkiException(PkiException.Reason.CRYPTO_FAILURE, "no X.509 trust manager available");
    }

    @Override
    public String toString() {
        return "TlsMaterial[chain=" + chain.stream().map(c -> c.getSubjectX500Principal().getName()).toList()
                + ", key=" + (key == null ? "none" : "<redacted>") + ", trusted=" + trusted.size() + "]";
    }
}
