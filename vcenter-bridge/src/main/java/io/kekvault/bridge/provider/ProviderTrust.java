package io.kekvault.bridge.provider;

import io.kekvault.kmip.error.InvalidRequestException;
import io.kekvault.kmip.error.KmsException;
import io.kekvault.kmip.error.NotFoundException;
import io.kekvault.kmip.error.ResultReason;
import io.kekvault.kmip.error.UnavailableException;
import io.kekvault.pki.CsrResult;
import io.kekvault.pki.KeyAlgorithm;
import io.kekvault.pki.Pem;
import io.kekvault.pki.PkiException;
import io.kekvault.pki.PkiService;
import io.kekvault.pki.tls.TlsContext;
import io.kekvault.pki.tls.TlsMaterial;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trust between the bridge and a key provider, set up the vCenter way: the bridge makes a key
 * pair and a CSR ({@link #createCsr}); the KMS's CA signs it ({@code kekvault pki sign-csr});
 * the bridge installs the signed certificate with the KMS CA it trusts ({@link #install}).
 *
 * <p>Files per provider under {@code DIR/<provider>/}: {@code client.key} (PKCS#8, 0600, never
 * leaves the bridge), {@code client.csr}, {@code client.pem}, {@code ca.pem}. Installing checks
 * that the certificate matches the private key and is signed by the given CA, and changes no
 * file when a check fails.
 */
public final class ProviderTrust {
    private static final Logger log = LoggerFactory.getLogger(ProviderTrust.class);

    private final Path root;
    private final PkiService pki = new PkiService();
    /** Loaded contexts, dropped whenever the provider's files change. */
    private final java.util.Map<String, TlsContext> contexts = new java.util.concurrent.ConcurrentHashMap<>();

    public ProviderTrust(Path root) {
        this.root = root;
    }

    public Path dir(String provider) {
        return root.resolve(provider);
    }

    public Path keyFile(String provider) {
        return dir(provider).resolve("client.key");
    }

    public Path csrFile(String provider) {
        return dir(provider).resolve("client.csr");
    }

    public Path certificateFile(String provider) {
        return dir(provider).resolve("client.pem");
    }

    public Path caFile(String provider) {
        return dir(provider).resolve("ca.pem");
    }

    /** Makes a new key pair and CSR for {@code commonName} (replacing earlier ones); returns the CSR PEM. */
    public String createCsr(String provider, String commonName) throws KmsException {
        try {
            contexts.remove(provider);
            CsrResult r = pki.writeKeyAndCsr(keyFile(provider), csrFile(provider), commonName, KeyAlgorithm.DEFAULT, true);
            log.info("event=provider_csr_created provider={} cn={}", provider, commonName);
            return r.csrPem();
        } catch (PkiException e) {
            throw new InvalidRequestException(ResultReason.INVALID_FIELD, "cannot make the CSR: " + e.getMessage(), e);
        }
    }

    /**
     * Installs the signed certificate and the CA to trust. Returns the certificate's CN.
     *
     * @throws InvalidRequestException if the certificate does not match the bridge's key, is not
     *                                 signed by the CA, or either PEM is unreadable
     */
    public String install(String provider, String certificatePem, String caPem) throws KmsException {
        if (!Files.exists(keyFile(provider))) {
            throw new NotFoundException(ResultReason.ITEM_NOT_FOUND,
                    "provider '" + provider + "' has no key pair: request a CSR first", null);
        }
        try {
            List<X509Certificate> chain = Pem.parseCertificates(certificatePem, "certificate");
            List<X509Certificate> cas = Pem.parseCertificates(caPem, "CA certificate");
            if (chain.isEmpty() || cas.isEmpty()) {
                throw new InvalidRequestException(ResultReason.INVALID_FIELD, "empty certificate or CA", null);
            }
            X509Certificate leaf = chain.getFirst();
            boolean signed = false;
            for (X509Certificate ca : cas) {
                try {
                    leaf.verify(ca.getPublicKey());
                    signed = true;
                } catch (GeneralSecurityException ignored) {
                    // try the next CA of the bundle
                }
            }
            if (!signed) {
                throw new InvalidRequestException(ResultReason.INVALID_FIELD, "the certificate is not signed by the given CA", null);
            }
            // Also checks that the certificate belongs to our private key.
            TlsMaterial.of(chain, Pem.readPrivateKey(keyFile(provider)), cas);
            Path dir = dir(provider);
            Path certTmp = Files.createTempFile(dir, "client", ".tmp");
            Path caTmp = Files.createTempFile(dir, "ca", ".tmp");
            Files.writeString(certTmp, certificatePem, StandardCharsets.US_ASCII);
            Files.writeString(caTmp, caPem, StandardCharsets.US_ASCII);
            Files.move(certTmp, certificateFile(provider), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            Files.move(caTmp, caFile(provider), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            contexts.remove(provider);
            String cn = commonName(leaf);
            log.info("event=provider_certificate_installed provider={} cn={} serial={}", provider, cn, leaf.getSerialNumber().toString(16));
            return cn;
        } catch (PkiException e) {
            throw new InvalidRequestException(ResultReason.INVALID_FIELD, "cannot install the certificate: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UnavailableException("cannot write the provider's certificate files", e);
        }
    }

    public boolean trusted(String provider) {
        return Files.exists(certificateFile(provider)) && Files.exists(caFile(provider)) && Files.exists(keyFile(provider));
    }

    /** The mutual-TLS client context for the provider's KMS (and, by default, for hosts). */
    public TlsContext tls(String provider) throws KmsException {
        if (!trusted(provider)) {
            throw new io.kekvault.kmip.error.WrongStateException(ResultReason.ILLEGAL_OPERATION,
                    "key provider '" + provider + "' is not trusted yet: make a CSR, have the KMS sign it and install the certificate", null);
        }
        TlsContext cached = contexts.get(provider);
        if (cached != null) {
            return cached;
        }
        try {
            TlsContext t = TlsContext.client(TlsMaterial.load(certificateFile(provider), keyFile(provider), caFile(provider)));
            contexts.put(provider, t);
            return t;
        } catch (PkiException e) {
            throw new UnavailableException("cannot load the TLS material of provider '" + provider + "': " + e.getMessage(), e);
        }
    }

    /** Deletes the provider's files. */
    public void delete(String provider) throws IOException {
        contexts.remove(provider);
        Path dir = dir(provider);
        if (!Files.exists(dir)) {
            return;
        }
        try (var s = Files.list(dir)) {
            for (Path p : s.toList()) {
                Files.deleteIfExists(p);
            }
        }
        Files.deleteIfExists(dir);
    }

    static String commonName(X509Certificate c) {
        String dn = c.getSubjectX500Principal().getName();
        for (String part : dn.split(",")) {
            String p = part.trim();
            if (p.startsWith("CN=")) {
                return p.substring(3);
            }
        }
        return dn;
    }
}
