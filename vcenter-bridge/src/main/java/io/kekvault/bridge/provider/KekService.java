package io.kekvault.bridge.provider;

import com.fasterxml.jackson.databind.JsonNode;
import io.kekvault.bridge.inventory.KeyProvider;
import io.kekvault.kmip.client.ConnectionMode;
import io.kekvault.kmip.client.KmipClient;
import io.kekvault.kmip.client.KmipClientConfig;
import io.kekvault.kmip.client.KmipEndpoint;
import io.kekvault.kmip.client.KmipOutcomeUnknownException;
import io.kekvault.kmip.error.KmsException;
import io.kekvault.kmip.error.NotFoundException;
import io.kekvault.kmip.error.ResultReason;
import io.kekvault.kmip.error.UnavailableException;
import io.kekvault.kmip.error.WrongStateException;
import io.kekvault.kmip.http.KmsHttpClient;
import io.kekvault.kmip.message.AttributeKey;
import io.kekvault.kmip.message.KmipAttribute;
import io.kekvault.kmip.message.Payloads;
import io.kekvault.kmip.message.ProtocolVersion;
import io.kekvault.kmip.message.RevocationReasonCode;
import io.kekvault.kmip.message.State;
import io.kekvault.kmip.ttlv.Tag;
import io.kekvault.kmip.ttlv.TtlvEnumeration;
import io.kekvault.pki.tls.TlsContext;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * KEK lifecycle and grants at the key providers, as vCenter drives its KMS.
 *
 * <p>KMIP (mutual TLS, by default one connection per operation like vCenter): Create of an
 * AES-256 key with the {@code x-} attributes vCenter sets, Add Attribute, Activate, Get
 * Attributes, ReKey, Revoke. HTTPS: grants, so that the hosts of a cluster may wrap and unwrap
 * DEKs under the KEK; the KEK itself never leaves the KMS and the bridge never sees key material.
 *
 * <p>Failures: an endpoint that fails is left for the next one of the provider (told to the
 * operation's log). A Create or ReKey whose outcome is unknown (connection lost after sending)
 * is sent once more: the first attempt, if it took effect, made a key nothing uses.
 */
public final class KekService implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(KekService.class);
    public static final List<String> HOST_PERMISSIONS = List.of("wrap", "unwrap");

    /** Where a provider's definition and trust material come from (the inventory). */
    @FunctionalInterface
    public interface ProviderSource {
        KeyProvider provider(String name) throws KmsException;
    }

    private final ProviderSource source;
    private final ProviderTrust trust;
    private final ProtocolVersion version;
    private final ConnectionMode mode;
    private final Duration timeout;
    private final String productVersion;
    private final Map<String, KmsConnection> connections = new ConcurrentHashMap<>();

    public KekService(ProviderSource source, ProviderTrust trust, ProtocolVersion version, ConnectionMode mode, Duration timeout,
                      String productVersion) {
        this.source = source;
        this.trust = trust;
        this.version = version;
        this.mode = mode;
        this.timeout = timeout;
        this.productVersion = productVersion;
    }

    public ProviderTrust trust() {
        return trust;
    }

    /** Forgets the cached connection of a provider whose endpoints or certificate changed. */
    public void invalidate(String provider) {
        KmsConnection c = connections.remove(provider);
        if (c != null) {
            c.close();
        }
    }

    private KmsConnection connection(String provider) throws KmsException {
        KmsConnection c = connections.get(provider);
        if (c != null) {
            return c;
        }
        KeyProvider p = source.provider(provider);
        TlsContext tls = trust.tls(provider);
        KmsConnection fresh = new KmsConnection(p, tls, version, mode, timeout);
        KmsConnection raced = connections.putIfAbsent(provider, fresh);
        if (raced != null) {
            fresh.close();
            return raced;
        }
        return fresh;
    }

    @FunctionalInterface
    private interface KmipCall<T> {
        T run(KmipClient c) throws IOException, KmsException;
    }

    @FunctionalInterface
    private interface HttpCall<T> {
        T run(KmsHttpClient c) throws KmsException;
    }

    private <T> T kmip(String provider, OperationLog opLog, String what, KmipCall<T> call) throws KmsException {
        KmsConnection c = connection(provider);
        OperationLog previous = KmsConnection.CURRENT.get();
        KmsConnection.CURRENT.set(opLog);
        try {
            return call.run(c.kmip);
        } catch (KmipOutcomeUnknownException e) {
            throw new UnavailableException("key provider " + provider + ": " + what
                    + ": the KMS connection was lost after the request was sent; its outcome is unknown", e);
        } catch (IOException e) {
            throw new UnavailableException("key provider " + provider + ": " + what + ": no KMS endpoint answered", e);
        } finally {
            KmsConnection.CURRENT.set(previous);
        }
    }

    private <T> T http(String provider, OperationLog opLog, HttpCall<T> call) throws KmsException {
        KmsConnection c = connection(provider);
        OperationLog previous = KmsConnection.CURRENT.get();
        KmsConnection.CURRENT.set(opLog);
        try {
            return call.run(c.http);
        } finally {
            KmsConnection.CURRENT.set(previous);
        }
    }

    /** A non-idempotent KMIP call whose first attempt may be lost: sent once more (see class doc). */
    private <T> T kmipOnceMore(String provider, OperationLog opLog, String what, KmipCall<T> call) throws KmsException {
        try {
            return kmip(provider, opLog, what, call);
        } catch (UnavailableException e) {
            if (!(e.getCause() instanceof KmipOutcomeUnknownException)) {
                throw e;
            }
            opLog.warn("key provider " + provider + ": " + what + ": outcome unknown (connection lost); sending it again, "
                    + "a key the first attempt may have made stays unused");
            return kmip(provider, opLog, what, call);
        }
    }

    // ------------------------------------------------------------------ KEK lifecycle (KMIP)

    /**
     * KMIP Create of a new AES-256 KEK with vCenter's {@code x-Vendor}, {@code x-Product} and
     * {@code x-Product_Version}, and {@code x-Identifier = label}: a label unique to the asking
     * task, by which {@link #findKek} finds the key again if the task's process died before it
     * recorded the answer. Returns its identifier; the key may still be Pre-Active (see
     * {@link #activate}). {@code purpose} is added as {@code x-Name} (Add Attribute) so that an
     * operator sees what the key is for.
     */
    public String createKek(String provider, String label, String purpose, OperationLog opLog) throws KmsException {
        List<KmipAttribute> attrs = List.of(
                KmipAttribute.x("Vendor", "VMware, Inc."),
                KmipAttribute.x("Product", "VMware vSphere"),
                KmipAttribute.x("Product_Version", productVersion),
                KmipAttribute.x("Identifier", label));
        String id = kmipOnceMore(provider, opLog, "Create", c -> c.createAes256(attrs));
        log.info("event=kek_created provider={} kek={} label={}", provider, id, label);
        try {
            kmip(provider, opLog, "Add Attribute", c -> {
                c.addAttribute(id, KmipAttribute.x("Name", purpose));
                return null;
            });
        } catch (UnavailableException e) {
            if (!outcomeUnknown(e)) {
                throw e;
            }
            // The name only labels the key; a lost answer is not worth a second key.
            opLog.warn("key provider " + provider + ": Add Attribute outcome unknown; the KEK keeps going without its name");
        }
        return id;
    }

    /** KMIP Locate of the usable KEKs created with {@code x-Identifier = label} (see {@link #createKek}). */
    public List<String> findKek(String provider, String label, OperationLog opLog) throws KmsException {
        List<String> ids = kmip(provider, opLog, "Locate", c -> c.locate(List.of(KmipAttribute.x("Identifier", label))));
        List<String> usable = new ArrayList<>();
        for (String id : ids) {
            State s = state(provider, id, opLog);
            if (s == State.ACTIVE || s == State.PRE_ACTIVE) {
                usable.add(id);
            }
        }
        return usable;
    }

    private static boolean outcomeUnknown(UnavailableException e) {
        return e.getCause() instanceof KmipOutcomeUnknownException;
    }

    /** Runs a state-changing call that is safe to repeat once the state shows it did not happen. */
    private void changeState(String provider, String kekId, OperationLog opLog, String what, State from, KmipCall<Void> call)
            throws KmsException {
        for (int attempt = 0; attempt < 2; attempt++) {
            try {
                kmip(provider, opLog, what, call);
                return;
            } catch (UnavailableException e) {
                if (!outcomeUnknown(e)) {
                    throw e;
                }
                opLog.warn("key provider " + provider + ": " + what + " outcome unknown; checking the key's state", kekId);
                if (state(provider, kekId, opLog) != from) {
                    return;
                }
            }
        }
        throw new UnavailableException("key provider " + provider + ": " + what + " did not complete");
    }

    /** KMIP ReKey of {@code oldKek}: the replacement KEK's identifier (Replaced/Replacement links at the KMS). */
    public String rekey(String provider, String oldKek, OperationLog opLog) throws KmsException {
        String id = kmipOnceMore(provider, opLog, "ReKey", c -> c.rekey(oldKek));
        log.info("event=kek_rekeyed provider={} old={} new={}", provider, oldKek, id);
        return id;
    }

    /** The KEK's KMIP state (Get Attributes). */
    public State state(String provider, String kekId, OperationLog opLog) throws KmsException {
        Payloads.AttributesOf a = kmip(provider, opLog, "Get Attributes",
                c -> c.getAttributes(kekId, List.of(AttributeKey.of(Tag.STATE))));
        KmipAttribute s = a.get(Tag.STATE).orElseThrow(() -> new NotFoundException(ResultReason.ATTRIBUTE_NOT_FOUND,
                "the KMS returned no State for the KEK", null));
        int v = ((TtlvEnumeration) s.value()).value();
        return State.fromValue(v).orElseThrow(() -> new UnavailableException("unknown KMIP state " + v));
    }

    /** Makes the KEK Active: Activate if it is Pre-Active, then Get Attributes to check. */
    public void activate(String provider, String kekId, OperationLog opLog) throws KmsException {
        State s = state(provider, kekId, opLog);
        if (s == State.PRE_ACTIVE) {
            changeState(provider, kekId, opLog, "Activate", State.PRE_ACTIVE, c -> {
                c.activate(kekId);
                return null;
            });
            s = state(provider, kekId, opLog);
        }
        if (s != State.ACTIVE) {
            throw new WrongStateException("the new KEK is " + s + " at key provider " + provider + ", not Active");
        }
    }

    /** KMIP Revoke (the KEK stays usable for unwrap, as Deactivated); nothing to do if it is no longer Active. */
    public void revoke(String provider, String kekId, RevocationReasonCode reason, String message, OperationLog opLog) throws KmsException {
        State s = state(provider, kekId, opLog);
        if (s == State.ACTIVE || s == State.PRE_ACTIVE) {
            changeState(provider, kekId, opLog, "Revoke", s, c -> {
                c.revoke(kekId, reason, message, null);
                return null;
            });
            log.info("event=kek_revoked provider={} kek={} reason={}", provider, kekId, reason);
        }
    }

    // ------------------------------------------------------------------ grants (HTTPS)

    /** Lets {@code identity} (a host) wrap and unwrap under the KEK. Idempotent. */
    public void grant(String provider, String kekId, String identity, OperationLog opLog) throws KmsException {
        http(provider, opLog, c -> c.putGrant(kekId, identity, HOST_PERMISSIONS));
        log.info("event=kek_granted provider={} kek={} identity={}", provider, kekId, identity);
    }

    /** Takes the KEK away from {@code identity}. Returns whether there was a grant. Idempotent. */
    public boolean revokeGrant(String provider, String kekId, String identity, OperationLog opLog) throws KmsException {
        boolean removed = http(provider, opLog, c -> c.revokeGrant(kekId, identity));
        log.info("event=kek_grant_revoked provider={} kek={} identity={} removed={}", provider, kekId, identity, removed);
        return removed;
    }

    /** Identities granted the use of the KEK, with their permissions. */
    public Map<String, List<String>> grants(String provider, String kekId, OperationLog opLog) throws KmsException {
        JsonNode n = http(provider, opLog, c -> c.grants(kekId));
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (JsonNode g : n.path("items")) {
            List<String> perms = new ArrayList<>();
            g.path("permissions").forEach(p -> perms.add(p.asText()));
            out.put(g.path("identity").asText(), perms);
        }
        return out;
    }

    /** Identifiers of every key the bridge's identity can see at the provider (all pages). */
    public List<String> visibleKeys(String provider, OperationLog opLog) throws KmsException {
        List<String> out = new ArrayList<>();
        String cursor = null;
        do {
            Map<String, String> q = new LinkedHashMap<>();
            q.put("limit", "1000");
            q.put("cursor", cursor);
            JsonNode page = http(provider, opLog, c -> c.listKeys(q));
            page.path("items").forEach(k -> out.add(k.path("id").asText()));
            cursor = page.hasNonNull("nextCursor") ? page.get("nextCursor").asText() : null;
        } while (cursor != null && !cursor.isEmpty());
        return out;
    }

    // ------------------------------------------------------------------ checks

    /** The result of checking one endpoint of a provider. */
    public record EndpointCheck(String kmip, String https, boolean kmipOk, String kmipDetail, boolean httpsOk, String httpsDetail) {
    }

    /** Checks each endpoint on its own: KMIP Discover Versions and an HTTPS key listing. */
    public List<EndpointCheck> check(String provider) throws KmsException {
        KeyProvider p = source.provider(provider);
        TlsContext tls = trust.tls(provider);
        List<EndpointCheck> out = new ArrayList<>();
        for (var e : p.endpoints()) {
            boolean kOk;
            String kDetail;
            try (KmipClient c = new KmipClient(KmipClientConfig.builder(tls.sslContext()).endpoint(KmipEndpoint.parse(e.kmip()))
                    .protocolVersion(version).connectionMode(ConnectionMode.PER_REQUEST)
                    .connectTimeout(Duration.ofSeconds(3)).readTimeout(timeout).build())) {
                List<ProtocolVersion> vs = c.discoverVersions(List.of());
                kOk = true;
                kDetail = "KMIP versions " + vs;
            } catch (IOException | KmsException | RuntimeException ex) {
                kOk = false;
                kDetail = ex.getClass().getSimpleName() + ": " + Objects.toString(ex.getMessage(), "");
            }
            boolean hOk;
            String hDetail;
            try {
                KmsHttpClient h = new KmsHttpClient(List.of(URI.create(e.https())), tls.sslContext(), tls.sslParameters(),
                        Duration.ofSeconds(3), null);
                h.listKeys(Map.of("limit", "1"));
                hOk = true;
                hDetail = "HTTPS API answered";
            } catch (KmsException | RuntimeException ex) {
                hOk = false;
                hDetail = ex.getClass().getSimpleName() + ": " + Objects.toString(ex.getMessage(), "");
            }
            out.add(new EndpointCheck(e.kmip(), e.https(), kOk, kDetail, hOk, hDetail));
        }
        return out;
    }

    @Override
    public void close() {
        connections.values().forEach(KmsConnection::close);
        connections.clear();
    }
}
