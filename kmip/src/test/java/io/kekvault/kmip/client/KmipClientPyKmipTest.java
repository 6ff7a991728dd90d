package io.kekvault.kmip.client;

import io.kekvault.kmip.error.InvalidRequestException;
import io.kekvault.kmip.error.KmsException;
import io.kekvault.kmip.error.NotFoundException;
import io.kekvault.kmip.error.ResultReason;
import io.kekvault.kmip.message.AttributeKey;
import io.kekvault.kmip.message.BatchErrorContinuationOption;
import io.kekvault.kmip.message.BlockCipherMode;
import io.kekvault.kmip.message.CryptographicAlgorithm;
import io.kekvault.kmip.message.CryptographicParameters;
import io.kekvault.kmip.message.KmipAttribute;
import io.kekvault.kmip.message.ObjectType;
import io.kekvault.kmip.message.Operation;
import io.kekvault.kmip.message.PaddingMethod;
import io.kekvault.kmip.message.Payloads;
import io.kekvault.kmip.message.ProtocolVersion;
import io.kekvault.kmip.message.QueryFunction;
import io.kekvault.kmip.message.ResponseBatchItem;
import io.kekvault.kmip.message.RevocationReasonCode;
import io.kekvault.kmip.message.State;
import io.kekvault.kmip.ttlv.Tag;
import io.kekvault.secret.SecretBytes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import javax.net.ssl.SSLContext;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The client against a real KMIP server: PyKMIP 0.10 (Debian python3-pykmip), over mutual TLS with
 * certificates made by openssl for this test.
 *
 * <p>What PyKMIP cannot check: it refuses custom {@code x-} attributes, has no Add Attribute and no
 * ReKey, and Create accepts symmetric keys only; those paths are covered by the message tests
 * (payload forms) and here by asserting the typed error PyKMIP's answer maps to.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KmipClientPyKmipTest {
    private Path dir;
    private TestPki pki;
    private PyKmipServer server;
    private SSLContext tls;

    @BeforeAll
    void startServer() throws Exception {
        dir = Files.createTempDirectory("kekvault-pykmip");
        pki = TestPki.create(dir);
        server = PyKmipServer.start(dir, pki);
        tls = pki.clientContext();
    }

    @AfterAll
    void stopServer() throws Exception {
        if (server != null) {
            List<ProcessHandle> started = server.processes();
            server.close();
            assertThat(started).as("pykmip-server and its children are stopped").noneMatch(ProcessHandle::isAlive);
        }
        if (Boolean.getBoolean("kekvault.test.keepDirs")) {
            System.out.println("PyKMIP test directory kept: " + dir);
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private KmipClientConfig.Builder config() {
        return KmipClientConfig.builder(tls).endpoint(server.endpoint()).protocolVersion(ProtocolVersion.V1_2);
    }

    @Test
    void discoverVersions_listsWhatPyKmipSpeaks() throws Exception {
        try (KmipClient c = new KmipClient(config().build())) {
            assertThat(c.discoverVersions(List.of())).contains(ProtocolVersion.V2_0, ProtocolVersion.V1_4, ProtocolVersion.V1_0);
            assertThat(c.discoverVersions(List.of(ProtocolVersion.V2_1, ProtocolVersion.V1_4))).containsExactly(ProtocolVersion.V1_4);
        }
    }

    @Test
    void query_reportsOperationsAndObjectTypes() throws Exception {
        try (KmipClient c = new KmipClient(config().build())) {
            KmipClient.QueryResult q = c.query(QueryFunction.QUERY_OPERATIONS, QueryFunction.QUERY_OBJECTS,
                    QueryFunction.QUERY_SERVER_INFORMATION);
            assertThat(q.supports(Operation.CREATE)).isTrue();
            assertThat(q.supports(Operation.ENCRYPT)).isTrue();
            assertThat(q.supports(Operation.RE_KEY)).isFalse();
            assertThat(q.vendorIdentification()).startsWith("PyKMIP");
            assertThat(q.objectTypes()).isEmpty(); // PyKMIP 0.10 answers Query Objects with an empty list
        }
    }

    /** Create, activate, locate, get attributes, get, encrypt/decrypt, revoke, destroy: the vCenter KEK lifecycle. */
    @Test
    void symmetricKeyLifecycle_worksEndToEnd() throws Exception {
        String name = "kek-" + UUID.randomUUID();
        try (KmipClient c = new KmipClient(config().build())) {
            String uid = c.createAes256(List.of(KmipAttribute.name(name)));
            assertThat(uid).isNotBlank();

            Payloads.AttributesOf before = c.getAttributes(uid, List.of(AttributeKey.of(Tag.STATE)));
            assertThat(before.get(Tag.STATE).orElseThrow().value().asEnumeration()).isEqualTo(State.PRE_ACTIVE.value());

            c.activate(uid);
            Payloads.AttributesOf attrs = c.getAttributes(uid, List.of(AttributeKey.of(Tag.STATE),
                    AttributeKey.of(Tag.CRYPTOGRAPHIC_ALGORITHM), AttributeKey.of(Tag.CRYPTOGRAPHIC_LENGTH)));
            assertThat(attrs.uniqueIdentifier()).isEqualTo(uid);
            assertThat(attrs.get(Tag.STATE).orElseThrow().value().asEnumeration()).isEqualTo(State.ACTIVE.value());
            assertThat(attrs.get(Tag.CRYPTOGRAPHIC_ALGORITHM).orElseThrow().value().asEnumeration())
                    .isEqualTo(CryptographicAlgorithm.AES.value());
            assertThat(attrs.get(Tag.CRYPTOGRAPHIC_LENGTH).orElseThrow().value().asInteger()).isEqualTo(256);

            assertThat(c.getAttributeList(uid)).contains(AttributeKey.of(Tag.STATE), AttributeKey.of(Tag.NAME));
            assertThat(c.locate(List.of(KmipAttribute.name(name)))).containsExactly(uid);

            KmipClient.GetResult got = c.get(uid);
            assertThat(got.objectType()).isEqualTo(ObjectType.SYMMETRIC_KEY);
            try (SecretBytes key = got.keyMaterial()) {
                assertThat(key.length()).isEqualTo(32);
            }

            byte[] plaintext = "a data encryption key, 512 bits, wrapped by the KEK....".getBytes(StandardCharsets.UTF_8);
            CryptographicParameters cbc = CryptographicParameters.of(BlockCipherMode.CBC, PaddingMethod.PKCS5, CryptographicAlgorithm.AES);
            KmipClient.EncryptResult enc = c.encrypt(uid, plaintext, cbc, null, null);
            assertThat(enc.ivCounterNonce()).hasSize(16);
            assertThat(enc.data()).isNotEqualTo(plaintext).hasSize(64);
            try (SecretBytes dec = c.decrypt(uid, enc.data(), cbc, enc.ivCounterNonce(), null, null)) {
                assertThat(dec.expose()).isEqualTo(plaintext);
            }

            c.revoke(uid, RevocationReasonCode.CESSATION_OF_OPERATION, "rotated", null);
            assertThat(c.getAttributes(uid, List.of(AttributeKey.of(Tag.STATE))).get(Tag.STATE).orElseThrow().value().asEnumeration())
                    .isEqualTo(State.DEACTIVATED.value());
            c.destroy(uid);
            assertThatThrownBy(() -> c.get(uid)).isInstanceOfSatisfying(NotFoundException.class,
                    e -> assertThat(e.reason()).isEqualTo(ResultReason.ITEM_NOT_FOUND));
        }
    }

    @Test
    void registeredKey_comesBackUnchanged() throws Exception {
        byte[] raw = new byte[32];
        new SecureRandom().nextBytes(raw);
        try (KmipClient c = new KmipClient(config().build()); SecretBytes key = SecretBytes.copyOf(raw)) {
            String uid = c.registerSymmetricKey(CryptographicAlgorithm.AES, key, List.of(
                    KmipAttribute.cryptographicUsageMask(io.kekvault.kmip.message.CryptographicUsageMask.ENCRYPT,
                            io.kekvault.kmip.message.CryptographicUsageMask.DECRYPT)));
            try (SecretBytes back = c.get(uid).keyMaterial()) {
                assertThat(back.contentEquals(key)).isTrue();
            }
            c.destroy(uid);
        }
    }

    @Test
    void batch_withContinue_returnsEachItemsResultInOrder() throws Exception {
        try (KmipClient c = new KmipClient(config().build())) {
            String uid = c.createAes256(List.of());
            List<ResponseBatchItem> results = c.batch(List.of(
                    new KmipClient.Call(Operation.GET_ATTRIBUTES, Payloads.getAttributesRequest(uid, List.of(AttributeKey.of(Tag.STATE)), c.protocolVersion())),
                    new KmipClient.Call(Operation.GET, Payloads.uniqueIdentifierPayload(Tag.REQUEST_PAYLOAD, "no-such-object")),
                    new KmipClient.Call(Operation.DESTROY, Payloads.uniqueIdentifierPayload(Tag.REQUEST_PAYLOAD, uid))),
                    BatchErrorContinuationOption.CONTINUE);
            assertThat(results).hasSize(3);
            assertThat(results.get(0).isSuccess()).isTrue();
            assertThat(Payloads.readGetAttributesResponse(results.get(0).payloadOrEmpty()).uniqueIdentifier()).isEqualTo(uid);
            assertThat(results.get(1).toException()).containsInstanceOf(NotFoundException.class);
            assertThat(results.get(2).isSuccess()).isTrue();
        }
    }

    @Test
    void batch_withTheDefaultStop_reportsLaterItemsAsNotProcessed() throws Exception {
        try (KmipClient c = new KmipClient(config().build())) {
            String uid = c.createAes256(List.of());
            List<ResponseBatchItem> results = c.batch(List.of(
                    new KmipClient.Call(Operation.GET, Payloads.uniqueIdentifierPayload(Tag.REQUEST_PAYLOAD, "no-such-object")),
                    new KmipClient.Call(Operation.DESTROY, Payloads.uniqueIdentifierPayload(Tag.REQUEST_PAYLOAD, uid))));
            assertThat(results.get(0).resultReason()).isEqualTo(ResultReason.ITEM_NOT_FOUND);
            assertThat(results.get(1).isSuccess()).isFalse();
            assertThat(results.get(1).resultMessage()).startsWith("not processed");
            assertThat(c.get(uid).uniqueIdentifier()).isEqualTo(uid); // the Destroy never ran
            c.destroy(uid);
        }
    }

    /** Modify Attribute in the KMIP 1.x form (name and index) and the 2.x form (current value); Delete Attribute in 1.x. */
    @Test
    void modifyAndDeleteAttribute_workInBothVersions() throws Exception {
        for (ProtocolVersion v : List.of(ProtocolVersion.V1_2, ProtocolVersion.V2_0)) {
            String first = "kek-" + UUID.randomUUID();
            String renamed = first + "-renamed";
            try (KmipClient c = new KmipClient(config().protocolVersion(v).build())) {
                String uid = c.createAes256(List.of(KmipAttribute.name(first)));
                c.modifyAttribute(uid, KmipAttribute.name(first), KmipAttribute.name(renamed).withIndex(0));
                assertThat(c.locate(List.of(KmipAttribute.name(renamed)))).as("version %s", v).containsExactly(uid);
                assertThat(c.locate(List.of(KmipAttribute.name(first)))).isEmpty();

                if (v.isV2()) {
                    // PyKMIP 0.10 implements a KMIP 2.0 draft: it reads Attribute Reference only as a
                    // structure, not as the Enumeration of the final specification (and of the OASIS
                    // 2.0 vectors), and fails on a Current Attribute of type Name. Its refusal is typed:
                    assertThatThrownBy(() -> c.deleteAttribute(uid, AttributeKey.of(Tag.NAME), null))
                            .isInstanceOfSatisfying(InvalidRequestException.class,
                                    e -> assertThat(e.reason()).isEqualTo(ResultReason.INVALID_MESSAGE));
                } else {
                    // No Attribute Index: PyKMIP 0.10 fails with a General Failure when one is sent.
                    c.deleteAttribute(uid, AttributeKey.of(Tag.NAME), null);
                    assertThat(c.getAttributes(uid, List.of(AttributeKey.of(Tag.NAME))).get(Tag.NAME)).isEmpty();
                }
                c.destroy(uid);
            }
        }
    }

    /** PyKMIP has no ReKey and no Add Attribute: the client reports the server's refusal as a typed error. */
    @Test
    void operationsPyKmipLacks_areTypedErrors() throws Exception {
        try (KmipClient c = new KmipClient(config().build())) {
            String uid = c.createAes256(List.of());
            assertThatThrownBy(() -> c.rekey(uid)).isInstanceOfSatisfying(KmsException.class,
                    e -> assertThat(e.reason()).isIn(ResultReason.OPERATION_NOT_SUPPORTED, ResultReason.INVALID_MESSAGE));
            assertThatThrownBy(() -> c.addAttribute(uid, KmipAttribute.text(Tag.CONTACT_INFORMATION, "ops@example.org")))
                    .isInstanceOfSatisfying(KmsException.class,
                            e -> assertThat(e.reason()).isIn(ResultReason.OPERATION_NOT_SUPPORTED, ResultReason.INVALID_MESSAGE));
            c.destroy(uid);
        }
    }

    /** PyKMIP refuses custom attributes; the client sends them in the 1.x form and maps the refusal to a typed error. */
    @Test
    void customAttribute_refusedByPyKmip_isATypedError() throws Exception {
        try (KmipClient c = new KmipClient(config().build())) {
            assertThatThrownBy(() -> c.createAes256(List.of(KmipAttribute.x("Vendor", "VMware, Inc."))))
                    .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.reason()).isEqualTo(ResultReason.INVALID_FIELD))
                    .hasMessageContaining("x-Vendor");
        }
    }

    @Test
    void protocolVersion2_createAndGetAttributes_useTheAttributesForm() throws Exception {
        try (KmipClient c = new KmipClient(config().protocolVersion(ProtocolVersion.V2_0).build())) {
            String uid = c.createAes256(List.of());
            Payloads.AttributesOf attrs = c.getAttributes(uid, List.of(AttributeKey.of(Tag.CRYPTOGRAPHIC_LENGTH)));
            assertThat(attrs.get(Tag.CRYPTOGRAPHIC_LENGTH).orElseThrow().value().asInteger()).isEqualTo(256);
            c.destroy(uid);
        }
    }

    @Test
    void perRequestMode_opensOneConnectionPerRequest_pooledModeReusesOne() throws Exception {
        try (TlsRecordProxy proxy = new TlsRecordProxy(server.endpoint(), TlsRecordProxy.Mode.FORWARD)) {
            try (KmipClient c = new KmipClient(KmipClientConfig.builder(tls).endpoint(proxy.endpoint())
                    .connectionMode(ConnectionMode.PER_REQUEST).build())) {
                for (int i = 0; i < 3; i++) {
                    c.query(QueryFunction.QUERY_OBJECTS);
                }
            }
            assertThat(proxy.connections.get()).isEqualTo(3);
            try (KmipClient c = new KmipClient(KmipClientConfig.builder(tls).endpoint(proxy.endpoint())
                    .connectionMode(ConnectionMode.POOLED).build())) {
                for (int i = 0; i < 3; i++) {
                    c.query(QueryFunction.QUERY_OBJECTS);
                }
            }
            assertThat(proxy.connections.get()).isEqualTo(4);
        }
    }

    /** A pooled connection the server has closed is detected before use, so even a Create goes through. */
    @Test
    void pooledConnectionClosedByServer_isReplacedBeforeSending() throws Exception {
        try (TlsRecordProxy proxy = new TlsRecordProxy(server.endpoint(), TlsRecordProxy.Mode.FORWARD);
             KmipClient c = new KmipClient(KmipClientConfig.builder(tls).endpoint(proxy.endpoint())
                     .connectionMode(ConnectionMode.POOLED).idleTimeout(java.time.Duration.ofMinutes(5)).build())) {
            c.query(QueryFunction.QUERY_OPERATIONS);
            proxy.closeConnections();
            String uid = c.createAes256(List.of());
            assertThat(proxy.connections.get()).isEqualTo(2);
            c.destroy(uid);
        }
    }

    record Failover(KmipEndpoint failed, KmipEndpoint next) {
    }

    @Test
    void refusedEndpoint_failsOverToTheNextAndRemembersIt() throws Exception {
        KmipEndpoint dead;
        try (var s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            dead = new KmipEndpoint("127.0.0.1", s.getLocalPort());
        }
        List<Failover> events = new ArrayList<>();
        List<KmipEndpoint> answered = new ArrayList<>();
        KmipClientListener listener = new KmipClientListener() {
            @Override
            public void endpointFailed(KmipEndpoint failed, KmipEndpoint next, Exception cause) {
                events.add(new Failover(failed, next));
            }

            @Override
            public void answered(KmipEndpoint endpoint) {
                answered.add(endpoint);
            }
        };
        try (KmipClient c = new KmipClient(KmipClientConfig.builder(tls).endpoint(dead).endpoint(server.endpoint())
                .listener(listener).build())) {
            String uid = c.createAes256(List.of());
            assertThat(events).containsExactly(new Failover(dead, server.endpoint()));
            c.destroy(uid);
            assertThat(events).hasSize(1);
            assertThat(answered).containsExactly(server.endpoint(), server.endpoint());
        }
    }

    @Test
    void allEndpointsDown_isAConnectionExceptionNamingThem() throws Exception {
        KmipEndpoint dead;
        try (var s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            dead = new KmipEndpoint("127.0.0.1", s.getLocalPort());
        }
        try (KmipClient c = new KmipClient(KmipClientConfig.builder(tls).endpoint(dead).build())) {
            assertThatThrownBy(() -> c.query(QueryFunction.QUERY_OBJECTS)).isExactlyInstanceOf(KmipConnectionException.class)
                    .hasMessageContaining(dead.toString());
        }
    }

    /**
     * The response to a Create is lost after PyKMIP executed it: the client reports an unknown
     * outcome and does not send the Create to the next endpoint (a second key would be made);
     * an idempotent request in the same situation fails over and succeeds.
     */
    @Test
    void lostResponse_nonIdempotentIsNotRetried_idempotentFailsOver() throws Exception {
        String name = "kek-" + UUID.randomUUID();
        List<Failover> events = new ArrayList<>();
        try (TlsRecordProxy dropping = new TlsRecordProxy(server.endpoint(), TlsRecordProxy.Mode.DROP_RESPONSE);
             KmipClient c = new KmipClient(KmipClientConfig.builder(tls).endpoint(dropping.endpoint()).endpoint(server.endpoint())
                     .connectionMode(ConnectionMode.PER_REQUEST)
                     .listener(new KmipClientListener() {
                         @Override
                         public void endpointFailed(KmipEndpoint failed, KmipEndpoint next, Exception cause) {
                             events.add(new Failover(failed, next));
                         }
                     }).build())) {
            assertThatThrownBy(() -> c.createAes256(List.of(KmipAttribute.name(name))))
                    .isInstanceOfSatisfying(KmipOutcomeUnknownException.class, e -> assertThat(e.endpoint()).isEqualTo(dropping.endpoint()));
            assertThat(dropping.droppedResponses.get()).isEqualTo(1);
            assertThat(events).isEmpty();

            // the Create did happen, exactly once: PyKMIP has one key with that name
            List<String> found = c.locate(List.of(KmipAttribute.name(name)));
            assertThat(found).hasSize(1);
            assertThat(events).containsExactly(new Failover(dropping.endpoint(), server.endpoint()));
            c.destroy(found.getFirst());
        }
    }

    @Test
    void wrongTrustAnchor_failsTheHandshake() throws Exception {
        SSLContext trustsNothing = SSLContext.getInstance("TLS");
        trustsNothing.init(null, new javax.net.ssl.TrustManager[]{new javax.net.ssl.X509TrustManager() {
            public void checkClientTrusted(java.security.cert.X509Certificate[] chain, String authType) {
            }

            public void checkServerTrusted(java.security.cert.X509Certificate[] chain, String authType)
                    throws java.security.cert.CertificateException {
                throw new java.security.cert.CertificateException("not trusted");
            }

            public java.security.cert.X509Certificate[] getAcceptedIssuers() {
                return new java.security.cert.X509Certificate[0];
            }
        }}, null);
        try (KmipClient c = new KmipClient(KmipClientConfig.builder(trustsNothing).endpoint(server.endpoint()).build())) {
            assertThatThrownBy(() -> c.query(QueryFunction.QUERY_OBJECTS)).isInstanceOf(KmipConnectionException.class)
                    .satisfies(e -> assertThat(e.getSuppressed()).singleElement().isInstanceOf(javax.net.ssl.SSLException.class));
        }
    }
}
