package io.kekvault.app;

import static io.kekvault.app.BridgeLab.JSON;
import static io.kekvault.app.BridgeLab.ok;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kekvault.bridge.client.BridgeClient;
import io.kekvault.bridge.host.HostClient;
import io.kekvault.bridge.host.HostException;
import io.kekvault.kmip.http.KmsHttpClient;
import io.kekvault.kms.testkit.LeakScanner;
import io.kekvault.pki.IssueOptions;
import io.kekvault.pki.PkiService;
import io.kekvault.secret.SecretBytes;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every bridge task end to end with real processes on loopback: a dev KMS (KMIP and HTTPS), one
 * host process running hosts 1, 2, 3 (cluster c1, datastore ds1) and 9 (cluster c2, datastore
 * ds2), and the bridge. Data is written through the hosts and checked after every step, on the
 * host and in the files themselves. The steps build on each other, in order.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BridgeEndToEndTest {
    static final int MIB = 1 << 20;

    Path root;
    BridgeLab.Kms kms;
    BridgeLab.Hosts hosts;
    BridgeLab lab;
    BridgeClient admin;
    BridgeClient operator;
    Path ds1;
    final Random random;
    final long seed;
    /** What each VM's disks must hold: vm -> disk -> offset -> bytes. */
    final Map<String, Map<String, Map<Long, byte[]>>> written = new LinkedHashMap<>();

    BridgeEndToEndTest() {
        seed = System.nanoTime();
        System.out.println("BridgeEndToEndTest seed=" + seed);
        random = new Random(seed);
    }

    @BeforeAll
    void start(@TempDir Path tmp) throws Exception {
        root = tmp;
        kms = BridgeLab.startKms(root.resolve("kms"));
        new PkiService().issue(kms.pki(), "esxi-9", "host", IssueOptions.defaults());
        ds1 = root.resolve("ds1");
        Files.createDirectories(ds1);
        Files.createDirectories(root.resolve("ds2"));
        Path hostCfg = BridgeLab.hostConfig(root, kms.pki(), List.of(kms.https()),
                Map.of("c1", ds1, "c2", root.resolve("ds2")),
                List.of(new BridgeLab.HostSpec("1", "c1"), new BridgeLab.HostSpec("2", "c1"), new BridgeLab.HostSpec("3", "c1"),
                        new BridgeLab.HostSpec("9", "c2")));
        hosts = BridgeLab.startHosts(hostCfg, root.resolve("hosts.log"));
        lab = new BridgeLab(root);
        lab.startBridge(Map.of());
        admin = lab.client("alice");
        operator = lab.client("olivia");

        lab.trust(kms, List.<String[]>of(new String[] {kms.kmip(), kms.https()}));
        JsonNode check = JSON.readTree(lab.bridgeCli("alice", 0, "provider", "check", BridgeLab.PROVIDER)[0]);
        assertThat(check.path("endpoints").get(0).path("kmipOk").asBoolean()).as(check.toPrettyString()).isTrue();
        assertThat(check.path("endpoints").get(0).path("httpsOk").asBoolean()).as(check.toPrettyString()).isTrue();
        lab.bridgeCli("alice", 0, "datacenter", "create", "dc1");
        lab.bridgeCli("alice", 0, "cluster", "create", "c1", "--datacenter", "dc1");
        lab.bridgeCli("alice", 0, "cluster", "create", "c2", "--datacenter", "dc1");
        for (String[] h : List.of(new String[] {"1", "c1"}, new String[] {"2", "c1"}, new String[] {"9", "c2"})) {
            ok(admin, "POST", "/hosts", JSON.createObjectNode().put("url", hosts.url(h[0])).put("cluster", h[1]));
        }
    }

    @AfterAll
    void stop() throws Exception {
        if (lab != null) {
            lab.close();
        }
        if (hosts != null) {
            hosts.close();
        }
        if (kms != null) {
            kms.close();
        }
    }

    // ------------------------------------------------------------------ helpers

    HostClient host(String id) throws Exception {
        return lab.hostClient(id, hosts.url(id));
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

    String kek(String vm) throws Exception {
        return vm(vm).path("home").path("kekId").asText(null);
    }

    void powerOn(String vm) throws Exception {
        ok(admin, "POST", "/vms/" + vm + "/power-on", null);
    }

    void powerOff(String vm) throws Exception {
        ok(admin, "POST", "/vms/" + vm + "/power-off", null);
    }

    /** Writes random data at two offsets of each disk (the VM must be open on its host) and remembers it. */
    void writeData(String vm, String... disks) throws Exception {
        HostClient hc = host(vm(vm).path("host").asText());
        for (String d : disks) {
            for (long off : List.of(0L, 512L * 1024 + 4096)) {
                byte[] data = new byte[64 * 1024];
                random.nextBytes(data);
                hc.write(vm, d, off, data);
                written.computeIfAbsent(vm, k -> new LinkedHashMap<>()).computeIfAbsent(d, k -> new LinkedHashMap<>()).put(off, data);
            }
        }
    }

    /** Reads back everything written to the VM through the host it is on (open there). */
    void verifyData(String vm) throws Exception {
        HostClient hc = host(vm(vm).path("host").asText());
        for (var d : written.getOrDefault(vm, Map.of()).entrySet()) {
            for (var e : d.getValue().entrySet()) {
                assertThat(hc.read(vm, d.getKey(), e.getKey(), e.getValue().length))
                        .as("%s/%s at %d", vm, d.getKey(), e.getKey()).isEqualTo(e.getValue());
            }
        }
    }

    /** Opens the VM through the bridge, checks its data, closes it again. */
    void checkData(String vm) throws Exception {
        powerOn(vm);
        verifyData(vm);
        powerOff(vm);
    }

    Path flat(String vm, String disk) {
        return ds1.resolve(vm).resolve(disk + "-flat.vmdk");
    }

    /** Whether the flat file holds the written data in the clear (at the written offsets). */
    boolean plaintextOnDisk(String vm, String disk) throws Exception {
        byte[] f = Files.readAllBytes(flat(vm, disk));
        for (var e : written.get(vm).get(disk).entrySet()) {
            int off = (int) (long) e.getKey();
            if (!Arrays.equals(Arrays.copyOfRange(f, off, off + e.getValue().length), e.getValue())) {
                return false;
            }
        }
        return true;
    }

    JsonNode kmsKey(String id) throws Exception {
        return kms.client("admin").getKey(id);
    }

    List<String> grantees(String kek) throws Exception {
        List<String> out = new ArrayList<>();
        kms.client("admin").grants(kek).path("items").forEach(g -> out.add(g.path("identity").asText()));
        return out;
    }

    static BridgeClient.ApiException refused(ThrowingCall call) {
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

    /** The bridge's view, the datastore files and the KMS's keys, to show that a refusal changed nothing. */
    String world() throws Exception {
        StringBuilder sb = new StringBuilder();
        sb.append(admin.get("/vms")).append(admin.get("/hosts")).append(admin.get("/key-providers"));
        sb.append(kms.client("admin").listKeys(Map.of("limit", "1000")));
        try (Stream<Path> files = Files.walk(ds1)) {
            for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                sb.append(f).append('=').append(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(f))));
            }
        }
        return sb.toString();
    }

    // ------------------------------------------------------------------ the tasks

    @Test
    @Order(1)
    void createEncryptedVm_kekFromKmsByKmip_grantedToTheClusterHosts_hostEncryptsTheFiles() throws Exception {
        JsonNode t = ok(admin, "POST", "/vms", vmSpec("vm1", "1", "vm-encryption", "d0", "d1"));
        assertThat(t.path("kind").asText()).isEqualTo("create-vm");
        assertThat(BridgeLab.log(t)).anyMatch(l -> l.contains("KMIP Create")).anyMatch(l -> l.contains("granted"));
        JsonNode vm = vm("vm1");
        String kek = vm.path("home").path("kekId").asText();
        assertThat(vm.path("home").path("encrypted").asBoolean()).isTrue();
        assertThat(vm.path("home").path("provider").asText()).isEqualTo(BridgeLab.PROVIDER);
        vm.path("disks").forEach(d -> assertThat(d.path("kekId").asText()).isEqualTo(kek));
        // the KMS made the key as vCenter asks for it, and only the cluster's hosts may use it
        JsonNode key = kmsKey(kek);
        assertThat(key.path("state").asText()).isEqualTo("Active");
        assertThat(key.path("owner").asText()).isEqualTo("vcenter");
        assertThat(key.path("attributes").path("x-Vendor").asText()).isEqualTo("VMware, Inc.");
        assertThat(key.path("attributes").path("x-Product").asText()).isEqualTo("VMware vSphere");
        assertThat(key.path("attributes").has("x-Product_Version")).isTrue();
        assertThat(key.path("attributes").path("x-Identifier").asText()).startsWith("kekvault-bridge/" + t.path("id").asText() + "/");
        assertThat(key.path("attributes").path("x-Name").asText()).isEqualTo("vm:vm1");
        assertThat(grantees(kek)).contains("esxi-1", "esxi-2").doesNotContain("esxi-3", "esxi-9");
        // the host wrote wrapped DEKs only
        assertThat(Files.readString(ds1.resolve("vm1/vm1.vmx"))).contains("encryption.keySafe").contains(kek);
        assertThat(Files.readString(ds1.resolve("vm1/d0.vmdk"))).contains("ddb.keySafe").contains(kek);

        powerOn("vm1");
        writeData("vm1", "d0", "d1");
        verifyData("vm1");
        powerOff("vm1");
        assertThat(plaintextOnDisk("vm1", "d0")).isFalse();
        assertThat(plaintextOnDisk("vm1", "d1")).isFalse();
        checkData("vm1");
    }

    @Test
    @Order(2)
    void encryptExistingVm_withItsOwnNewKek() throws Exception {
        ok(admin, "POST", "/vms", vmSpec("vm2", "2", null, "d0"));
        assertThat(vm("vm2").path("encrypted").asBoolean()).isFalse();
        powerOn("vm2");
        writeData("vm2", "d0");
        powerOff("vm2");
        assertThat(plaintextOnDisk("vm2", "d0")).isTrue();

        JsonNode t = ok(admin, "POST", "/vms/vm2/encrypt", JSON.createObjectNode());
        assertThat(t.path("kind").asText()).isEqualTo("encrypt-vm");
        String kek = kek("vm2");
        assertThat(kek).isNotNull().isNotEqualTo(kek("vm1"));
        assertThat(vm("vm2").path("disks").get(0).path("kekId").asText()).isEqualTo(kek);
        assertThat(plaintextOnDisk("vm2", "d0")).isFalse();
        assertThat(grantees(kek)).contains("esxi-1", "esxi-2");
        checkData("vm2");
    }

    @Test
    @Order(3)
    void shallowRekey_newKekByKmipReKey_dataUntouched_oldKekRevoked() throws Exception {
        String old = kek("vm1");
        byte[] d0 = Files.readAllBytes(flat("vm1", "d0"));
        byte[] d1 = Files.readAllBytes(flat("vm1", "d1"));
        JsonNode t = ok(admin, "POST", "/vms/vm1/rekey", JSON.createObjectNode().put("deep", false));
        assertThat(t.path("kind").asText()).isEqualTo("rekey-shallow");
        String fresh = kek("vm1");
        assertThat(fresh).isNotEqualTo(old);
        vm("vm1").path("disks").forEach(d -> assertThat(d.path("kekId").asText()).isEqualTo(fresh));
        assertThat(Files.readAllBytes(flat("vm1", "d0"))).as("shallow rekey leaves the data as it was").isEqualTo(d0);
        assertThat(Files.readAllBytes(flat("vm1", "d1"))).isEqualTo(d1);
        assertThat(kmsKey(old).path("state").asText()).isEqualTo("Deactivated");
        assertThat(kmsKey(fresh).path("state").asText()).isEqualTo("Active");
        assertThat(kmsKey(fresh).path("links").toString()).contains(old);
        assertThat(grantees(fresh)).contains("esxi-1", "esxi-2");
        checkData("vm1");
    }

    @Test
    @Order(4)
    void deepRekey_newKekAndNewDeks_dataReencrypted() throws Exception {
        String old = kek("vm1");
        byte[] d0 = Files.readAllBytes(flat("vm1", "d0"));
        JsonNode t = ok(admin, "POST", "/vms/vm1/rekey", JSON.createObjectNode().put("deep", true));
        assertThat(t.path("kind").asText()).isEqualTo("rekey-deep");
        String fresh = kek("vm1");
        assertThat(fresh).isNotEqualTo(old);
        assertThat(Files.readAllBytes(flat("vm1", "d0"))).as("deep rekey re-encrypts the data").isNotEqualTo(d0);
        assertThat(plaintextOnDisk("vm1", "d0")).isFalse();
        assertThat(kmsKey(old).path("state").asText()).isEqualTo("Deactivated");
        checkData("vm1");
    }

    @Test
    @Order(5)
    void moveVm_poweredOn_toAnotherHostOfTheCluster_notOutsideIt() throws Exception {
        powerOn("vm1");
        JsonNode t = ok(admin, "POST", "/vms/vm1/move", JSON.createObjectNode().put("host", "2"));
        assertThat(t.path("kind").asText()).isEqualTo("move-vm");
        assertThat(vm("vm1").path("host").asText()).isEqualTo("2");
        assertThat(host("2").vm("vm1").orElseThrow().openOn()).isEqualTo("2");
        verifyData("vm1");
        String before = world();
        BridgeClient.ApiException e = refused(() -> admin.post("/vms/vm1/move", JSON.createObjectNode().put("host", "9")));
        assertThat(e.status()).isEqualTo(400);
        assertThat(e.problem().path("detail").asText()).contains("outside cluster 'c1'");
        assertThat(world()).isEqualTo(before);
        powerOff("vm1");
    }

    @Test
    @Order(6)
    void storagePolicies_driveEncryption_andTheOrderRuleHoldsForThemToo() throws Exception {
        ok(admin, "POST", "/vms", vmSpec("vm3", "1", "datastore-default", "d0", "d1"));
        powerOn("vm3");
        writeData("vm3", "d0", "d1");
        powerOff("vm3");
        JsonNode enc = ok(admin, "PUT", "/vms/vm3/policy", JSON.readTree("{\"home\":\"vm-encryption\",\"disks\":{\"d0\":\"vm-encryption\"}}"));
        assertThat(enc.path("kind").asText()).isEqualTo("encrypt-vm");
        JsonNode vm = vm("vm3");
        assertThat(vm.path("home").path("encrypted").asBoolean()).isTrue();
        assertThat(vm.path("home").path("policy").asText()).isEqualTo("vm-encryption");
        assertThat(vm.path("disks").get(0).path("encrypted").asBoolean()).isTrue();
        assertThat(vm.path("disks").get(1).path("encrypted").asBoolean()).isFalse();
        assertThat(plaintextOnDisk("vm3", "d0")).isFalse();
        assertThat(plaintextOnDisk("vm3", "d1")).isTrue();
        checkData("vm3");

        String before = world();
        BridgeClient.ApiException home = refused(() -> admin.put("/vms/vm3/policy", JSON.createObjectNode().put("home", "datastore-default")));
        assertThat(home.status()).isEqualTo(409);
        assertThat(home.problem().path("detail").asText()).contains("d0").contains("decrypt the disks first");
        BridgeClient.ApiException bad = refused(() -> admin.put("/vms/vm3/policy", JSON.readTree("{\"disks\":{\"d1\":\"gold\"}}")));
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.problem().path("detail").asText()).contains("unknown storage policy 'gold'");
        assertThat(world()).isEqualTo(before);

        JsonNode dec = ok(admin, "PUT", "/vms/vm3/policy", JSON.readTree("{\"home\":\"datastore-default\",\"disks\":{\"d0\":\"datastore-default\"}}"));
        assertThat(dec.path("kind").asText()).isEqualTo("decrypt-vm");
        assertThat(dec.path("params").path("components").toString()).isEqualTo("[\"d0\",\"home\"]");
        assertThat(vm("vm3").path("encrypted").asBoolean()).isFalse();
        assertThat(plaintextOnDisk("vm3", "d0")).isTrue();
        checkData("vm3");
    }

    @Test
    @Order(7)
    void addHost_newHostOpensAnExistingEncryptedVm_removedHostCannotUnwrap() throws Exception {
        String kek = kek("vm2");
        JsonNode add = ok(admin, "POST", "/hosts", JSON.createObjectNode().put("url", hosts.url("3")).put("cluster", "c1"));
        assertThat(String.join("\n", BridgeLab.log(add))).contains("esxi-3");
        assertThat(grantees(kek)).contains("esxi-3");
        assertThat(grantees(kek("vm1"))).contains("esxi-3");

        ok(admin, "POST", "/vms/vm2/move", JSON.createObjectNode().put("host", "3"));
        powerOn("vm2");
        assertThat(host("3").vm("vm2").orElseThrow().openOn()).isEqualTo("3");
        verifyData("vm2");
        powerOff("vm2");
        ok(admin, "POST", "/vms/vm2/move", JSON.createObjectNode().put("host", "2"));

        JsonNode rm = ok(admin, "DELETE", "/hosts/3", null);
        assertThat(rm.path("kind").asText()).isEqualTo("remove-host");
        assertThat(grantees(kek)).doesNotContain("esxi-3");
        assertThat(grantees(kek("vm1"))).doesNotContain("esxi-3");
        assertThat(admin.get("/hosts").path("items").findValuesAsText("id")).doesNotContain("3");
        // the removed host still sees the datastore, but the KMS no longer unwraps for it
        HostException refusedOpen = org.junit.jupiter.api.Assertions.assertThrows(HostException.class, () -> host("3").open("vm2", false));
        assertThat(refusedOpen.status()).isBetween(400, 499);
        assertThat(host("3").vm("vm2").orElseThrow().open()).isFalse();
        checkData("vm2"); // still fine on its own host

        BridgeClient.ApiException busy = refused(() -> admin.delete("/hosts/2"));
        assertThat(busy.status()).isEqualTo(409);
        assertThat(busy.problem().path("detail").asText()).contains("vm1").contains("vm2");
    }

    @Test
    @Order(8)
    void noCryptoAdmin_powersEncryptedVmsOnAndOff_butIsRefusedEveryEncryptionTask_andSeesNoKeyIds() throws Exception {
        String kek = kek("vm2");
        JsonNode on = ok(operator, "POST", "/vms/vm2/power-on", null);
        assertThat(on.toString()).doesNotContain(kek);
        assertThat(operator.get("/vms/vm2").toString()).doesNotContain(kek).doesNotContain("kekId");
        ok(operator, "POST", "/vms/vm2/power-off", null);

        String before = world();
        List<ThrowingCall> calls = List.of(
                () -> operator.post("/vms/vm2/rekey", JSON.createObjectNode().put("deep", false)),
                () -> operator.post("/vms/vm2/rekey", JSON.createObjectNode().put("deep", true)),
                () -> operator.post("/vms/vm2/disks/d0/decrypt", null),
                () -> operator.post("/vms/vm2/decrypt", null),
                () -> operator.post("/vms/vm3/encrypt", null),
                () -> operator.put("/vms/vm3/policy", JSON.createObjectNode().put("home", "vm-encryption")),
                () -> operator.post("/vms", vmSpec("vm-no", "1", "vm-encryption", "d0")),
                () -> operator.post("/vms/vm2/move", JSON.createObjectNode().put("host", "1")),
                () -> operator.post("/hosts", JSON.createObjectNode().put("url", hosts.url("3")).put("cluster", "c1")),
                () -> operator.post("/key-providers/" + BridgeLab.PROVIDER + "/csr", null));
        for (ThrowingCall c : calls) {
            BridgeClient.ApiException e = refused(c);
            assertThat(e.status()).as(e.getMessage()).isEqualTo(403);
            assertThat(e.problem().path("detail").asText()).contains("Cryptographer.");
            if (e.taskId() != null) {
                JsonNode t = admin.get("/tasks/" + e.taskId());
                assertThat(t.path("state").asText()).isEqualTo("refused");
                assertThat(t.path("user").asText()).isEqualTo("olivia");
            }
        }
        assertThat(world()).isEqualTo(before);
    }

    @Test
    @Order(9)
    void badInput_getsClearErrors_andChangesNothing() throws Exception {
        String kekBefore = kek("vm2");
        String before = world();
        BridgeClient.ApiException unknown = refused(() -> admin.post("/vms/no-such-vm/rekey", JSON.createObjectNode()));
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.problem().path("detail").asText()).contains("'no-such-vm'");
        BridgeClient.ApiException outside = refused(() -> admin.post("/vms", vmSpec("vm-x", "9", null, "d0").put("cluster", "c1")));
        assertThat(outside.status()).isEqualTo(400);
        assertThat(outside.problem().path("detail").asText()).contains("outside cluster 'c1'");
        BridgeClient.ApiException policy = refused(() -> admin.post("/vms", vmSpec("vm-x", "1", "encrypted-please", "d0")));
        assertThat(policy.status()).isEqualTo(400);
        assertThat(policy.problem().path("detail").asText()).contains("unknown storage policy");
        BridgeClient.ApiException exists = refused(() -> admin.post("/vms", vmSpec("vm2", "1", null, "d0")));
        assertThat(exists.status()).isEqualTo(409);
        BridgeClient.ApiException hostUnknown = refused(() -> admin.post("/vms/vm2/move", JSON.createObjectNode().put("host", "77")));
        assertThat(hostUnknown.status()).isEqualTo(404);
        assertThat(world()).isEqualTo(before);

        // A second task on a VM with one running: the hosts are frozen (SIGSTOP) so the first cannot end.
        hosts.child().pause(true);
        JsonNode first;
        try {
            first = admin.post("/vms/vm2/power-on", null);
            BridgeClient.ApiException second = refused(() -> admin.post("/vms/vm2/rekey", JSON.createObjectNode()));
            assertThat(second.status()).isEqualTo(409);
            assertThat(second.problem().path("detail").asText()).contains(first.path("id").asText()).contains("already has a task running");
            assertThat(admin.get("/tasks/" + second.taskId()).path("state").asText()).isEqualTo("refused");
        } finally {
            hosts.child().pause(false);
        }
        JsonNode done = admin.waitTask(first.path("id").asText(), BridgeLab.TASK_TIMEOUT, null);
        assertThat(done.path("state").asText()).as(done.toPrettyString()).isEqualTo("succeeded");
        assertThat(kek("vm2")).as("the refused rekey changed nothing").isEqualTo(kekBefore);
        powerOff("vm2");
    }

    @Test
    @Order(10)
    void cli_runsTasksWithAProgressDisplay() throws Exception {
        String[] created = lab.bridgeCli("alice", 0, "vm", "create", "vm4", "--host", "1", "--disk", "d0:" + (4 * MIB),
                "--policy", "vm-encryption");
        JsonNode t = JSON.readTree(created[0]);
        assertThat(t.path("state").asText()).isEqualTo("succeeded");
        assertThat(created[1]).contains("create-vm [").contains("%").contains("succeeded");
        String[] deep = lab.bridgeCli("alice", 0, "vm", "rekey", "vm4", "--deep");
        assertThat(JSON.readTree(deep[0]).path("kind").asText()).isEqualTo("rekey-deep");
        assertThat(deep[1]).contains("rekey-deep [").contains("100%");
        lab.bridgeCli("alice", 0, "vm", "power-on", "vm4");
        lab.bridgeCli("alice", 0, "vm", "power-off", "vm4");
        String[] home = lab.bridgeCli("alice", 1, "vm", "decrypt-home", "vm4");
        assertThat(home[1]).contains("409").contains("decrypt the disks first").contains("recorded as task-");
        lab.bridgeCli("alice", 0, "vm", "decrypt-disk", "vm4", "d0");
        lab.bridgeCli("alice", 0, "vm", "decrypt-home", "vm4");
        lab.bridgeCli("alice", 0, "vm", "encrypt", "vm4");
        lab.bridgeCli("alice", 0, "vm", "policy", "vm4", "--home", "datastore-default", "--disk", "d0=datastore-default");
        assertThat(vm("vm4").path("encrypted").asBoolean()).isFalse();
        JsonNode tasks = JSON.readTree(lab.bridgeCli("alice", 0, "task", "list", "--vm", "vm4")[0]);
        assertThat(tasks.path("items").findValuesAsText("kind")).contains("create-vm", "rekey-deep", "decrypt-disk", "decrypt-home",
                "encrypt-vm", "decrypt-vm", "power-on", "power-off");
        JsonNode keys = JSON.readTree(lab.bridgeCli("alice", 0, "keys", "--state")[0]);
        assertThat(keys.path("items").findValuesAsText("state")).containsOnly("Active");
        lab.bridgeCli("olivia", 1, "keys");
    }

    @Test
    @Order(11)
    void decryptOrder_homeFirstRefused_thenDisksThenHome_andTheFilesArePlaintextWithoutTheKms() throws Exception {
        String kek = kek("vm1");
        String before = world();
        BridgeClient.ApiException first = refused(() -> admin.post("/vms/vm1/decrypt-home", null));
        assertThat(first.status()).isEqualTo(409);
        assertThat(first.problem().path("detail").asText()).contains("d0, d1").contains("decrypt the disks first, then the VM home");
        assertThat(admin.get("/tasks/" + first.taskId()).path("state").asText()).isEqualTo("refused");
        assertThat(world()).isEqualTo(before);

        ok(admin, "POST", "/vms/vm1/disks/d0/decrypt", null);
        assertThat(plaintextOnDisk("vm1", "d0")).isTrue();
        assertThat(plaintextOnDisk("vm1", "d1")).isFalse();
        assertThat(refused(() -> admin.post("/vms/vm1/decrypt-home", null)).problem().path("detail").asText()).contains("d1");
        checkData("vm1");
        ok(admin, "POST", "/vms/vm1/disks/d1/decrypt", null);
        JsonNode home = ok(admin, "POST", "/vms/vm1/decrypt-home", null);
        assertThat(home.path("kind").asText()).isEqualTo("decrypt-home");
        assertThat(vm("vm1").path("encrypted").asBoolean()).isFalse();
        assertThat(Files.readString(ds1.resolve("vm1/vm1.vmx"))).doesNotContain("keySafe");
        assertThat(plaintextOnDisk("vm1", "d0")).isTrue();
        assertThat(plaintextOnDisk("vm1", "d1")).isTrue();
        assertThat(kmsKey(kek).path("state").asText()).as("the unused KEK is revoked").isEqualTo("Deactivated");
        checkData("vm1");
    }

    static final Pattern KEY_SAFE = Pattern.compile("kekvault:keysafe/v1/\\(provider/([^,()]+),kek/([^,()]+),wrapped/([A-Za-z0-9+/=]+)\\)");

    @Test
    @Order(12)
    void noKeyMaterial_inTheBridgeDatabaseOrLogs() throws Exception {
        // Every DEK on the datastore, obtained as a granted host would (KMS unwrap with the AAD).
        KmsHttpClient asHost = kms.client("esxi-1");
        List<byte[]> secrets = new ArrayList<>();
        List<String> vmsSeen = new ArrayList<>();
        try (Stream<Path> files = Files.walk(ds1)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".vmx") || (p.toString().endsWith(".vmdk") && !p.toString().endsWith("-flat.vmdk"))).toList()) {
                String text = Files.readString(f, StandardCharsets.ISO_8859_1);
                Matcher m = KEY_SAFE.matcher(text);
                if (!m.find()) {
                    continue;
                }
                Path vmx = f.getParent().resolve(f.getParent().getFileName() + ".vmx");
                Matcher u = Pattern.compile("uuid\\.bios\\s*=\\s*\"([^\"]+)\"").matcher(Files.readString(vmx, StandardCharsets.ISO_8859_1));
                assertThat(u.find()).isTrue();
                String name = f.getFileName().toString();
                String component = name.endsWith(".vmx") ? "home" : name.substring(0, name.length() - ".vmdk".length());
                byte[] wrapped = Base64.getDecoder().decode(m.group(3));
                byte[] aad = ("kekvault/vm/" + u.group(1) + "/" + component).getBytes(StandardCharsets.UTF_8);
                try (SecretBytes dek = asHost.unwrap(List.of(new KmsHttpClient.WrappedItem(wrapped, aad))).getFirst()) {
                    secrets.add(dek.expose().clone());
                }
                secrets.add(wrapped);
                vmsSeen.add(f.getParent().getFileName() + "/" + component);
            }
        }
        assertThat(vmsSeen).as("encrypted components found").contains("vm2/home", "vm2/d0");
        Path db = lab.dataDir();
        assertThat(LeakScanner.count(db)).isPositive();
        List<Path> tlsKeys = List.of(db.resolve("providers"));
        assertThat(LeakScanner.scan(db, tlsKeys, secrets)).as("bridge database").isEmpty();
        assertThat(LeakScanner.scan(lab.log().getParent(), List.of(ds1, root.resolve("ds2"), root.resolve("kms"), db),
                secrets)).as("bridge and host logs").isEmpty();
        // the database does hold the KEK identifiers, so the scan did read it
        byte[] dbBytes = Files.readAllBytes(db.resolve("bridge.db"));
        byte[] wal = Files.exists(db.resolve("bridge.db-wal")) ? Files.readAllBytes(db.resolve("bridge.db-wal")) : new byte[0];
        String kek = kek("vm2");
        assertThat(new String(dbBytes, StandardCharsets.ISO_8859_1) + new String(wal, StandardCharsets.ISO_8859_1)).contains(kek);
        assertThat(Files.readString(lab.log())).contains("event=task_log").doesNotContain("BEGIN PRIVATE KEY");
    }

    @Test
    @Order(13)
    void plaintextVm_opensWithTheKmsStopped() throws Exception {
        kms.close();
        powerOn("vm1");
        verifyData("vm1");
        for (String d : List.of("d0", "d1")) {
            assertThat(plaintextOnDisk("vm1", d)).isTrue();
        }
        powerOff("vm1");
        // an encrypted VM cannot: its DEKs are only usable through the KMS
        JsonNode t = BridgeLab.task(admin, "POST", "/vms/vm2/power-on", null);
        assertThat(t.path("state").asText()).isEqualTo("failed");
        assertThat(vm("vm2").path("power").asText()).isEqualTo("off");
    }
}
