package io.kekvault.esxi.kms;

import io.kekvault.esxi.vm.KeySafe;
import io.kekvault.kmip.error.KmsException;
import io.kekvault.kmip.error.NotFoundException;
import io.kekvault.kmip.error.PermissionDeniedException;
import io.kekvault.kmip.error.ResultReason;
import io.kekvault.kmip.error.UnavailableException;
import io.kekvault.kmip.http.KmsHttpClient;
import io.kekvault.secret.SecretBytes;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One key provider (a KMS cluster: several endpoints) as a host uses it: wrap, unwrap and rewrap
 * DEKs with the host's own identity, one batch request per call.
 *
 * <p>Guarantees: DEKs travel only inside {@link SecretBytes}; fail-over across the provider's
 * endpoints and bounded, jittered back-off on transient faults (unreachable endpoint, 503) come
 * from {@link KmsHttpClient}, which never repeats a call that may have taken effect; a refusal is
 * never retried. Because the KMS reports a key the caller may not use exactly like a missing key
 * (no existence oracle), "not found" is turned into a {@link PermissionDeniedException} that names
 * the host identity and the KEK, so an operator knows to grant the cluster's hosts.
 */
public final class KeyProvider {
    private static final Logger LOG = LoggerFactory.getLogger(KeyProvider.class);

    /** A DEK to wrap with its AAD; the caller keeps and closes the DEK. */
    public record WrapItem(SecretBytes dek, byte[] aad) {
    }

    /** A stored keySafe to unwrap or rewrap, with the AAD it was wrapped with. */
    public record SafeItem(KeySafe safe, byte[] aad) {
    }

    private final String name;
    private final String identity;
    private final KmsHttpClient client;

    public KeyProvider(String name, String identity, KmsHttpClient client) {
        this.name = name;
        this.identity = identity;
        this.client = client;
    }

    public String name() {
        return name;
    }

    public List<URI> endpoints() {
        return client.endpoints();
    }

    /** Wraps DEKs under {@code kekId} in one request; returns their keySafes in order. */
    public List<KeySafe> wrap(String kekId, List<WrapItem> items) throws KmsException {
        List<KmsHttpClient.WrapItem> req = new ArrayList<>(items.size());
        items.forEach(i -> req.add(new KmsHttpClient.WrapItem(i.dek(), i.aad())));
        List<byte[]> wrapped;
        try {
            wrapped = client.wrap(kekId, req);
        } catch (KmsException e) {
            throw explain(e, "wrap", kekId);
        }
        checkCount(wrapped.size(), items.size());
        List<KeySafe> out = new ArrayList<>(wrapped.size());
        wrapped.forEach(w -> out.add(new KeySafe(name, kekId, w)));
        LOG.info("event=kms_wrap provider={} kek={} items={}", name, kekId, items.size());
        return out;
    }

    /** Unwraps keySafes (all of this provider) in one request; the caller closes the DEKs. */
    public List<SecretBytes> unwrap(List<SafeItem> items) throws KmsException {
        List<KmsHttpClient.WrappedItem> req = new ArrayList<>(items.size());
        items.forEach(i -> req.add(new KmsHttpClient.WrappedItem(i.safe().wrapped(), i.aad())));
        List<SecretBytes> deks;
        try {
            deks = client.unwrap(req);
        } catch (KmsException e) {
            throw explain(e, "unwrap", items.isEmpty() ? "?" : items.getFirst().safe().kekId());
        }
        if (deks.size() != items.size()) {
            deks.forEach(SecretBytes::close);
            checkCount(deks.size(), items.size());
        }
        LOG.info("event=kms_unwrap provider={} items={}", name, items.size());
        return deks;
    }

    /** Re-wraps keySafes under {@code newKekId} inside the KMS (the DEKs never reach the host). */
    public List<KeySafe> rewrap(String newKekId, List<SafeItem> items) throws KmsException {
        List<KmsHttpClient.WrappedItem> req = new ArrayList<>(items.size());
        items.forEach(i -> req.add(new KmsHttpClient.WrappedItem(i.safe().wrapped(), i.aad())));
        List<byte[]> wrapped;
        try {
            wrapped = client.rewrap(newKekId, req);
        } catch (KmsException e) {
            throw explain(e, "rewrap", newKekId);
        }
        checkCount(wrapped.size(), items.size());
        List<KeySafe> out = new ArrayList<>(wrapped.size());
        wrapped.forEach(w -> out.add(new KeySafe(name, newKekId, w)));
        LOG.info("event=kms_rewrap provider={} kek={} items={}", name, newKekId, items.size());
        return out;
    }

    private KmsException explain(KmsException e, String op, String kekId) {
        LOG.warn("event=kms_refused provider={} op={} kek={} identity={} code={}", name, op, kekId, identity, e.errorCode());
        if (e instanceof NotFoundException) {
            return new PermissionDeniedException(ResultReason.PERMISSION_DENIED, "key provider '" + name
                    + "' refused to " + op + " with KEK " + kekId + " for " + identity
                    + ": the key does not exist or is not granted to this host (grant the cluster's hosts wrap/unwrap)", e);
        }
        if (e instanceof UnavailableException) {
            return new UnavailableException(e.reason(), "key provider '" + name + "' is unavailable (" + op
                    + " failed on every endpoint after bounded retries): " + e.getMessage(), e);
        }
        return KmsException.withMessage(e, "key provider '" + name + "' refused to " + op + ": " + e.getMessage());
    }

    private static void checkCount(int got, int expected) throws KmsException {
        if (got != expected) {
            throw new io.kekvault.kmip.error.GeneralFailureException(ResultReason.GENERAL_FAILURE,
                    "the KMS answered " + got + " items for " + expected, null);
        }
    }

    @Override
    public String toString() {
        return "KeyProvider[" + name + ", " + client.endpoints() + "]";
    }
}
