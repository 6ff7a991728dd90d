package io.kekvault.kms.server.kmip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kekvault.kmip.client.ConnectionMode;
import io.kekvault.kmip.client.KmipClient;
import io.kekvault.kmip.error.PermissionDeniedException;
import io.kekvault.kmip.error.ResultReason;
import io.kekvault.kmip.message.AttributeKey;
import io.kekvault.kmip.message.CryptographicAlgorithm;
import io.kekvault.kmip.message.CryptographicUsageMask;
import io.kekvault.kmip.message.KmipAttribute;
import io.kekvault.kmip.message.ObjectType;
import io.kekvault.kmip.message.Operation;
import io.kekvault.kmip.message.Payloads;
import io.kekvault.kmip.message.ProtocolVersion;
import io.kekvault.kmip.message.QueryFunction;
import io.kekvault.kmip.message.ResponseBatchItem;
import io.kekvault.kmip.message.ResponseMessage;
import io.kekvault.kmip.message.State;
import io.kekvault.kmip.ttlv.Tag;
import io.kekvault.kmip.ttlv.TtlvDecoder;
import io.kekvault.kmip.ttlv.TtlvEncoder;
import io.kekvault.kmip.ttlv.TtlvItem;
import io.kekvault.kmip.ttlv.TtlvStructure;
import io.kekvault.kmip.ttlv.TtlvTextString;
import io.kekvault.kms.store.KeyRecord;
import io.kekvault.kms.testkit.KmipWire;
import io.kekvault.kms.testkit.KmsTestEnv;
import io.kekvault.kms.testkit.SoftHsmExtension;
import io.kekvault.kms.testkit.SoftHsmToken;
import io.kekvault.secret.SecretBytes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What vCenter 7 does with a standard key provider, each request on a fresh TLS connection: the
 * sequence of issue 8 through the project's client (KMIP 1.1 headers), and the real capture
 * {@code vcenter-7.0.3.hex} replayed byte for byte with the unique identifiers substituted.
 *
 * <p>The export policy here lets role {@code admin} create extractable keys by default (a real
 * vCenter with a standard key provider, identity {@code vcenter}), and leaves role
 * {@code client} ({@code kmip-client}) with the default policy: keys stay in the HSM, and of the
 * whole sequence only Get is refused.
 */
@ExtendWith(SoftHsmExtension.class)
class VcenterKmipTest {
    static KmsTestEnv env;

    @BeforeAll
    static void start(SoftHsmToken token) throws Exception {
        env = KmsTestEnv.prepare(token, "export:\n  allowed-roles: [admin]\n  default-roles: [admin]").start();
    }

    @AfterAll
    static void stop() {
        env.close();
    }

    static double accepted() {
        return env.server().registry().get("kms.kmip.connections.accepted").counter().count();
    }

    @Test
    void vcenterSequence_exportAllowedForItsRole_everyStepSucceeds() throws Exception {
        double before = accepted();
        String id = sequence("vcenter", true);
        assertThat(env.server().services().store().get(id).orElseThrow().extractable()).isTrue();
        assertThat(accepted() - before).as("a fresh TLS connection per request").isGreaterThanOrEqualTo(11);
    }

    @Test
    void vcenterSequence_defaultExportPolicy_onlyGetIsRefused() throws Exception {
        String id = sequence("kmip-client", false);
        KeyRecord k = env.server().services().store().get(id).orElseThrow();
        assertThat(k.extractable()).isFalse();
        assertThat(env.server().services().vault().find(id).orElseThrow().isProtectedKek()).isTrue();
    }

    /** The sequence of issue 8; returns the key id. Every step must succeed except, when not extractable, Get. */
    static String sequence(String identity, boolean extractable) throws Exception {
        try (KmipClient c = env.kmipClient(identity, ProtocolVersion.V1_1, ConnectionMode.PER_REQUEST)) {
            assertThat(c.discoverVersions(List.of())).contains(ProtocolVersion.V1_1);
            KmipClient.QueryResult q = c.query(QueryFunction.QUERY_SERVER_INFORMATION);
            assertThat(q.vendorIdentification()).isEqualTo("Kekvault");
            String id = c.create(ObjectType.SYMMETRIC_KEY, List.of(
                    KmipAttribute.cryptographicAlgorithm(CryptographicAlgorithm.AES),
                    KmipAttribute.cryptographicLength(256),
                    KmipAttribute.cryptographicUsageMask(CryptographicUsageMask.ENCRYPT, CryptographicUsageMask.DECRYPT)));
            assertThat(c.getAttributes(id, List.of(AttributeKey.x("Product_Version"))).attributes()).isEmpty();
            List<ResponseBatchItem> added = c.batch(List.of(
                    add(id, KmipAttribute.x("Product_Version", "7.0.3 build-19480866")),
                    add(id, KmipAttribute.x("Vendor", "VMware, Inc.")),
                    add(id, KmipAttribute.x("Product", "VMware vSphere"))));
            assertThat(added).allMatch(ResponseBatchItem::isSuccess);
            if (extractable) {
                try (SecretBytes key = c.get(id).keyMaterial()) {
                    assertThat(key.length()).isEqualTo(32);
                }
            } else {
                assertThatThrownBy(() -> c.get(id)).isInstanceOf(PermissionDeniedException.class)
                        .hasMessageContaining("not extractable");
            }
            assertThat(c.getAttributes(id, List.of(AttributeKey.of(Tag.STATE))).get(Tag.STATE).orElseThrow().value().asEnumeration())
                    .isEqualTo(State.PRE_ACTIVE.value());
            c.activate(id);
            c.addAttribute(id, KmipAttribute.x("Identifier", "vm-42"));
            c.addAttribute(id, KmipAttribute.x("Component", "disk-0"));
            c.addAttribute(id, KmipAttribute.x("Name", "encrypted-vm"));
            Payloads.AttributesOf all = c.getAttributes(id, List.of());
            for (String x : List.of("Product_Version", "Vendor", "Product", "Identifier", "Component", "Name")) {
                assertThat(all.get(AttributeKey.x(x))).as(x).isPresent();
            }
            assertThat(all.get(Tag.STATE).orElseThrow().value().asEnumeration()).isEqualTo(State.ACTIVE.value());
            return id;
        }
    }

