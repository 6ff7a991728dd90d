package io.kekvault.kmip.client;

import io.kekvault.kmip.error.InvalidRequestException;
import io.kekvault.kmip.error.KmsException;
import io.kekvault.kmip.error.ResultReason;
import io.kekvault.kmip.message.AttributeKey;
import io.kekvault.kmip.message.BatchErrorContinuationOption;
import io.kekvault.kmip.message.BatchItemId;
import io.kekvault.kmip.message.CryptographicAlgorithm;
import io.kekvault.kmip.message.CryptographicParameters;
import io.kekvault.kmip.message.CryptographicUsageMask;
import io.kekvault.kmip.message.KmipAttribute;
import io.kekvault.kmip.message.ManagedObjects;
import io.kekvault.kmip.message.ObjectType;
import io.kekvault.kmip.message.Operation;
import io.kekvault.kmip.message.Payloads;
import io.kekvault.kmip.message.ProtocolVersion;
import io.kekvault.kmip.message.QueryFunction;
import io.kekvault.kmip.message.RequestBatchItem;
import io.kekvault.kmip.message.RequestHeader;
import io.kekvault.kmip.message.RequestMessage;
import io.kekvault.kmip.message.ResponseBatchItem;
import io.kekvault.kmip.message.ResponseMessage;
import io.kekvault.kmip.message.ResultStatus;
import io.kekvault.kmip.message.RevocationReasonCode;
import io.kekvault.kmip.ttlv.Tag;
import io.kekvault.kmip.ttlv.TtlvDecoder;
import io.kekvault.kmip.ttlv.TtlvEncoder;
import io.kekvault.kmip.ttlv.TtlvItem;
import io.kekvault.kmip.ttlv.TtlvStructure;
import io.kekvault.secret.SecretBytes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * KMIP client over mutual TLS, binary TTLV, to one or more KMS endpoints.
 *
 * <p>Guarantees:
 * <ul>
 *   <li>Failover: endpoints are tried in order, starting with the last one that answered. A
 *       connection or TLS handshake failure moves to the next endpoint (nothing was sent).</li>
 *   <li>No duplicate effects: once a request that changes state (anything but Get, Get
 *       Attributes, Get Attribute List, Locate, Query, Discover Versions, Encrypt, Decrypt and the
 *       other read-only operations) has been written, a lost connection is reported as
 *       {@link KmipOutcomeUnknownException} and the request is not sent again anywhere. Read-only
 *       batches are retried on a fresh connection and on the next endpoints.</li>
 *   <li>A failed batch item becomes the typed {@link KmsException} of its Result Reason
 *       ({@link KmsException#fromReason}); a response that cannot be read is
 *       {@code INVALID_MESSAGE}, and response sizes are bounded by the configured limits.</li>
 *   <li>Key material returned by {@link #get} and {@link #decrypt} is handed out as
 *       {@link SecretBytes}; nothing is logged but endpoints, operations and identifiers.</li>
 * </ul>
 * Thread-safe; each request uses its own connection.
 */
public final class KmipClient implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(KmipClient.class);

    /** Operations without side effects: safe to send again after a lost connection. */
    public static final Set<Operation> IDEMPOTENT = Set.of(Operation.GET, Operation.GET_ATTRIBUTES, Operation.GET_ATTRIBUTE_LIST,
            Operation.LOCATE, Operation.QUERY, Operation.DISCOVER_VERSIONS, Operation.ENCRYPT, Operation.DECRYPT, Operation.CHECK,
            Operation.VALIDATE, Operation.HASH, Operation.MAC, Operation.MAC_VERIFY, Operation.SIGN, Operation.SIGNATURE_VERIFY,
            Operation.RNG_RETRIEVE, Operation.EXPORT, Operation.GET_CONSTRAINTS, Operation.PING);

    private final KmipClientConfig config;
    private final List<KmipEndpoint> endpoints;
    private final Map<KmipEndpoint, ConcurrentLinkedDeque<Connection>> idle = new ConcurrentHashMap<>();
    private final AtomicInteger preferred = new AtomicInteger();
    private final AtomicInteger batchIds = new AtomicInteger();
    private volatile boolean closed;

    public KmipClient(KmipClientConfig config) {
        this.config = config;
        this.endpoints = config.endpoints();
        for (KmipEndpoint e : endpoints) {
            idle.put(e, new ConcurrentLinkedDeque<>());
        }
    }

    public ProtocolVersion protocolVersion() {
        return config.protocolVersion();
    }

    public KmipClientConfig config() {
        return config;
    }

    // ================================================================== requests

    /** One operation of a batch. */
    public record Call(Operation operation, TtlvStructure payload) {
    }

    /**
     * Sends a request message as is and returns the response message; item failures are left in
     * the items. Throws only for transport problems and unreadable responses.
     */
    public ResponseMessage send(RequestMessage request) throws IOException, KmsException {
        boolean idempotent = request.batchItems().stream().allMatch(i -> i.knownOperation().map(IDEMPOTENT::contains).orElse(false));
        byte[] bytes = TtlvEncoder.encode(request.toTtlv());
        byte[] response = exchange(bytes, idempotent, request.batchItems().getFirst().knownOperation().map(Enum::name).orElse("?"));
        TtlvItem item = TtlvDecoder.decode(response, config.responseLimits());
        return ResponseMessage.fromTtlv(item);
    }

    /**
     * Sends several operations in one batch and returns their results in the same order (matched
     * by Unique Batch Item ID). A failed item is returned as such; see
     * {@link ResponseBatchItem#toException()}. The server's default batch error handling is Stop:
     * items after a failure are not processed, and the client returns them as failures with the
     * message "not processed" (they never ran).
     */
    public List<ResponseBatchItem> batch(List<Call> calls) throws IOException, KmsException {
        return batch(calls, null);
    }

    /** {@link #batch(List)} with a Batch Error Continuation Option (Continue, Stop or Undo) in the header. */
    public List<ResponseBatchItem> batch(List<Call> calls, BatchErrorContinuationOption onError) throws IOException, KmsException {
        List<RequestBatchItem> items = new ArrayList<>();
        for (Call c : calls) {
            items.add(RequestBatchItem.of(c.operation(), BatchItemId.ofInt(batchIds.incrementAndGet()), c.payload()));
        }
        RequestHeader header = RequestHeader.of(config.protocolVersion()).withBatchErrorContinuationOption(onError);
        RequestMessage request = new RequestMessage(header, items);
        ResponseMessage response = send(request);
        return match(request, response);
    }

    /** Sends one operation; returns its Response Payload or throws the typed exception of its failure. */
    public TtlvStructure call(Operation operation, TtlvStructure payload) throws IOException, KmsException {
        ResponseBatchItem r = batch(List.of(new Call(operation, payload))).getFirst();
        if (!r.isSuccess()) {
            throw r.toException().orElseThrow();
        }
        return r.payloadOrEmpty();
    }

    private static List<ResponseBatchItem> match(RequestMessage request, ResponseMessage response) throws KmsException {
        List<ResponseBatchItem> answers = response.batchItems();
        if (answers.size() == 1 && answers.getFirst().uniqueBatchItemId() == null && !answers.getFirst().isSuccess()) {
            // The server rejected the whole message (PyKMIP and others answer one item without an id).
            throw answers.getFirst().toException().orElseThrow();
        }
        Map<BatchItemId, ResponseBatchItem> byId = new HashMap<>();
        for (ResponseBatchItem a : answers) {
            if (a.uniqueBatchItemId() != null) {
                byId.put(a.uniqueBatchItemId(), a);
            }
        }
        boolean someFailed = answers.stream().anyMatch(a -> !a.isSuccess());
        List<ResponseBatchItem> out = new ArrayList<>();
        List<RequestBatchItem> items = request.batchItems();
        for (int i = 0; i < items.size(); i++) {
            RequestBatchItem item = items.get(i);
            ResponseBatchItem a = byId.get(item.uniqueBatchItemId());
            if (a == null && items.size() == 1 && answers.size() == 1) {
                a = answers.getFirst();
            }
            if (a == null && someFailed) {
                a = new ResponseBatchItem(item.operation(), item.uniqueBatchItemId(), ResultStatus.OPERATION_FAILED,
                        ResultReason.GENERAL_FAILURE, "not processed: the server stopped the batch at an earlier failed item",
                        null, null, List.of());
            }
            if (a == null) {
                throw new InvalidRequestException(ResultReason.INVALID_MESSAGE,
                        "the response has no result for batch item " + item.uniqueBatchItemId(), null);
            }
            out.add(a);
        }
        return out;
    }

    // ================================================================== transport and failover

    private byte[] exchange(byte[] request, boolean idempotent, String operation) throws IOException, KmsException {
        if (closed) {
            throw new KmipConnectionException("client is closed");
        }
        int n = endpoints.size();
        int start = Math.floorMod(preferred.get(), n);
        KmipConnectionException failure = null;
        for (int i = 0; i < n; i++) {
            int index = (start + i) % n;
            KmipEndpoint ep = endpoints.get(index);
            KmipEndpoint next = i + 1 < n ? endpoints.get((index + 1) % n) : null;
            try {
                byte[] response = exchangeWith(ep, request, idempotent);
                preferred.set(index);
                config.listener().answered(ep);
                return response;
            } catch (KmipOutcomeUnknownException e) {
                LOG.warn("kmip.outcome_unknown endpoint={} operation={} cause={}", ep, operation, e.getCause().toString());
                throw e;
            } catch (IOException e) {
                LOG.warn("kmip.endpoint_failed endpoint={} next={} operation={} cause={}", ep, next, operation, e.toString());
                config.listener().endpointFailed(ep, next, e);
                if (failure == null) {
                    failure = new KmipConnectionException("no KMS endpoint answered (" + endpoints + ")");
                }
                failure.addSuppressed(e);
            }
        }
        throw failure;
    }

    /** One endpoint: a pooled connection first (if any), then a fresh one for idempotent retries. */
    private byte[] exchangeWith(KmipEndpoint ep, byte[] request, boolean idempotent) throws IOException, KmsException {
        // An idempotent request on a pooled connection the server has dropped is simply sent again
        // on a fresh one (below), so only requests that change state pay for the liveness probe.
        Connection c = acquire(ep, !idempotent);
        try {
            return roundTrip(c, request, idempotent);
        } catch (IOException e) {
            if (c.reused() && idempotent && !(e instanceof KmipOutcomeUnknownException)) {
                // A pooled connection the server had dropped: one more try on a fresh one.
                Connection fresh = Connection.open(ep, config);
                return roundTrip(fresh, request, true);
            }
            throw e;
        }
    }

    private byte[] roundTrip(Connection c, byte[] request, boolean idempotent) throws IOException, KmsException {
        boolean keep = false;
        try {
            try {
                c.write(request);
                byte[] response = c.read();
                keep = config.connectionMode() == ConnectionMode.POOLED;
                return response;
            } catch (IOException e) {
                if (!idempotent) {
                    throw new KmipOutcomeUnknownException(c.endpoint(), e);
                }
                throw e;
            }
        } finally {
            if (keep) {
                release(c);
            } else {
                c.close();
            }
        }
    }

    private Connection acquire(KmipEndpoint ep, boolean probe) throws IOException {
        if (config.connectionMode() == ConnectionMode.POOLED) {
            ConcurrentLinkedDeque<Connection> q = idle.get(ep);
            for (Connection c; (c = q.pollFirst()) != null; ) {
                if (c.idleNanos() <= config.idleTimeout().toNanos() && (!probe || c.probeAlive())) {
                    c.markReused();
                    return c;
                }
                c.close();
            }
        }
        return Connection.open(ep, config);
    }

    private void release(Connection c) {
        ConcurrentLinkedDeque<Connection> q = idle.get(c.endpoint());
        if (closed || c.isClosed() || q.size() >= config.poolSize()) {
            c.close();
            return;
        }
        q.offerFirst(c);
        if (closed) {
            closeIdle();
        }
    }

    private void closeIdle() {
        for (ConcurrentLinkedDeque<Connection> q : idle.values()) {
            for (Connection c; (c = q.pollFirst()) != null; ) {
                c.close();
            }
        }
    }

    /** Closes pooled connections; requests in flight finish on their own connections. */
    @Override
    public void close() {
        closed = true;
        closeIdle();
    }

    // ================================================================== convenience operations

    private ProtocolVersion v() {
        return config.protocolVersion();
    }

    private static TtlvStructure.Builder payload() {
        return TtlvStructure.builder(Tag.REQUEST_PAYLOAD);
    }

    /** Discover Versions: the versions the server supports among {@code offered} (all of its versions if empty), best first. */
    public List<ProtocolVersion> discoverVersions(List<ProtocolVersion> offered) throws IOException, KmsException {
        var b = payload();
        for (ProtocolVersion pv : offered) {
            b.add(pv.toTtlv());
        }
        TtlvStructure r = call(Operation.DISCOVER_VERSIONS, b.build());
        List<ProtocolVersion> out = new ArrayList<>();
        for (TtlvStructure s : r.structures(Tag.PROTOCOL_VERSION)) {
            out.add(ProtocolVersion.fromTtlv(s));
        }
        return out;
    }

    /** What a Query answered: operations and object types as wire values (unknown ones kept), vendor, server information. */
    public record QueryResult(List<Integer> operations, List<Integer> objectTypes, String vendorIdentification,
                              TtlvStructure serverInformation, TtlvStructure payload) {
        public boolean supports(Operation op) {
            return operations.contains(op.value());
        }
    }

    public QueryResult query(QueryFunction... functions) throws IOException, KmsException {
        var b = payload();
        for (QueryFunction f : functions) {
            b.enumeration(Tag.QUERY_FUNCTION, f);
        }
        TtlvStructure r = call(Operation.QUERY, b.build());
        return new QueryResult(r.enumerations(Tag.OPERATION), r.enumerations(Tag.OBJECT_TYPE),
                r.optText(Tag.VENDOR_IDENTIFICATION).orElse(null), r.optStructure(Tag.SERVER_INFORMATION).orElse(null), r);
    }

    /** Create of any object type with {@code attributes}; returns the new Unique Identifier. */
    public String create(ObjectType type, List<KmipAttribute> attributes) throws IOException, KmsException {
        TtlvStructure r = call(Operation.CREATE, Payloads.createRequest(type, attributes, v()));
        return r.text(Tag.UNIQUE_IDENTIFIER);
    }

    /**
     * Creates an AES-256 symmetric key with usage Encrypt|Decrypt (unless {@code extra} sets a
     * usage mask) and any further attributes, custom {@code x-} ones included.
     */
    public String createAes256(List<KmipAttribute> extra) throws IOException, KmsException {
        List<KmipAttribute> attrs = new ArrayList<>();
        attrs.add(KmipAttribute.cryptographicAlgorithm(CryptographicAlgorithm.AES));
        attrs.add(KmipAttribute.cryptographicLength(256));
        boolean hasMask = extra.stream().anyMatch(a -> a.key().equals(AttributeKey.of(Tag.CRYPTOGRAPHIC_USAGE_MASK)));
        if (!hasMask) {
            attrs.add(KmipAttribute.cryptographicUsageMask(CryptographicUsageMask.ENCRYPT, CryptographicUsageMask.DECRYPT));
        }
        attrs.addAll(extra);
        return create(ObjectType.SYMMETRIC_KEY, attrs);
    }

    /** Register of a managed object structure (see {@link ManagedObjects}); returns its Unique Identifier. */
    public String register(ObjectType type, TtlvStructure object, List<KmipAttribute> attributes) throws IOException, KmsException {
        TtlvStructure r = call(Operation.REGISTER, Payloads.registerRequest(type, object, attributes, v()));
        return r.text(Tag.UNIQUE_IDENTIFIER);
    }

    /** Registers symmetric key material (Raw format); the caller keeps and closes {@code material}. */
    public String registerSymmetricKey(CryptographicAlgorithm algorithm, SecretBytes material, List<KmipAttribute> attributes)
            throws IOException, KmsException {
        List<KmipAttribute> attrs = new ArrayList<>();
        attrs.add(KmipAttribute.cryptographicAlgorithm(algorithm));
        attrs.add(KmipAttribute.cryptographicLength(material.length() * 8));
        attrs.addAll(attributes);
        return register(ObjectType.SYMMETRIC_KEY, ManagedObjects.symmetricKey(algorithm, material), attrs);
    }

    /** Locate: identifiers of the objects matching every attribute in {@code criteria}. */
    public List<String> locate(List<KmipAttribute> criteria, Integer maximumItems) throws IOException, KmsException {
        TtlvStructure r = call(Operation.LOCATE, Payloads.locateRequest(criteria, maximumItems, v()));
        return r.texts(Tag.UNIQUE_IDENTIFIER);
    }

    public List<String> locate(List<KmipAttribute> criteria) throws IOException, KmsException {
        return locate(criteria, null);
    }

    /** The object a Get returned. Its key material is read with {@link #keyMaterial()}, which the caller must close. */
    public record GetResult(ObjectType objectType, String uniqueIdentifier, TtlvStructure object) {
        public SecretBytes keyMaterial() throws KmsException {
            return ManagedObjects.keyMaterial(object);
        }

        @Override
        public String toString() {
            return "GetResult[" + objectType + ", " + uniqueIdentifier + "]";
        }
    }

    public GetResult get(String uniqueIdentifier) throws IOException, KmsException {
        TtlvStructure r = call(Operation.GET, Payloads.uniqueIdentifierPayload(Tag.REQUEST_PAYLOAD, uniqueIdentifier));
        TtlvStructure object = ManagedObjects.objectIn(r).orElseThrow(
                () -> new InvalidRequestException(ResultReason.INVALID_MESSAGE, "Get response carries no object", null));
        return new GetResult(r.enumeration(Tag.OBJECT_TYPE, ObjectType.class), r.text(Tag.UNIQUE_IDENTIFIER), object);
    }

    /** Get Attributes; no keys asks for all attributes. */
    public Payloads.AttributesOf getAttributes(String uniqueIdentifier, List<AttributeKey> keys) throws IOException, KmsException {
        TtlvStructure r = call(Operation.GET_ATTRIBUTES, Payloads.getAttributesRequest(uniqueIdentifier, keys, v()));
        return Payloads.readGetAttributesResponse(r);
    }

    public List<AttributeKey> getAttributeList(String uniqueIdentifier) throws IOException, KmsException {
        TtlvStructure r = call(Operation.GET_ATTRIBUTE_LIST, Payloads.uniqueIdentifierPayload(Tag.REQUEST_PAYLOAD, uniqueIdentifier));
        return Payloads.readGetAttributeListResponse(r).keys();
    }

    public void addAttribute(String uniqueIdentifier, KmipAttribute attribute) throws IOException, KmsException {
        call(Operation.ADD_ATTRIBUTE, Payloads.addAttributeRequest(uniqueIdentifier, attribute, v()));
    }

    /** Modify Attribute: the new value ({@code attribute.index()} selects the instance in 1.x). */
    public void modifyAttribute(String uniqueIdentifier, KmipAttribute attribute) throws IOException, KmsException {
        modifyAttribute(uniqueIdentifier, null, attribute);
    }

    /**
     * Modify Attribute replacing the value {@code current} (KMIP 2.x Current Attribute; needed for
     * multi-valued attributes such as Name). In 1.x the instance is chosen by {@code attribute.index()}.
     */
    public void modifyAttribute(String uniqueIdentifier, KmipAttribute current, KmipAttribute attribute) throws IOException, KmsException {
        call(Operation.MODIFY_ATTRIBUTE, Payloads.modifyAttributeRequest(uniqueIdentifier, current, attribute, v()));
    }

    /** Delete Attribute by key ({@code index} is the 1.x Attribute Index, null for the first/only one). */
    public void deleteAttribute(String uniqueIdentifier, AttributeKey key, Integer index) throws IOException, KmsException {
        call(Operation.DELETE_ATTRIBUTE, Payloads.deleteAttributeRequest(uniqueIdentifier, key, index, v()));
    }

    /** Delete one attribute value (KMIP 2.x Current Attribute; in 1.x by name and {@code current.index()}). */
    public void deleteAttribute(String uniqueIdentifier, KmipAttribute current) throws IOException, KmsException {
        call(Operation.DELETE_ATTRIBUTE, Payloads.deleteAttributeRequest(uniqueIdentifier, current, v()));
    }

    public void activate(String uniqueIdentifier) throws IOException, KmsException {
        call(Operation.ACTIVATE, Payloads.uniqueIdentifierPayload(Tag.REQUEST_PAYLOAD, uniqueIdentifier));
    }

    /** Revoke with a reason code, an optional message and (for compromise) the compromise occurrence date. */
    public void revoke(String uniqueIdentifier, RevocationReasonCode code, String message, Instant compromiseOccurrenceDate)
            throws IOException, KmsException {
        TtlvStructure reason = TtlvStructure.builder(Tag.REVOCATION_REASON)
                .enumeration(Tag.REVOCATION_REASON_CODE, code)
                .optText(Tag.REVOCATION_MESSAGE, message)
                .build();
        call(Operation.REVOKE, payload().text(Tag.UNIQUE_IDENTIFIER, uniqueIdentifier).add(reason)
                .optDateTime(Tag.COMPROMISE_OCCURRENCE_DATE, compromiseOccurrenceDate).build());
    }

    public void destroy(String uniqueIdentifier) throws IOException, KmsException {
        call(Operation.DESTROY, Payloads.uniqueIdentifierPayload(Tag.REQUEST_PAYLOAD, uniqueIdentifier));
    }

    /** ReKey: returns the identifier of the replacement key. */
    public String rekey(String uniqueIdentifier, Long offsetSeconds, List<KmipAttribute> attributes) throws IOException, KmsException {
        var b = payload().text(Tag.UNIQUE_IDENTIFIER, uniqueIdentifier);
        if (offsetSeconds != null) {
            b.interval(Tag.OFFSET, offsetSeconds);
        }
        if (!attributes.isEmpty()) {
            b.add(io.kekvault.kmip.message.AttributeCodec.writeContainer(attributes, v()));
        }
        return call(Operation.RE_KEY, b.build()).text(Tag.UNIQUE_IDENTIFIER);
    }

    public String rekey(String uniqueIdentifier) throws IOException, KmsException {
        return rekey(uniqueIdentifier, null, List.of());
    }

    /** Encrypt's answer: ciphertext, the IV/counter/nonce the server chose (or null), the AEAD tag (or null). */
    public record EncryptResult(byte[] data, byte[] ivCounterNonce, byte[] authenticatedEncryptionTag) {
    }

    /**
     * Encrypt {@code data} under the key {@code uniqueIdentifier}. {@code params} may be null (the
     * key's defaults); {@code iv} and {@code aad} may be null.
     */
    public EncryptResult encrypt(String uniqueIdentifier, byte[] data, CryptographicParameters params, byte[] iv, byte[] aad)
            throws IOException, KmsException {
        var b = payload().text(Tag.UNIQUE_IDENTIFIER, uniqueIdentifier);
        if (params != null) {
            b.add(params.toTtlv());
        }
        b.bytes(Tag.DATA, data).optBytes(Tag.IV_COUNTER_NONCE, iv).optBytes(Tag.AUTHENTICATED_ENCRYPTION_ADDITIONAL_DATA, aad);
        TtlvStructure r = call(Operation.ENCRYPT, b.build());
        return new EncryptResult(r.bytes(Tag.DATA), r.optBytes(Tag.IV_COUNTER_NONCE).orElse(null),
                r.optBytes(Tag.AUTHENTICATED_ENCRYPTION_TAG).orElse(null));
    }

    /** Decrypt; the plaintext (often a key) comes back as {@link SecretBytes}, which the caller must close. */
    public SecretBytes decrypt(String uniqueIdentifier, byte[] data, CryptographicParameters params, byte[] iv, byte[] aad,
                               byte[] tag) throws IOException, KmsException {
        var b = payload().text(Tag.UNIQUE_IDENTIFIER, uniqueIdentifier);
        if (params != null) {
            b.add(params.toTtlv());
        }
        b.bytes(Tag.DATA, data).optBytes(Tag.IV_COUNTER_NONCE, iv).optBytes(Tag.AUTHENTICATED_ENCRYPTION_ADDITIONAL_DATA, aad)
                .optBytes(Tag.AUTHENTICATED_ENCRYPTION_TAG, tag);
        TtlvStructure r = call(Operation.DECRYPT, b.build());
        return SecretBytes.adopt(r.bytes(Tag.DATA));
    }
}
