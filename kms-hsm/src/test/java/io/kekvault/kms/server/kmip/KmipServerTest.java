package io.kekvault.kms.server.kmip;

import static io.kekvault.kms.testkit.KmipWire.batch;
import static io.kekvault.kms.testkit.KmipWire.item;
import static io.kekvault.kms.testkit.KmipWire.payload;
import static io.kekvault.kms.testkit.KmipWire.uid;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kekvault.kmip.client.ConnectionMode;
import io.kekvault.kmip.client.KmipClient;
import io.kekvault.kmip.error.NotExtractableException;
import io.kekvault.kmip.error.NotFoundException;
import io.kekvault.kmip.error.PermissionDeniedException;
import io.kekvault.kmip.error.ResultReason;
import io.kekvault.kmip.message.AttributeKey;
import io.kekvault.kmip.message.BatchErrorContinuationOption;
import io.kekvault.kmip.message.BatchItemId;
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
import io.kekvault.kmip.message.RequestBatchItem;
import io.kekvault.kmip.message.RequestHeader;
import io.kekvault.kmip.message.RequestMessage;
import io.kekvault.kmip.message.ResponseBatchItem;
import io.kekvault.kmip.message.ResponseMessage;
import io.kekvault.kmip.message.ResultStatus;
import io.kekvault.kmip.message.RevocationReasonCode;
import io.kekvault.kmip.message.State;
import io.kekvault.kmip.ttlv.KmipJson;
import io.kekvault.kmip.ttlv.KmipXml;
import io.kekvault.kmip.ttlv.Tag;
import io.kekvault.kmip.ttlv.TtlvItem;
import io.kekvault.kms.store.KeyRecord;
import io.kekvault.kms.testkit.KmipWire;
import io.kekvault.kms.testkit.KmsTestEnv;
import io.kekvault.kms.testkit.SoftHsmExtension;
import io.kekvault.kms.testkit.SoftHsmToken;
import io.kekvault.secret.SecretBytes;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The KMIP server through the project's client and raw messages, against a real KMS: real TLS,
 * SoftHSM2, SQLite and audit file. The export policy lets role {@code client} ask for extractable
 * keys, with non-extractable as its default (so both sides of the policy are visible); admins may
 * never create extractable keys here.
 */
@ExtendWith(SoftHsmExtension.class)
class KmipServerTest {
    static KmsTestEnv env;
    static final long SEED = System.nanoTime();
    static final Random RANDOM = new Random(SEED);

    @BeforeAll
    static void start(SoftHsmToken token) throws Exception {
        System.out.println("[kmip-server] seed=" + SEED);
        env = KmsTestEnv.prepare(token, "export:\n  allowed-roles: [client]\n  default-roles: []").start();
    }

    @AfterAll
    static void stop() {
        env.close();
    }

    static KmipClient client(String identity, ProtocolVersion v) throws Exception {
        return env.kmipClient(identity, v, ConnectionMode.POOLED);
    }

    static String name(String prefix) {
        return prefix + "-" + Long.toHexString(RANDOM.nextLong());
    }

    static List<String> auditLines() throws Exception {
        return Files.readAllLines(env.auditFile());
    }

    @Test
    void discoverVersions_answersNewestFirstAmongTheOffered() throws Exception {
        try (KmipClient c = client("kmip-client", ProtocolVersion.V1_1)) {
            assertThat(c.discoverVersions(List.of())).containsExactlyElementsOf(ProtocolVersion.SUPPORTED);
            assertThat(c.discoverVersions(List.of(ProtocolVersion.V1_1, new ProtocolVersion(3, 0), ProtocolVersion.V2_0)))
                    .containsExactly(ProtocolVersion.V2_0, ProtocolVersion.V1_1);
        }
    }

    @Test
    void query_listsTheImplementedOperationsSymmetricKeysAndTheVendor() throws Exception {
        try (KmipClient c = client("kmip-client", ProtocolVersion.V1_4)) {
            KmipClient.QueryResult q = c.query(QueryFunction.QUERY_OPERATIONS, QueryFunction.QUERY_OBJECTS,
                    QueryFunction.QUERY_SERVER_INFORMATION);
            for (Operation op : List.of(Operation.DISCOVER_VERSIONS, Operation.QUERY, Operation.CREATE, Operation.REGISTER,
                    Operation.LOCATE, Operation.GET, Operation.GET_ATTRIBUTES, Operation.GET_ATTRIBUTE_LIST, Operation.ADD_ATTRIBUTE,
                    Operation.MODIFY_ATTRIBUTE, Operation.DELETE_ATTRIBUTE, Operation.ACTIVATE, Operation.REVOKE, Operation.DESTROY,
                    Operation.RE_KEY, Operation.ENCRYPT, Operation.DECRYPT)) {
                assertThat(q.supports(op)).as(op.name()).isTrue();
            }
            assertThat(q.supports(Operation.CREATE_KEY_PAIR)).isFalse();
            assertThat(q.objectTypes()).containsExactly(ObjectType.SYMMETRIC_KEY.value());
            assertThat(q.vendorIdentification()).isEqualTo("Kekvault");
            assertThat(q.serverInformation()).isNotNull();
        }
    }

