package io.kekvault.app;

import static io.kekvault.app.BridgeLab.JSON;
import static io.kekvault.app.BridgeLab.ok;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kekvault.bridge.client.BridgeClient;
import io.kekvault.bridge.host.HostClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * KMS failover and bridge restarts, with real processes. The key provider has two endpoints: the
 * first is a forwarder process in front of the KMS (a KMS endpoint that dies: it is killed with
 * SIGKILL in the middle of a task), the second the KMS itself; hosts know the same two. Then the
 * bridge is halted at chosen points of its tasks (as {@code kill -9} would) and restarted: each
 * task resumes, or rolls back, and never leaves a VM half recorded.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BridgeFailoverRestartTest {
    static final int MIB = 1 << 20;

    Path root;
    BridgeLab.Kms kms;
    BridgeLab.Child proxy;
    BridgeLab.Hosts hosts;
    Path hostConfig;
    BridgeLab lab;
    BridgeClient admin;
    Path ds;
    final Random random;
    final Map<String, Map<String, byte[]>> written = new LinkedHashMap<>();

    BridgeFailoverRestartTest() {
        long seed = System.nanoTime();
        System.out.println("BridgeFailoverRestartTest seed=" + seed);
        random = new Random(seed);
    }

    @BeforeAll
    void start(@TempDir Path tmp) throws Exception {
        root = tmp;
        kms = BridgeLab.startKms(root.resolve("kms"));
        proxy = BridgeLab.proxy(root.resolve("proxy.log"), kms.kmipPort(), kms.httpsPort());
        int[] p = BridgeLab.proxyPorts(proxy);
        String proxyKmip = "127.0.0.1:" + p[0];
        String proxyHttps = "https://127.0.0.1:" + p[1];
        ds = root.resolve("ds");
        Files.createDirectories(ds);
        hostConfig = BridgeLab.hostConfig(root, kms.pki(), List.of(proxyHttps, kms.https()), Map.of("c1", ds),
                List.of(new BridgeLab.HostSpec("1", "c1"), new BridgeLab.HostSpec("2", "c1")),
                Map.of("1", BridgeLab.freePort(), "2", BridgeLab.freePort()));
        hosts = BridgeLab.startHosts(hostConfig, root.resolve("hosts.log"));
        lab = new BridgeLab(root);
        lab.startBridge(Map.of());
        admin = lab.client("alice");
        lab.trust(kms, List.of(new String[] {proxyKmip, proxyHttps}, new String[] {kms.kmip(), kms.https()}));
        admin.post("/datacenters", JSON.createObjectNode().put("name", "dc1"));
        admin.post("/clusters", JSON.createObjectNode().put("name", "c1").put("datacenter", "dc1"));
        ok(admin, "POST", "/hosts", JSON.createObjectNode().put("url", hosts.url("1")).put("cluster", "c1"));
    }

    @AfterAll
    void stop() throws Exception {
        for (AutoCloseable c : new AutoCloseable[] {lab, hosts, proxy, kms}) {
            if (c != null) {
                c.close();
            }
        }
    }

    static ObjectNode vmSpec(String vm, String host, String policy, String... disks) {
        ObjectNode b = JSON.createObjectNode().put("vm", vm).put("host", host);
        if (policy != null) {
            b.put("policy", policy);
        }
        var a = b.putArray("disks");
        for (String d : disks) {
            a.addObject().put("name", d).put("sizeBytes", MIB);
        }
        return b;
    }

    JsonNode vm(String name) throws Exception {
        return admin.get("/vms/" + name);
    }

    HostClient host(String vm) throws Exception {
        String id = vm(vm).path("host").asText();
        return lab.hostClient(id, hosts.url(id));
    }

    void writeData(String vm, String disk) throws Exception {
        ok(admin, "POST", "/vms/" + vm + "/power-on", null);
        byte[] data = new byte[128 * 1024];
        random.nextBytes(data);
        host(vm).write(vm, disk, 4096, data);
        written.computeIfAbsent(vm, k -> new LinkedHashMap<>()).put(disk, data);
        ok(admin, "POST", "/vms/" + vm + "/power-off", null);
    }

    void checkData(String vm) throws Exception {
        ok(admin, "POST", "/vms/" + vm + "/power-on", null);
        for (var e : written.get(vm).entrySet()) {
            assertThat(host(vm).read(vm, e.getKey(), 4096, e.getValue().length)).as(vm + "/" + e.getKey()).isEqualTo(e.getValue());
        }
        ok(admin, "POST", "/vms/" + vm + "/power-off", null);
    }

    int kmsKeyCount() throws Exception {
        return kms.client("admin").listKeys(Map.of("limit", "1000")).path("items").size();
    }

    /** Polls the task until {@code until} holds (bounded). */
    JsonNode awaitTask(String id, Predicate<JsonNode> until) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (System.nanoTime() < deadline) {
            JsonNode t = admin.get("/tasks/" + id);
            if (until.test(t)) {
                return t;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("task " + id + " never reached the expected state");
    }

    @Test
    @Order(1)
    void firstKmsEndpointKilledDuringARunOfTasks_everyTaskFinishes() throws Exception {
        ok(admin, "POST", "/vms", vmSpec("fa", "1", "vm-encryption", "d0"));
        writeData("fa", "d0");
        ok(admin, "POST", "/vms", vmSpec("fb", "1", null, "d0"));
        writeData("fb", "d0");

        // The first endpoint hangs (SIGSTOP), a task starts talking to it, and it dies (SIGKILL).
        proxy.pause(true);
        JsonNode accepted = admin.post("/vms", vmSpec("fc", "1", "vm-encryption", "d0"));
        String id = accepted.path("id").asText();
        awaitTask(id, t -> BridgeLab.log(t).stream().anyMatch(l -> l.contains("KMIP Create")));
        proxy.kill9();
        JsonNode fc = admin.waitTask(id, BridgeLab.TASK_TIMEOUT, null);
        assertThat(fc.path("state").asText()).as(fc.toPrettyString()).isEqualTo("succeeded");
        assertThat(BridgeLab.log(fc)).as("the task log tells the failover")
                .anyMatch(l -> l.contains("failed") && l.contains("moving to 127.0.0.1:" + kms.kmipPort()));

        // and the rest of the run, with the first endpoint dead
        List<JsonNode> run = new ArrayList<>();
        run.add(ok(admin, "POST", "/vms/fb/encrypt", JSON.createObjectNode()));
        run.add(ok(admin, "POST", "/vms/fa/rekey", JSON.createObjectNode().put("deep", false)));
        run.add(ok(admin, "POST", "/vms/fa/rekey", JSON.createObjectNode().put("deep", true)));
        run.add(ok(admin, "POST", "/hosts", JSON.createObjectNode().put("url", hosts.url("2")).put("cluster", "c1")));
        run.add(ok(admin, "POST", "/vms/fa/move", JSON.createObjectNode().put("host", "2")));
        run.add(ok(admin, "POST", "/vms/fc/disks/d0/decrypt", null));
        run.add(ok(admin, "POST", "/vms/fc/decrypt-home", null));
        assertThat(run).allMatch(t -> t.path("state").asText().equals("succeeded"));
        checkData("fa");
        checkData("fb");
        assertThat(vm("fb").path("encrypted").asBoolean()).isTrue();
        assertThat(vm("fa").path("host").asText()).isEqualTo("2");
        JsonNode grants = kms.client("admin").grants(vm("fa").path("home").path("kekId").asText());
        assertThat(grants.path("items").findValuesAsText("identity")).contains("esxi-1", "esxi-2");
    }

    /** Restarts the bridge with a failpoint, submits a task and waits for the process to halt there. */
    String haltAt(String failpoint, String method, String path, JsonNode body) throws Exception {
        lab.bridge.stop();
        lab.startBridge(Map.of("KEKVAULT_BRIDGE_FAILPOINT", failpoint));
        admin = lab.client("alice");
        String id = admin.send(method, path, body).path("id").asText();
        assertThat(lab.bridge.process().waitFor(120, TimeUnit.SECONDS)).as("bridge halts at " + failpoint).isTrue();
        assertThat(lab.bridge.process().exitValue()).isEqualTo(137);
        assertThat(Files.readString(lab.log())).contains("event=failpoint_halt point=" + failpoint);
        return id;
    }

    void restart() throws Exception {
        lab.startBridge(Map.of());
        admin = lab.client("alice");
    }

    @Test
    @Order(2)
    void bridgeKilledAfterTheKekWasMade_encryptResumesWithThatKek() throws Exception {
        ok(admin, "POST", "/vms", vmSpec("ra", "1", null, "d0"));
        writeData("ra", "d0");
        int keysBefore = kmsKeyCount();
        String id = haltAt("encrypt-vm.after-kek", "POST", "/vms/ra/encrypt", JSON.createObjectNode());
        restart();
        JsonNode t = admin.waitTask(id, BridgeLab.TASK_TIMEOUT, null);
        assertThat(t.path("state").asText()).as(t.toPrettyString()).isEqualTo("succeeded");
        assertThat(BridgeLab.log(t)).contains("resumed after a bridge restart");
        String kek = vm("ra").path("home").path("kekId").asText();
        assertThat(BridgeLab.log(t)).anyMatch(l -> l.contains("KEK " + kek + " created"));
        assertThat(kmsKeyCount()).as("no second KEK").isEqualTo(keysBefore + 1);
        assertThat(vm("ra").path("disks").get(0).path("kekId").asText()).isEqualTo(kek);
        checkData("ra");
    }

    @Test
    @Order(3)
    void bridgeKilledWhileTheHostRekeys_theTaskFollowsTheHostJobAfterRestart() throws Exception {
        String old = vm("ra").path("home").path("kekId").asText();
        String id = haltAt("rekey-deep.after-job-start", "POST", "/vms/ra/rekey", JSON.createObjectNode().put("deep", true));
        restart();
        JsonNode t = admin.waitTask(id, BridgeLab.TASK_TIMEOUT, null);
        assertThat(t.path("state").asText()).as(t.toPrettyString()).isEqualTo("succeeded");
        String fresh = vm("ra").path("home").path("kekId").asText();
        assertThat(fresh).isNotEqualTo(old);
        assertThat(kms.client("admin").getKey(old).path("state").asText()).isEqualTo("Deactivated");
        checkData("ra");
    }

    @Test
    @Order(4)
    void bridgeKilledAfterTheHostMadeTheVm_theVmIsRecordedWhole() throws Exception {
        String id = haltAt("create-vm.after-host", "POST", "/vms", vmSpec("rb", "1", "vm-encryption", "d0", "d1"));
        assertThat(Files.exists(ds.resolve("rb/rb.vmx"))).isTrue();
        restart();
        JsonNode t = admin.waitTask(id, BridgeLab.TASK_TIMEOUT, null);
        assertThat(t.path("state").asText()).as(t.toPrettyString()).isEqualTo("succeeded");
        JsonNode vm = vm("rb");
        assertThat(vm.path("disks")).hasSize(2);
        String kek = vm.path("home").path("kekId").asText();
        vm.path("disks").forEach(d -> assertThat(d.path("kekId").asText()).isEqualTo(kek));
        writeData("rb", "d1");
        checkData("rb");
    }

    @Test
    @Order(5)
    void bridgeKilledAfterTheKek_andTheHostGoneAtRestart_createRollsBack() throws Exception {
        int keysBefore = kmsKeyCount();
        String id = haltAt("create-vm.after-kek", "POST", "/vms", vmSpec("rc", "1", "vm-encryption", "d0"));
        hosts.close();
        restart();
        JsonNode t = admin.waitTask(id, BridgeLab.TASK_TIMEOUT, null);
        assertThat(t.path("state").asText()).as(t.toPrettyString()).isEqualTo("failed");
        assertThat(BridgeLab.log(t)).contains("rolling back: the VM was not created");
        BridgeClient.ApiException gone = org.junit.jupiter.api.Assertions.assertThrows(BridgeClient.ApiException.class, () -> vm("rc"));
        assertThat(gone.status()).isEqualTo(404);
        assertThat(kmsKeyCount()).isEqualTo(keysBefore + 1);
        String kek = BridgeLab.log(t).stream().filter(l -> l.startsWith("KEK ") && l.endsWith("created; the bridge records only its identifier"))
                .map(l -> l.split(" ")[1]).findFirst().orElseThrow();
        assertThat(kms.client("admin").getKey(kek).path("state").asText()).as("the unused KEK is revoked").isEqualTo("Deactivated");
        assertThat(Files.exists(ds.resolve("rc"))).isFalse();

        hosts = BridgeLab.startHosts(hostConfig, root.resolve("hosts-2.log"));
        checkData("ra");
        JsonNode again = ok(admin, "POST", "/vms", vmSpec("rc", "1", "vm-encryption", "d0"));
        assertThat(again.path("state").asText()).isEqualTo("succeeded");
    }

    @Test
    @Order(6)
    void sigtermDuringATask_theTaskResumesAtTheNextStart() throws Exception {
        ok(admin, "POST", "/vms", vmSpec("rd", "2", null, "d0"));
        writeData("rd", "d0");
        hosts.child().pause(true);
        String id;
        try {
            id = admin.post("/vms/rd/encrypt", JSON.createObjectNode()).path("id").asText();
            awaitTask(id, t -> BridgeLab.log(t).stream().anyMatch(l -> l.contains("granted")));
            lab.bridge.stop();
        } finally {
            hosts.child().pause(false);
        }
        assertThat(Files.readString(lab.log())).contains("event=task_interrupted_by_shutdown task=" + id);
        restart();
        JsonNode t = admin.waitTask(id, BridgeLab.TASK_TIMEOUT, null);
        assertThat(t.path("state").asText()).as(t.toPrettyString()).isEqualTo("succeeded");
        assertThat(vm("rd").path("encrypted").asBoolean()).isTrue();
        checkData("rd");
        assertThat(admin.get("/tasks?state=running").path("items")).isEmpty();
        assertThat(admin.get("/tasks?state=queued").path("items")).isEmpty();
    }

    @Test
    @Order(7)
    void bridgeKilledBetweenTheKmsCreateAndItsRecord_theResumedTaskFindsThatKekInsteadOfMakingAnother() throws Exception {
        int keysBefore = kmsKeyCount();
        String id = haltAt("create-vm.after-kms-create", "POST", "/vms", vmSpec("re", "2", "vm-encryption", "d0"));
        assertThat(kmsKeyCount()).as("the KMS made the KEK before the bridge died").isEqualTo(keysBefore + 1);
        restart();
        JsonNode t = admin.waitTask(id, BridgeLab.TASK_TIMEOUT, null);
        assertThat(t.path("state").asText()).as(t.toPrettyString()).isEqualTo("succeeded");
        assertThat(BridgeLab.log(t)).anyMatch(l -> l.startsWith("found KEK ") && l.contains("KMIP Locate"));
        assertThat(kmsKeyCount()).as("no second KEK").isEqualTo(keysBefore + 1);
        writeData("re", "d0");
        checkData("re");
    }
}
