package io.kekvault.bridge.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.kekvault.bridge.auth.Tokens;
import io.kekvault.bridge.client.BridgeClient;
import io.kekvault.bridge.config.BridgeConfig;
import io.kekvault.bridge.inventory.Component;
import io.kekvault.bridge.inventory.Host;
import io.kekvault.bridge.inventory.Inventory;
import io.kekvault.bridge.inventory.KeyProvider;
import io.kekvault.bridge.inventory.KeyRef;
import io.kekvault.bridge.inventory.KmsEndpoint;
import io.kekvault.bridge.inventory.StoragePolicy;
import io.kekvault.bridge.inventory.Vm;
import io.kekvault.bridge.server.BridgeServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bridge's REST API in-process on loopback with a real database: authentication,
 * privileges, refusals (recorded, nothing changed), input checks and the decrypt-order rule.
 * These checks happen before any KMS or host is contacted; the tasks themselves run end to end
 * against real KMS and host processes in the app module's tests.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BridgeApiTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ADMIN = "admin-token";
    private static final String OPERATOR = "operator-token";
    private static final String READER = "reader-token";
    private static final String KEK = "6f1c7c3e-5a8b-4d0e-9a61-0c2f3d4e5f60";

    Path dir;
    BridgeServer server;
    BridgeClient admin;
    BridgeClient operator;
    BridgeClient reader;

    @BeforeAll
    void start(@TempDir Path tmp) throws Exception {
        dir = tmp;
        Path cfg = dir.resolve("bridge.yaml");
        Files.writeString(cfg, "data-dir: data\nlisten: {host: 127.0.0.1, port: 0}\nusers:\n"
                + "  - {name: alice, role: Admin, token-sha256: " + Tokens.sha256(ADMIN) + "}\n"
                + "  - {name: olivia, role: NoCryptoAdmin, token-sha256: " + Tokens.sha256(OPERATOR) + "}\n"
                + "  - {name: rita, role: ReadOnly, token-sha256: " + Tokens.sha256(READER) + "}\n");
        server = BridgeServer.start(BridgeConfig.load(cfg));
        URI base = URI.create(server.url());
        admin = new BridgeClient(base, ADMIN);
        operator = new BridgeClient(base, OPERATOR);
        reader = new BridgeClient(base, READER);
        // An inventory as earlier tasks would have left it (hosts unreachable: nothing here may reach them).
        server.database().tx(c -> {
            Inventory.insertProvider(c, new KeyProvider("kms", true, KeyProvider.TRUST_TRUSTED, "vcenter",
                    List.of(new KmsEndpoint("127.0.0.1:1", "https://127.0.0.1:1"))));
            Inventory.insertDatacenter(c, "dc1");
            Inventory.insertCluster(c, "c1", "dc1");
            Inventory.insertCluster(c, "c2", "dc1");
            Inventory.insertHost(c, new Host("h1", "c1", "https://127.0.0.1:1", "esxi-h1", "/ds1"));
            Inventory.insertHost(c, new Host("h2", "c1", "https://127.0.0.1:2", "esxi-h2", "/ds1"));
            Inventory.insertHost(c, new Host("h9", "c2", "https://127.0.0.1:9", "esxi-h9", "/ds2"));
            KeyRef k = new KeyRef("kms", KEK);
            Inventory.insertVm(c, new Vm("vm1", UUID.randomUUID().toString(), "c1", "h1", Vm.Power.OFF, List.of(
                    new Component("home", 0, null, StoragePolicy.ENCRYPTION, k),
                    new Component("disk0", 1, 8192L, StoragePolicy.ENCRYPTION, k),
                    new Component("disk1", 2, 8192L, StoragePolicy.ENCRYPTION, k))));
            Inventory.insertVm(c, new Vm("plain1", UUID.randomUUID().toString(), "c1", "h2", Vm.Power.OFF, List.of(
                    new Component("home", 0, null, StoragePolicy.PLAIN, null),
                    new Component("disk0", 1, 8192L, StoragePolicy.PLAIN, null))));
            return null;
        });
    }

    @AfterAll
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private JsonNode snapshot() throws Exception {
        ObjectNode n = JSON.createObjectNode();
        n.set("vms", admin.get("/vms"));
        n.set("hosts", admin.get("/hosts"));
        n.set("providers", admin.get("/key-providers"));
        return n;
    }

    private static BridgeClient.ApiException refused(ThrowingCall call) {
        try {
            call.run();
        } catch (BridgeClient.ApiException e) {
            return e;
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        throw new AssertionError("expected a refusal");
    }

    @FunctionalInterface
    interface ThrowingCall {
        void run() throws Exception;
    }

    /** The refusal is problem+json, names a recorded refused task, and the task says why. */
    private JsonNode assertRecordedRefusal(BridgeClient.ApiException e, int status, String code) throws Exception {
        assertThat(e.status()).as(e.getMessage()).isEqualTo(status);
        assertThat(e.code()).isEqualTo(code);
        assertThat(e.problem().path("type").asText()).endsWith("/" + code);
        assertThat(e.taskId()).as("refused task recorded").isNotNull();
        JsonNode t = admin.get("/tasks/" + e.taskId());
        assertThat(t.path("state").asText()).isEqualTo("refused");
        assertThat(t.path("error").path("code").asText()).isEqualTo(code);
        return t;
    }

    @Test
    void openapi_documentsExactlyTheRoutes() throws Exception {
        JsonNode doc = new ObjectMapper(new YAMLFactory()).readTree(admin.openapi());
        Set<String> documented = new TreeSet<>();
        doc.path("paths").properties().forEach(p -> p.getValue().properties().forEach(m -> {
            if (!m.getKey().equals("parameters")) {
                documented.add(m.getKey().toUpperCase() + " " + p.getKey());
            }
        }));
        Set<String> served = new TreeSet<>(server.routes());
        assertThat(served).isEqualTo(documented);
        assertThat(served).hasSizeGreaterThan(30);
    }

    @Test
    void noToken_or_unknownToken_getsNoService() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(server.url() + "/api/v1/vms")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(JSON.readTree(r.body()).path("code").asText()).isEqualTo("authentication_not_successful");
        BridgeClient.ApiException e = refused(() -> new BridgeClient(URI.create(server.url()), "guess").get("/vms"));
        assertThat(e.status()).isEqualTo(401);
    }

    @Test
    void session_namesRoleAndPrivileges() throws Exception {
        JsonNode s = operator.get("/session");
        assertThat(s.path("user").asText()).isEqualTo("olivia");
        assertThat(s.path("role").asText()).isEqualTo("NoCryptoAdmin");
        assertThat(s.path("canSeeKeys").asBoolean()).isFalse();
        List<String> privileges = new ArrayList<>();
        s.path("privileges").forEach(p -> privileges.add(p.asText()));
        assertThat(privileges).contains("VirtualMachine.Interact.PowerOn", "VirtualMachine.Interact.PowerOff")
                .noneMatch(p -> p.startsWith("Cryptographer."));
        assertThat(admin.get("/session").path("canSeeKeys").asBoolean()).isTrue();
    }

    @Test
    void keyIdentifiers_areShownOnlyToCryptographers() throws Exception {
        JsonNode asAdmin = admin.get("/vms/vm1");
        assertThat(asAdmin.path("home").path("kekId").asText()).isEqualTo(KEK);
        JsonNode asOperator = operator.get("/vms/vm1");
        assertThat(asOperator.path("home").path("encrypted").asBoolean()).isTrue();
        assertThat(asOperator.toString()).doesNotContain(KEK).doesNotContain("kekId");
        assertThat(refused(() -> operator.get("/keys")).status()).isEqualTo(403);
        assertThat(admin.get("/keys").path("items").get(0).path("usedBy")).hasSize(3);
    }

    @Test
    void noCryptoAdmin_isRefusedEveryEncryptionTask_andNothingChanges() throws Exception {
        JsonNode before = snapshot();
        List<ThrowingCall> calls = List.of(
                () -> operator.post("/vms/plain1/encrypt", JSON.createObjectNode()),
                () -> operator.post("/vms/vm1/disks/disk0/decrypt", null),
                () -> operator.post("/vms/vm1/decrypt", null),
                () -> operator.post("/vms/vm1/rekey", JSON.createObjectNode().put("deep", false)),
                () -> operator.post("/vms/vm1/rekey", JSON.createObjectNode().put("deep", true)),
                () -> operator.put("/vms/plain1/policy", JSON.createObjectNode().put("home", "vm-encryption")),
                () -> operator.post("/vms/vm1/move", JSON.createObjectNode().put("host", "h2")),
                () -> operator.post("/vms", JSON.readTree("{\"vm\":\"new1\",\"host\":\"h1\",\"policy\":\"vm-encryption\"}")),
                () -> operator.post("/key-providers", JSON.readTree("{\"name\":\"k2\",\"endpoints\":[{\"kmip\":\"127.0.0.1:5696\",\"https\":\"https://127.0.0.1:8443\"}]}")),
                () -> operator.delete("/hosts/h2"));
        for (ThrowingCall call : calls) {
            BridgeClient.ApiException e = refused(call);
            assertThat(e.status()).as(e.getMessage()).isEqualTo(403);
            assertThat(e.code()).isEqualTo("permission_denied");
            assertThat(e.problem().path("detail").asText()).contains("olivia").contains("Cryptographer.");
            if (e.taskId() != null) {
                assertThat(admin.get("/tasks/" + e.taskId()).path("state").asText()).isEqualTo("refused");
            }
        }
        assertThat(snapshot()).isEqualTo(before);
        assertThat(admin.get("/tasks?state=refused&limit=1000").path("items").findValuesAsText("user")).contains("olivia");
    }

    @Test
    void readOnly_cannotPowerOn() throws Exception {
        JsonNode before = snapshot();
        assertRecordedRefusal(refused(() -> reader.post("/vms/vm1/power-on", null)), 403, "permission_denied");
        assertThat(snapshot()).isEqualTo(before);
    }

    @Test
    void decryptHome_whileDisksEncrypted_isRefusedWithTheOrderRule() throws Exception {
        JsonNode before = snapshot();
        JsonNode t = assertRecordedRefusal(refused(() -> admin.post("/vms/vm1/decrypt-home", null)), 409, "wrong_key_lifecycle_state");
        assertThat(t.path("error").path("detail").asText())
                .contains("disk0, disk1").contains("decrypt the disks first, then the VM home");
        // the same rule on a storage-policy change of the VM home alone
        JsonNode p = assertRecordedRefusal(refused(() -> admin.put("/vms/vm1/policy",
                JSON.createObjectNode().put("home", "datastore-default"))), 409, "wrong_key_lifecycle_state");
        assertThat(p.path("kind").asText()).isEqualTo("apply-policy");
        // and when only some disks go with the home
        assertRecordedRefusal(refused(() -> admin.post("/vms/vm1/decrypt",
                JSON.readTree("{\"components\":[\"disk0\",\"home\"]}"))), 409, "wrong_key_lifecycle_state");
        assertThat(snapshot()).isEqualTo(before);
    }

    @Test
    void badInput_isRefusedClearly_andChangesNothing() throws Exception {
        JsonNode before = snapshot();
        assertThat(assertRecordedRefusal(refused(() -> admin.post("/vms/ghost/encrypt", null)), 404, "item_not_found")
                .path("error").path("detail").asText()).contains("'ghost'");
        assertThat(assertRecordedRefusal(refused(() -> admin.post("/vms/vm1/move", JSON.createObjectNode().put("host", "h9"))),
                400, "invalid_field").path("error").path("detail").asText()).contains("outside cluster 'c1'");
        assertThat(assertRecordedRefusal(refused(() -> admin.post("/vms",
                JSON.readTree("{\"vm\":\"n2\",\"host\":\"h9\",\"cluster\":\"c1\"}"))), 400, "invalid_field")
                .path("error").path("detail").asText()).contains("outside cluster");
        assertThat(assertRecordedRefusal(refused(() -> admin.put("/vms/vm1/policy",
                JSON.readTree("{\"disks\":{\"disk0\":\"gold-encrypted\"}}"))), 400, "invalid_field")
                .path("error").path("detail").asText()).contains("unknown storage policy 'gold-encrypted'")
                .contains("vm-encryption").contains("datastore-default");
        assertThat(assertRecordedRefusal(refused(() -> admin.post("/vms",
                JSON.readTree("{\"vm\":\"n3\",\"host\":\"h1\",\"policy\":\"platinum\"}"))), 400, "invalid_field")
                .path("error").path("detail").asText()).contains("unknown storage policy 'platinum'");
        assertRecordedRefusal(refused(() -> admin.post("/vms/vm1/disks/disk7/decrypt", null)), 404, "item_not_found");
        assertRecordedRefusal(refused(() -> admin.post("/vms/plain1/disks/disk0/decrypt", null)), 409, "illegal_operation");
        assertRecordedRefusal(refused(() -> admin.post("/vms",
                JSON.readTree("{\"vm\":\"bad name!\",\"host\":\"h1\"}"))), 400, "invalid_field");
        assertRecordedRefusal(refused(() -> admin.post("/vms",
                JSON.readTree("{\"vm\":\"n4\",\"host\":\"h1\",\"disks\":[{\"name\":\"d\",\"sizeBytes\":1000}]}"))), 400, "invalid_field");
        assertRecordedRefusal(refused(() -> admin.post("/vms/plain1/encrypt",
                JSON.readTree("{\"components\":[\"disk0\"]}"))), 400, "invalid_field");
        assertThat(refused(() -> admin.post("/vms/vm1", null)).code()).isEqualTo("item_not_found");
        assertThat(refused(() -> admin.post("/vms/vm1/rekey", JSON.createObjectNode().put("deep", "yes"))).status()).isEqualTo(400);
        BridgeClient.ApiException notJson = refused(() -> admin.send("POST", "/datacenters", JSON.getNodeFactory().textNode("x")));
        assertThat(notJson.status()).isEqualTo(400);
        assertThat(snapshot()).isEqualTo(before);
    }

    @Test
    void secondTaskOnAVm_withOneUnfinished_isRefused() throws Exception {
        // A task a previous process left running on plain1 (as the database would hold it).
        server.database().tx(c -> {
            try (var ps = c.prepareStatement("INSERT INTO task (id, seq, kind, target, cluster, username, state, params, created_at) "
                    + "VALUES ('task-999999', 999999, 'encrypt-vm', 'vm:plain1', 'c1', 'alice', 'running', '{\"vm\":\"plain1\"}', '2026-01-01T00:00:00Z')")) {
                ps.executeUpdate();
            }
            return null;
        });
        try {
            JsonNode before = snapshot();
            JsonNode t = assertRecordedRefusal(refused(() -> admin.post("/vms/plain1/power-on", null)), 409, "duplicate_process_request");
            assertThat(t.path("error").path("detail").asText()).contains("task-999999").contains("already has a task running");
            assertThat(snapshot()).isEqualTo(before);
        } finally {
            server.database().tx(c -> {
                try (var ps = c.prepareStatement("UPDATE task SET state = 'failed' WHERE id = 'task-999999'")) {
                    ps.executeUpdate();
                }
                return null;
            });
        }
    }

    @Test
    void removeHost_withVms_isRefused() throws Exception {
        JsonNode t = assertRecordedRefusal(refused(() -> admin.delete("/hosts/h1")), 409, "illegal_operation");
        assertThat(t.path("error").path("detail").asText()).contains("vm1").contains("move them");
        assertThat(admin.get("/hosts").path("items")).hasSize(3);
    }

    @Test
    void inventoryObjects_areCreatedOnce() throws Exception {
        admin.post("/datacenters", JSON.createObjectNode().put("name", "dc-x"));
        assertThat(refused(() -> admin.post("/datacenters", JSON.createObjectNode().put("name", "dc-x"))).status()).isEqualTo(409);
        admin.post("/clusters", JSON.createObjectNode().put("name", "cx").put("datacenter", "dc-x"));
        assertThat(refused(() -> admin.post("/clusters", JSON.createObjectNode().put("name", "cy").put("datacenter", "nope"))).status())
                .isEqualTo(404);
        assertThat(refused(() -> reader.post("/datacenters", JSON.createObjectNode().put("name", "dc-y"))).status()).isEqualTo(403);
        assertThat(admin.get("/datacenters").path("items").findValuesAsText("name")).contains("dc-x").doesNotContain("dc-y");
    }

    @Test
    void unknownRoute_isProblemJson404() throws Exception {
        BridgeClient.ApiException e = refused(() -> admin.get("/nothing-here"));
        assertThat(e.status()).isEqualTo(404);
        assertThat(e.code()).isEqualTo("item_not_found");
    }

    @Test
    void keyProviders_addedWithValidEndpointsOnly() throws Exception {
        assertThat(refused(() -> admin.post("/key-providers", JSON.readTree(
                "{\"name\":\"bad\",\"endpoints\":[{\"kmip\":\"127.0.0.1:5696\",\"https\":\"http://127.0.0.1:8443\"}]}"))).status()).isEqualTo(400);
        JsonNode p = admin.post("/key-providers", JSON.readTree(
                "{\"name\":\"k2\",\"endpoints\":[{\"kmip\":\"127.0.0.1:5696\",\"https\":\"https://127.0.0.1:8443\"},"
                        + "{\"kmip\":\"127.0.0.1:5697\",\"https\":\"https://127.0.0.1:8444\"}]}"));
        assertThat(p.path("default").asBoolean()).isFalse();
        assertThat(p.path("trust").asText()).isEqualTo("none");
        assertThat(p.path("endpoints")).hasSize(2);
        JsonNode csr = admin.post("/key-providers/k2/csr", JSON.createObjectNode());
        assertThat(csr.path("csr").asText()).startsWith("-----BEGIN CERTIFICATE REQUEST-----");
        assertThat(admin.get("/key-providers/k2").path("trust").asText()).isEqualTo("csr-pending");
        admin.delete("/key-providers/k2");
        assertThat(refused(() -> admin.get("/key-providers/k2")).status()).isEqualTo(404);
        assertThat(refused(() -> admin.delete("/key-providers/kms")).status()).isEqualTo(409);
        assertThatThrownBy(() -> admin.get("/key-providers/zz")).isInstanceOf(BridgeClient.ApiException.class);
    }
}