    @Test
    void lifecycle_overKmip14And20_statesFollowAndEveryStepIsAudited() throws Exception {
        for (ProtocolVersion v : List.of(ProtocolVersion.V1_4, ProtocolVersion.V2_0)) {
            try (KmipClient c = client("kmip-client", v)) {
                String name = name("life");
                String id = c.createAes256(List.of(KmipAttribute.name(name)));
                assertThat(state(c, id)).isEqualTo(State.PRE_ACTIVE.value());
                assertThat(env.server().services().vault().find(id).orElseThrow().isProtectedKek()).isTrue();
                c.activate(id);
                assertThat(state(c, id)).isEqualTo(State.ACTIVE.value());
                assertThat(c.locate(List.of(KmipAttribute.name(name)))).containsExactly(id);

                byte[] dek = new byte[32];
                RANDOM.nextBytes(dek);
                byte[] aad = "vm-1/disk-0".getBytes(StandardCharsets.UTF_8);
                KmipClient.EncryptResult e = c.encrypt(id, dek, CryptographicParameters.aesGcm(), null, aad);
                assertThat(e.ivCounterNonce()).hasSize(12);
                assertThat(e.authenticatedEncryptionTag()).hasSize(16);
                assertThat(e.data()).hasSize(32).isNotEqualTo(dek);
                try (SecretBytes back = c.decrypt(id, e.data(), CryptographicParameters.aesGcm(), e.ivCounterNonce(), aad,
                        e.authenticatedEncryptionTag())) {
                    assertThat(back.expose()).isEqualTo(dek);
                }

                c.revoke(id, RevocationReasonCode.CESSATION_OF_OPERATION, "done", null);
                assertThat(state(c, id)).isEqualTo(State.DEACTIVATED.value());
                c.destroy(id);
                assertThat(state(c, id)).isEqualTo(State.DESTROYED.value());
                assertThat(env.server().services().vault().find(id)).isEmpty();
                assertThat(c.locate(List.of(KmipAttribute.name(name)))).isEmpty();

                List<String> audit = auditLines().stream().filter(l -> l.contains(id)).toList();
                for (String op : List.of("Create", "GetAttributes", "Activate", "Locate", "Encrypt", "Decrypt", "Revoke", "Destroy")) {
                    if (!op.equals("Locate")) {
                        assertThat(audit).as(op).anyMatch(l -> l.contains("\"op\":\"" + op + "\"") && l.contains("\"identity\":\"kmip-client\""));
                    }
                }
            }
        }
        assertThat(auditLines()).anyMatch(l -> l.contains("\"op\":\"Locate\""));
    }

    static int state(KmipClient c, String id) throws Exception {
        return c.getAttributes(id, List.of(AttributeKey.of(Tag.STATE))).get(Tag.STATE).orElseThrow().value().asEnumeration();
    }

    @Test
    void exportPolicy_defaultKey_staysInTheHsmAndGetIsRefusedWithTheReason() throws Exception {
        try (KmipClient c14 = client("kmip-client", ProtocolVersion.V1_4); KmipClient c11 = client("kmip-client", ProtocolVersion.V1_1)) {
            String id = c14.createAes256(List.of());
            KeyRecord k = env.server().services().store().get(id).orElseThrow();
            assertThat(k.extractable()).isFalse();
            assertThat(env.server().services().vault().find(id).orElseThrow().isProtectedKek()).isTrue();
            assertThatThrownBy(() -> c14.get(id)).isInstanceOf(NotExtractableException.class)
                    .hasMessageContaining("not extractable").hasMessageContaining("export policy")
                    .satisfies(e -> assertThat(((NotExtractableException) e).reason()).isEqualTo(ResultReason.NOT_EXTRACTABLE));
            // KMIP 1.1 has no Not Extractable: the client gets Permission Denied with the same message
            assertThatThrownBy(() -> c11.get(id)).isInstanceOf(PermissionDeniedException.class)
                    .hasMessageContaining("not extractable");
            Payloads.AttributesOf a = c14.getAttributes(id, List.of(AttributeKey.of(Tag.EXTRACTABLE), AttributeKey.of(Tag.SENSITIVE),
                    AttributeKey.of(Tag.NEVER_EXTRACTABLE), AttributeKey.of(Tag.DIGEST)));
            assertThat(a.get(Tag.EXTRACTABLE).orElseThrow().value().asBoolean()).isFalse();
            assertThat(a.get(Tag.SENSITIVE).orElseThrow().value().asBoolean()).isTrue();
            assertThat(a.get(Tag.NEVER_EXTRACTABLE).orElseThrow().value().asBoolean()).isTrue();
            assertThat(a.get(Tag.DIGEST)).as("no digest of a value that never left the HSM").isEmpty();
        }
    }

