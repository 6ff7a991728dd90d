package io.kekvault.bridge.provider;

import io.kekvault.bridge.inventory.Inventory;
import io.kekvault.bridge.inventory.KeyProvider;
import io.kekvault.bridge.inventory.KmsEndpoint;
import io.kekvault.bridge.inventory.Names;
import io.kekvault.bridge.store.Database;
import io.kekvault.kmip.client.KmipEndpoint;
import io.kekvault.kmip.error.ConflictException;
import io.kekvault.kmip.error.InvalidRequestException;
import io.kekvault.kmip.error.KmsException;
import io.kekvault.kmip.error.NotFoundException;
import io.kekvault.kmip.error.ResultReason;
import io.kekvault.kmip.error.UnavailableException;
import io.kekvault.kmip.error.WrongStateException;
import io.kekvault.pki.Identity;
import io.kekvault.pki.PkiException;
import java.io.IOException;
import java.net.URI;
import java.sql.SQLException;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Managing key providers: add one (a KMS cluster: its endpoints in failover order), make it the
 * default, set up trust (CSR, install the signed certificate), check it, remove it. A provider
 * whose keys protect VM components cannot be removed.
 */
public final class ProviderAdmin {
    private static final Logger log = LoggerFactory.getLogger(ProviderAdmin.class);

    private final Database db;
    private final KekService keks;

    public ProviderAdmin(Database db, KekService keks) {
        this.db = db;
        this.keks = keks;
    }

    private KeyProvider existing(java.sql.Connection c, String name) throws SQLException, KmsException {
        return Inventory.provider(c, name).orElseThrow(() -> new NotFoundException("key provider '" + Names.printable(name) + "' does not exist"));
    }

    /** Adds a provider; the first one becomes the default whatever {@code makeDefault} says. */
    public KeyProvider add(String name, List<KmsEndpoint> endpoints, boolean makeDefault) throws SQLException, KmsException {
        Names.check("key provider name", name);
        if (endpoints.isEmpty()) {
            throw new InvalidRequestException(ResultReason.MISSING_DATA, "a key provider needs at least one KMS endpoint", null);
        }
        for (KmsEndpoint e : endpoints) {
            validate(e);
        }
        return db.tx(c -> {
            if (Inventory.provider(c, name).isPresent()) {
                throw new ConflictException("key provider '" + name + "' already exists");
            }
            boolean isDefault = makeDefault || Inventory.defaultProvider(c).isEmpty();
            Inventory.insertProvider(c, new KeyProvider(name, isDefault, KeyProvider.TRUST_NONE, null, endpoints));
            log.info("event=provider_added provider={} endpoints={} default={}", name, endpoints.size(), isDefault);
            return Inventory.provider(c, name).orElseThrow();
        });
    }

    static void validate(KmsEndpoint e) throws InvalidRequestException {
        try {
            KmipEndpoint.parse(e.kmip() == null ? "" : e.kmip());
            URI u = URI.create(e.https() == null ? "" : e.https());
            if (!"https".equals(u.getScheme()) || u.getHost() == null) {
                throw new IllegalArgumentException("not https");
            }
        } catch (RuntimeException ex) {
            throw new InvalidRequestException(ResultReason.INVALID_FIELD, "invalid KMS endpoint: kmip must be host:port and https an "
                    + "https:// URL (got kmip='" + Names.printable(String.valueOf(e.kmip())) + "', https='"
                    + Names.printable(String.valueOf(e.https())) + "')", null);
        }
    }

    public KeyProvider setEndpoints(String name, List<KmsEndpoint> endpoints) throws SQLException, KmsException {
        if (endpoints.isEmpty()) {
            throw new InvalidRequestException(ResultReason.MISSING_DATA, "a key provider needs at least one KMS endpoint", null);
        }
        for (KmsEndpoint e : endpoints) {
            validate(e);
        }
        KeyProvider p = db.tx(c -> {
            existing(c, name);
            Inventory.setEndpoints(c, name, endpoints);
            return Inventory.provider(c, name).orElseThrow();
        });
        keks.invalidate(name);
        return p;
    }

    public KeyProvider makeDefault(String name) throws SQLException, KmsException {
        return db.tx(c -> {
            existing(c, name);
            Inventory.setDefaultProvider(c, name);
            log.info("event=provider_default provider={}", name);
            return Inventory.provider(c, name).orElseThrow();
        });
    }

    /** Makes a key pair and CSR for the bridge's identity at this provider; returns the CSR (PEM). */
    public String csr(String name, String commonName) throws SQLException, KmsException {
        String cn = commonName == null ? "vcenter" : commonName;
        try {
            Identity.parse(cn);
        } catch (PkiException | RuntimeException e) {
            throw new InvalidRequestException(ResultReason.INVALID_FIELD, "invalid certificate common name '" + Names.printable(cn) + "'", null);
        }
        db.read(c -> existing(c, name));
        String pem = keks.trust().createCsr(name, cn);
        db.tx(c -> {
            Inventory.setTrust(c, name, KeyProvider.TRUST_CSR_PENDING, cn);
            return null;
        });
        keks.invalidate(name);
        return pem;
    }

    /** Installs the KMS-signed certificate and the KMS CA; the provider becomes trusted. */
    public KeyProvider install(String name, String certificatePem, String caPem) throws SQLException, KmsException {
        if (certificatePem == null || caPem == null) {
            throw new InvalidRequestException(ResultReason.MISSING_DATA, "certificate and ca (PEM) are required", null);
        }
        db.read(c -> existing(c, name));
        String cn = keks.trust().install(name, certificatePem, caPem);
        keks.invalidate(name);
        return db.tx(c -> {
            Inventory.setTrust(c, name, KeyProvider.TRUST_TRUSTED, cn);
            return Inventory.provider(c, name).orElseThrow();
        });
    }

    public List<KekService.EndpointCheck> check(String name) throws SQLException, KmsException {
        db.read(c -> existing(c, name));
        return keks.check(name);
    }

    public void remove(String name) throws SQLException, KmsException {
        db.tx(c -> {
            KeyProvider p = existing(c, name);
            if (Inventory.providerInUse(c, name)) {
                throw new WrongStateException(ResultReason.ILLEGAL_OPERATION, "key provider '" + name
                        + "' holds KEKs of encrypted VM components: decrypt or rekey them elsewhere first", null);
            }
            if (p.isDefault() && Inventory.providers(c).size() > 1) {
                throw new WrongStateException(ResultReason.ILLEGAL_OPERATION, "key provider '" + name
                        + "' is the default: make another provider the default first", null);
            }
            Inventory.deleteProvider(c, name);
            return null;
        });
        keks.invalidate(name);
        try {
            keks.trust().delete(name);
        } catch (IOException e) {
            throw new UnavailableException("key provider removed, but its files could not be deleted", e);
        }
        log.info("event=provider_removed provider={}", name);
    }
}