    static KmipClient.Call add(String id, KmipAttribute a) {
        return new KmipClient.Call(Operation.ADD_ATTRIBUTE, Payloads.addAttributeRequest(id, a, ProtocolVersion.V1_1));
    }

    // ------------------------------------------------------------------ the real capture

    @Test
    void vcenterCapture_replayedByteForByte_everyRequestSucceeds() throws Exception {
        Map<String, ResponseMessage> r = replay("vcenter");
        r.forEach((step, resp) -> assertThat(resp.batchItems()).as(step).allMatch(ResponseBatchItem::isSuccess));
        TtlvStructure get = r.get("GET").batchItems().getFirst().payloadOrEmpty();
        assertThat(get.structure(Tag.SYMMETRIC_KEY).structure(Tag.KEY_BLOCK).structure(Tag.KEY_VALUE).bytes(Tag.KEY_MATERIAL))
                .hasSize(32);
        assertThat(r.get("ADD_ATTRIBUTE").batchItems()).hasSize(3);
        assertThat(r.get("DISCOVER_VERSIONS_1").protocolVersion()).isEqualTo(ProtocolVersion.V1_1);
    }

    @Test
    void vcenterCapture_defaultExportPolicy_onlyGetIsRefused() throws Exception {
        Map<String, ResponseMessage> r = replay("kmip-client");
        r.forEach((step, resp) -> {
            if (step.equals("GET")) {
                assertThat(resp.batchItems().getFirst().resultReason()).isEqualTo(ResultReason.PERMISSION_DENIED);
                assertThat(resp.batchItems().getFirst().resultMessage()).contains("not extractable");
            } else {
                assertThat(resp.batchItems()).as(step).allMatch(ResponseBatchItem::isSuccess);
            }
        });
    }

    /**
     * Sends each captured request on a fresh TLS connection as {@code identity}, with the captured
     * identifiers ("1", "2") replaced by the one Create returned; returns the responses by step.
     */
    static Map<String, ResponseMessage> replay(String identity) throws Exception {
        Map<String, ResponseMessage> out = new LinkedHashMap<>();
        String created = null;
        for (String[] line : capture()) {
            byte[] original = HexFormat.of().parseHex(line[1]);
            TtlvItem tree = TtlvDecoder.decode(original);
            assertThat(TtlvEncoder.encode(tree)).as("the codec reproduces the capture byte for byte").isEqualTo(original);
            byte[] sent = created == null ? original : TtlvEncoder.encode(substitute(tree, created));
            try (KmipWire w = KmipWire.connect(env.tls(identity).sslContext(), env.kmipPort(), Duration.ofSeconds(30))) {
                w.send(sent);
                ResponseMessage r = w.receive().orElseThrow();
                out.put(line[0], r);
                if (line[0].equals("CREATE")) {
                    created = r.batchItems().getFirst().payloadOrEmpty().text(Tag.UNIQUE_IDENTIFIER);
                }
            }
        }
        assertThat(out).containsKeys("DISCOVER_VERSIONS_1", "DISCOVER_VERSIONS_2", "QUERY", "CREATE", "GET_ATTRIBUTES",
                "ADD_ATTRIBUTE", "GET");
        return out;
    }

    static TtlvItem substitute(TtlvItem item, String id) {
        if (item instanceof TtlvStructure s) {
            List<TtlvItem> c = new ArrayList<>();
            for (TtlvItem x : s.children()) {
                c.add(substitute(x, id));
            }
            return new TtlvStructure(s.tag(), c);
        }
        if (item.tag().equals(Tag.UNIQUE_IDENTIFIER) && item instanceof TtlvTextString) {
            return TtlvItem.text(Tag.UNIQUE_IDENTIFIER, id);
        }
        return item;
    }

    /** The capture's lines (name, hex), from the kmip module's copy of /work/shared/vcenter-trace. */
    static List<String[]> capture() throws Exception {
        Path file = Path.of("..", "kmip", "src", "test", "resources", "vcenter-trace", "vcenter-7.0.3.hex");
        assertThat(file).as("the vCenter capture (run the tests from the module directory)").exists();
        List<String[]> out = new ArrayList<>();
        for (String l : Files.readAllLines(file)) {
            String t = l.strip();
            if (!t.isEmpty() && !t.startsWith("#")) {
                out.add(t.split("\\s+"));
            }
        }
        return out;
    }
}