    @Test
    void exportPolicy_allowedRoleAsksForExtractable_getReturnsTheKeyThatEncrypts() throws Exception {
        try (KmipClient c = client("kmip-client", ProtocolVersion.V2_0)) {
            String id = c.createAes256(List.of(KmipAttribute.bool(Tag.EXTRACTABLE, true),
                    KmipAttribute.dateTime(Tag.ACTIVATION_DATE, java.time.Instant.now().minusSeconds(60))));
            assertThat(env.server().services().store().get(id).orElseThrow().extractable()).isTrue();
            byte[] block = new byte[16];
            RANDOM.nextBytes(block);
            byte[] viaKms = c.encrypt(id, block, CryptographicParameters.of(BlockCipherMode.ECB, PaddingMethod.NONE,
                    CryptographicAlgorithm.AES), null, null).data();
            try (SecretBytes key = c.get(id).keyMaterial()) {
                assertThat(key.length()).isEqualTo(32);
                Cipher aes = Cipher.getInstance("AES/ECB/NoPadding");
                aes.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key.expose(), "AES"));
                assertThat(aes.doFinal(block)).as("the value Get returned is the key the HSM encrypts with").isEqualTo(viaKms);
            }
            Payloads.AttributesOf a = c.getAttributes(id, List.of(AttributeKey.of(Tag.FRESH), AttributeKey.of(Tag.DIGEST)));
            assertThat(a.get(Tag.FRESH).orElseThrow().value().asBoolean()).as("served once").isFalse();
            assertThat(a.get(Tag.DIGEST)).isPresent();
        }
    }

    @Test
    void exportPolicy_roleNotAllowed_createOfAnExtractableKeyIsRefusedAndNothingIsMade() throws Exception {
        try (KmipClient admin = client("admin", ProtocolVersion.V1_4)) {
            List<String> before = env.server().services().vault().list();
            assertThatThrownBy(() -> admin.createAes256(List.of(KmipAttribute.bool(Tag.EXTRACTABLE, true))))
                    .isInstanceOf(PermissionDeniedException.class).hasMessageContaining("export policy");
            assertThat(env.server().services().vault().list()).isEqualTo(before);
        }
    }

    @Test
    void register_theValueGoesBackToItsOwnerOnly() throws Exception {
        byte[] material = new byte[16];
        RANDOM.nextBytes(material);
        try (KmipClient owner = client("kmip-client", ProtocolVersion.V1_4); KmipClient admin = client("admin", ProtocolVersion.V1_4);
             SecretBytes m = SecretBytes.adopt(material.clone())) {
            String id = owner.registerSymmetricKey(CryptographicAlgorithm.AES, m, List.of());
            try (SecretBytes back = owner.get(id).keyMaterial()) {
                assertThat(back.expose()).isEqualTo(material);
            }
            assertThatThrownBy(() -> admin.get(id)).isInstanceOf(PermissionDeniedException.class)
                    .hasMessageContaining("registered by another client");
            assertThat(admin.getAttributes(id, List.of()).get(Tag.CRYPTOGRAPHIC_LENGTH).orElseThrow().value().asInteger()).isEqualTo(128);
        }
    }

    @Test
    void batch_continue_answersEveryItemWithItsIdAndOwnResult() throws Exception {
        try (KmipClient c = client("kmip-client", ProtocolVersion.V1_4)) {
            List<ResponseBatchItem> r = c.batch(List.of(
                    new KmipClient.Call(Operation.GET_ATTRIBUTES, uid("no-such-key")),
                    new KmipClient.Call(Operation.QUERY, payload().enumeration(Tag.QUERY_FUNCTION, QueryFunction.QUERY_OBJECTS).build()),
                    new KmipClient.Call(Operation.CREATE_KEY_PAIR, payload().build())), BatchErrorContinuationOption.CONTINUE);
            assertThat(r).hasSize(3);
            assertThat(r.get(0).resultStatus()).isEqualTo(ResultStatus.OPERATION_FAILED);
            assertThat(r.get(0).resultReason()).isEqualTo(ResultReason.ITEM_NOT_FOUND);
            assertThat(r.get(0).resultMessage()).contains("no-such-key");
            assertThat(r.get(1).isSuccess()).isTrue();
            assertThat(r.get(2).resultReason()).isEqualTo(ResultReason.OPERATION_NOT_SUPPORTED);
            assertThat(r.stream().map(ResponseBatchItem::uniqueBatchItemId)).doesNotContainNull().doesNotHaveDuplicates();
        }
    }

    @Test
    void batch_stop_isTheDefault_laterItemsDoNotRun() throws Exception {
        try (KmipWire w = KmipWire.connect(env.tls("kmip-client").sslContext(), env.kmipPort(), Duration.ofSeconds(30))) {
            String name = name("stop");
            ResponseMessage r = w.exchange(batch(RequestHeader.of(ProtocolVersion.V1_4),
                    item(Operation.GET_ATTRIBUTES, 1, uid("no-such-key")),
                    item(Operation.CREATE, 2, Payloads.createRequest(ObjectType.SYMMETRIC_KEY, List.of(KmipAttribute.name(name)),
                            ProtocolVersion.V1_4))));
            assertThat(r.batchItems()).hasSize(1);
            assertThat(r.batchItems().getFirst().uniqueBatchItemId()).isEqualTo(BatchItemId.ofInt(1));
            assertThat(env.server().services().store().locate(io.kekvault.kms.store.KeyFilter.builder().name(name).build(), 0, 10)).isEmpty();
        }
    }

    @Test
    void batch_undo_takesBackTheEarlierItemsWhenOneFails() throws Exception {
        try (KmipWire w = KmipWire.connect(env.tls("kmip-client").sslContext(), env.kmipPort(), Duration.ofSeconds(30))) {
            List<String> hsmBefore = env.server().services().vault().list();
            String name = name("undo");
            ResponseMessage r = w.exchange(batch(RequestHeader.of(ProtocolVersion.V1_4)
                            .withBatchErrorContinuationOption(BatchErrorContinuationOption.UNDO),
                    item(Operation.CREATE, 1, Payloads.createRequest(ObjectType.SYMMETRIC_KEY, List.of(KmipAttribute.name(name)),
                            ProtocolVersion.V1_4)),
                    item(Operation.ADD_ATTRIBUTE, 2, Payloads.addAttributeRequest(null, KmipAttribute.x("Vendor", "VMware, Inc."),
                            ProtocolVersion.V1_4)),
                    item(Operation.ACTIVATE, 3, uid("no-such-key"))));
            assertThat(r.batchItems()).extracting(ResponseBatchItem::resultStatus)
                    .containsExactly(ResultStatus.OPERATION_UNDONE, ResultStatus.OPERATION_UNDONE, ResultStatus.OPERATION_FAILED);
            assertThat(env.server().services().vault().list()).isEqualTo(hsmBefore);
            assertThat(env.server().services().store().locate(io.kekvault.kms.store.KeyFilter.builder().name(name).build(), 0, 10)).isEmpty();
            assertThat(auditLines()).anyMatch(l -> l.contains("\"op\":\"Undo\""));
        }
    }

    @Test
    void batch_idPlaceholder_carriesTheNewKeyToTheNextItems() throws Exception {
        try (KmipClient c = client("kmip-client", ProtocolVersion.V2_0)) {
            List<ResponseBatchItem> r = c.batch(List.of(
                    new KmipClient.Call(Operation.CREATE, Payloads.createRequest(ObjectType.SYMMETRIC_KEY, List.of(), ProtocolVersion.V2_0)),
                    new KmipClient.Call(Operation.ACTIVATE, payload().build()),
                    new KmipClient.Call(Operation.GET_ATTRIBUTES, Payloads.getAttributesRequest(null, List.of(AttributeKey.of(Tag.STATE)),
                            ProtocolVersion.V2_0))));
            assertThat(r).allMatch(ResponseBatchItem::isSuccess);
            String id = r.get(0).payloadOrEmpty().text(Tag.UNIQUE_IDENTIFIER);
            Payloads.AttributesOf a = Payloads.readGetAttributesResponse(r.get(2).payloadOrEmpty());
            assertThat(a.uniqueIdentifier()).isEqualTo(id);
            assertThat(a.get(Tag.STATE).orElseThrow().value().asEnumeration()).isEqualTo(State.ACTIVE.value());
        }
    }

    @Test
    void customAttributes_setOverKmip11_readOverKmip20_editedAndDeleted() throws Exception {
        try (KmipClient c11 = client("kmip-client", ProtocolVersion.V1_1); KmipClient c20 = client("kmip-client", ProtocolVersion.V2_0)) {
            String id = c11.createAes256(List.of());
            c11.addAttribute(id, KmipAttribute.x("Vendor", "VMware, Inc."));
            c11.addAttribute(id, KmipAttribute.x("Product", "VMware vSphere"));
            Payloads.AttributesOf a = c20.getAttributes(id, List.of(AttributeKey.x("Vendor"), AttributeKey.x("Product")));
            assertThat(a.get(AttributeKey.x("Vendor")).orElseThrow().value().asText()).isEqualTo("VMware, Inc.");
            c20.modifyAttribute(id, KmipAttribute.x("Vendor", "VMware, Inc."), KmipAttribute.x("Vendor", "Broadcom"));
            assertThat(c11.getAttributes(id, List.of(AttributeKey.x("Vendor"))).get(AttributeKey.x("Vendor")).orElseThrow()
                    .value().asText()).isEqualTo("Broadcom");
            c11.deleteAttribute(id, AttributeKey.x("Product"), null);
            assertThat(c20.getAttributeList(id)).contains(AttributeKey.x("Vendor")).doesNotContain(AttributeKey.x("Product"))
                    .contains(AttributeKey.of(Tag.STATE), AttributeKey.of(Tag.UNIQUE_IDENTIFIER));
            // the HTTP API sees the same attribute
            assertThat(env.client("kmip-client").getKey(id).get("attributes").get("x-Vendor").asText()).isEqualTo("Broadcom");
        }
    }

    @Test
    void managedAttributes_areReadOnly_refusedInEachVersionsTerms() throws Exception {
        try (KmipClient c14 = client("kmip-client", ProtocolVersion.V1_4); KmipClient c20 = client("kmip-client", ProtocolVersion.V2_0)) {
            String id = c14.createAes256(List.of());
            KmipAttribute state = KmipAttribute.enumeration(Tag.STATE, State.ACTIVE);
            assertThatThrownBy(() -> c14.addAttribute(id, state)).isInstanceOf(PermissionDeniedException.class);
            List<ResponseBatchItem> r = c20.batch(List.of(new KmipClient.Call(Operation.MODIFY_ATTRIBUTE,
                    Payloads.modifyAttributeRequest(id, null, KmipAttribute.cryptographicLength(128), ProtocolVersion.V2_0))));
            assertThat(r.getFirst().resultReason()).isEqualTo(ResultReason.ATTRIBUTE_READ_ONLY);
            assertThat(state(c14, id)).isEqualTo(State.PRE_ACTIVE.value());
        }
    }

    @Test
    void maximumResponseSize_smallerThanTheAnswer_isResponseTooLarge() throws Exception {
        try (KmipWire w = KmipWire.connect(env.tls("kmip-client").sslContext(), env.kmipPort(), Duration.ofSeconds(30))) {
            TtlvItem q = payload().enumeration(Tag.QUERY_FUNCTION, QueryFunction.QUERY_OPERATIONS).build();
            ResponseMessage small = w.exchange(new RequestMessage(RequestHeader.of(ProtocolVersion.V1_4).withMaximumResponseSize(64),
                    List.of(RequestBatchItem.of(Operation.QUERY, null, (io.kekvault.kmip.ttlv.TtlvStructure) q))));
            assertThat(small.batchItems().getFirst().resultReason()).isEqualTo(ResultReason.RESPONSE_TOO_LARGE);
            ResponseMessage big = w.exchange(new RequestMessage(RequestHeader.of(ProtocolVersion.V1_4).withMaximumResponseSize(4096),
                    List.of(RequestBatchItem.of(Operation.QUERY, null, (io.kekvault.kmip.ttlv.TtlvStructure) q))));
            assertThat(big.batchItems().getFirst().isSuccess()).isTrue();
        }
    }

    @Test
    void unknownOperationAndUnsupportedVersion_areRefusedAndAudited() throws Exception {
        try (KmipWire w = KmipWire.connect(env.tls("kmip-client").sslContext(), env.kmipPort(), Duration.ofSeconds(30))) {
            ResponseMessage unknown = w.exchange(new RequestMessage(RequestHeader.of(ProtocolVersion.V1_4),
                    List.of(new RequestBatchItem(0x7F, null, BatchItemId.ofInt(9), payload().build(), List.of()))));
            assertThat(unknown.batchItems().getFirst().resultReason()).isEqualTo(ResultReason.OPERATION_NOT_SUPPORTED);
            assertThat(unknown.batchItems().getFirst().uniqueBatchItemId()).isEqualTo(BatchItemId.ofInt(9));
            assertThat(auditLines()).anyMatch(l -> l.contains("\"op\":\"UnknownOperation\"") && l.contains("operation_not_supported"));

            ResponseMessage future = w.exchange(KmipWire.request(new ProtocolVersion(3, 0), Operation.QUERY, payload().build()));
            assertThat(future.protocolVersion()).isEqualTo(ProtocolVersion.V2_1);
            assertThat(future.batchItems().getFirst().resultReason()).isEqualTo(ResultReason.UNSUPPORTED_PROTOCOL_VERSION);
            ResponseMessage old = w.exchange(KmipWire.request(new ProtocolVersion(1, 9), Operation.QUERY, payload().build()));
            assertThat(old.protocolVersion()).isEqualTo(ProtocolVersion.V1_4);
            assertThat(old.batchItems().getFirst().resultReason()).isEqualTo(ResultReason.INVALID_MESSAGE);
        }
    }

    @Test
    void kmipOverHttps_xmlAndJsonEncodings_answerInKind() throws Exception {
        RequestMessage dv = KmipWire.request(ProtocolVersion.V1_4, Operation.DISCOVER_VERSIONS, payload().build());
        var http = env.raw("kmip-client");
        HttpResponse<String> xml = env.send(http, "POST", "/kmip", "text/xml",
                KmipXml.write(dv.toTtlv()).getBytes(StandardCharsets.UTF_8));
        assertThat(xml.statusCode()).isEqualTo(200);
        assertThat(xml.headers().firstValue("Content-Type")).hasValue("text/xml");
        ResponseMessage rx = ResponseMessage.fromTtlv(KmipXml.read(xml.body()));
        assertThat(rx.batchItems().getFirst().isSuccess()).isTrue();
        assertThat(rx.batchItems().getFirst().payloadOrEmpty().structures(Tag.PROTOCOL_VERSION)).hasSize(7);

        HttpResponse<String> json = env.send(http, "POST", "/kmip", "application/json",
                KmipJson.write(dv.toTtlv()).getBytes(StandardCharsets.UTF_8));
        assertThat(json.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(ResponseMessage.fromTtlv(KmipJson.read(json.body())).batchItems().getFirst().isSuccess()).isTrue();

        HttpResponse<String> bad = env.send(http, "POST", "/kmip", "text/plain", "hello".getBytes(StandardCharsets.UTF_8));
        assertThat(bad.statusCode()).isEqualTo(415);
        HttpResponse<String> garbage = env.send(http, "POST", "/kmip", "text/xml", "<RequestMessage>".getBytes(StandardCharsets.UTF_8));
        assertThat(garbage.statusCode()).isEqualTo(200);
        assertThat(ResponseMessage.fromTtlv(KmipXml.read(garbage.body())).batchItems().getFirst().resultReason())
                .isEqualTo(ResultReason.INVALID_MESSAGE);
    }

    @Test
    void keysTheCallerMayNotSee_lookMissing() throws Exception {
        try (KmipClient owner = client("kmip-client", ProtocolVersion.V1_4); KmipClient host = client("esxi-1", ProtocolVersion.V1_4)) {
            String id = owner.createAes256(List.of());
            Throwable hidden = org.assertj.core.api.Assertions.catchThrowable(() -> host.getAttributes(id, List.of()));
            Throwable missing = org.assertj.core.api.Assertions.catchThrowable(() -> host.getAttributes("no-such-key", List.of()));
            assertThat(hidden).isInstanceOf(NotFoundException.class);
            assertThat(missing).isInstanceOf(NotFoundException.class);
            assertThat(hidden.getMessage().replace(id, "X")).isEqualTo(missing.getMessage().replace("no-such-key", "X"));
            assertThat(host.locate(List.of(KmipAttribute.text(Tag.UNIQUE_IDENTIFIER, id)))).isEmpty();
        }
    }
}
