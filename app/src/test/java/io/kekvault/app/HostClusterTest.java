package io.kekvault.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.kekvault.esxi.vm.DiskDescriptor;
import io.kekvault.esxi.vm.KeySafe;
import io.kekvault.esxi.vm.VmAad;
import io.kekvault.esxi.vm.VmFolder;
import io.kekvault.esxi.vm.VmxFile;
import io.kekvault.kmip.http.KmsHttpClient;
import io.kekvault.kms.testkit.LeakScanner;
import io.kekvault.pki.PkiDirectory;
import io.kekvault.pki.tls.TlsContext;
import io.kekvault.pki.tls.TlsMaterial;
import io.kekvault.secret.SecretBytes;
import java.io.ByteArrayOutputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import java.util.zip.Deflater;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Simulated hosts against a real KMS process (SoftHSM2 token), files on disk: one host process
 * runs esxi-1 and esxi-2 (cluster-1, datastore ds1) and esxi-4 (cluster-2, datastore ds2, no
 * grants). The provider lists a dead endpoint first, so every host fails over on its first call.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HostClusterTest {
    private static final int UNIT = 4096;

    private Path tmp;

    private HostLab.Kms kms;
    private HostLab.HostProcess hosts;
    private HostLab.Bridge bridge;
    private Path ds1;
    private Path ds2;
    private String kek1;
    private String kek2;
    private URI h1;
    private URI h2;
    private URI h4;
    private long seed;

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        tmp = dir;
        seed = System.nanoTime();
        System.out.println("HostClusterTest seed=" + seed);
        kms = HostLab.startKms(tmp.resolve("kms"));
        kms.issueHost("esxi-4");
        kek1 = kms.kek("cluster-1-kek", "esxi-1", "esxi-2");
        kek2 = kms.kek("cluster-1-kek-2", "esxi-1", "esxi-2");
        ds1 = tmp.resolve("ds1");
        ds2 = tmp.resolve("ds2");
        int dead;
        try (ServerSocket s = new ServerSocket(0)) {
            dead = s.getLocalPort();
        }
        Path config = HostLab.writeConfig(tmp.resolve("hosts"), kms.pki(),
                List.of("https://127.0.0.1:" + dead, kms.uri().toString()),
                Map.of("cluster-1", ds1, "cluster-2", ds2),
                List.of(new HostLab.HostSpec("1", "cluster-1"), new HostLab.HostSpec("2", "cluster-1"),
                        new HostLab.HostSpec("4", "cluster-2")));
        hosts = HostLab.startHosts(Main.class, List.of(), tmp.resolve("hosts.log"), "host", "--config", config.toString());
        h1 = hosts.url("1");
        h2 = hosts.url("2");
        h4 = hosts.url("4");
        bridge = new HostLab.Bridge(kms.pki(), "vcenter");
    }

    @AfterAll
    void stop() throws Exception {
        if (hosts != null) {
            hosts.close();
        }
        if (kms != null) {
            kms.close();
        }
    }

    private byte[] random(int n, long salt) {
        byte[] b = new byte[n];
        new Random(seed ^ salt).nextBytes(b);
        return b;
    }

    @Test
    void encryptedVm_opensOnAnotherHostOfTheCluster_outsiderIsRefusedByTheKms() throws Exception {
        JsonNode created = bridge.createVm(h1, "vm-a", linked("disk0", 4L << 20, "disk1", 1L << 20), kek1, "finance db");
        assertThat(created.at("/home/encrypted").asBoolean()).isTrue();
        assertThat(created.at("/disks/0/kekId").asText()).isEqualTo(kek1);
        byte[] d0 = random(4 << 20, 1);
        byte[] d1 = random(100_000, 2);
        bridge.ok(h1, "POST", "/vms/vm-a/open", null);
        bridge.write(h1, "vm-a", "disk0", 0, d0);
        bridge.write(h1, "vm-a", "disk1", 12_345, d1); // unaligned: read-modify-write of partial units
        assertThat(bridge.ok(h1, "GET", "/host", null).get("openVms").toString()).contains("vm-a");
        // open on host 2 is refused while host 1 has it
        assertThat(bridge.call(h2, "POST", "/vms/vm-a/open", null).status()).isEqualTo(409);
        bridge.ok(h1, "POST", "/vms/vm-a/close", null);

        JsonNode opened = bridge.ok(h2, "POST", "/vms/vm-a/open", null);
        assertThat(opened.get("openOn").asText()).isEqualTo("2");
        assertThat(bridge.read(h2, "vm-a", "disk0", 0, d0.length)).isEqualTo(d0);
        assertThat(bridge.read(h2, "vm-a", "disk1", 12_345, d1.length)).isEqualTo(d1);
        assertThat(bridge.read(h2, "vm-a", "disk1", 0, 12_345)).containsOnly(0);
        bridge.ok(h2, "POST", "/vms/vm-a/close", null);

        // Someone copies the VM to a datastore of another cluster: its host has no grant.
        copyTree(ds1.resolve("vm-a"), ds2.resolve("vm-a"));
        HostLab.Bridge.Reply refused = bridge.call(h4, "POST", "/vms/vm-a/open", null);
        assertThat(refused.status()).as("%s", refused.json()).isEqualTo(403);
        assertThat(refused.json().get("code").asText()).isEqualTo("permission_denied");
        assertThat(refused.json().get("detail").asText()).contains("esxi-4").contains(kek1).contains("not granted");
        assertThat(bridge.ok(h4, "GET", "/vms/vm-a", null).get("open").asBoolean()).isFalse();
        // a refusal is not retried: exactly one unwrap attempt by esxi-4 reached the KMS
        JsonNode audit = kms.client("admin").audit(Map.of("identity", "esxi-4", "operation", "Unwrap"));
        assertThat(audit.get("items")).hasSize(1);
        assertThat(audit.at("/items/0/result").asText()).isNotEqualTo("success");
        // every host failed over from the dead endpoint to the live one
        assertThat(Files.readString(hosts.log())).contains("event=kms_failover host=1").contains("event=kms_failover host=2");
    }

    @Test
    void flatFileLooksRandom_andNoFileOrLogHoldsADek() throws Exception {
        bridge.createVm(h1, "vm-leak", linked("disk0", 2L << 20), kek1, "leak test");
        bridge.ok(h1, "POST", "/vms/vm-leak/open", null);
        byte[] plain = new byte[2 << 20];
        for (int u = 0; u < plain.length / UNIT; u++) {
            if (u % 3 != 2) { // every third unit stays zero
                byte[] text = ("kekvault plaintext unit " + u + " ").getBytes(StandardCharsets.US_ASCII);
                for (int i = 0; i < UNIT; i++) {
                    plain[u * UNIT + i] = text[i % text.length];
                }
            }
        }
        bridge.write(h1, "vm-leak", "disk0", 0, plain);
        bridge.ok(h1, "POST", "/vms/vm-leak/close", null);

        byte[] flat = Files.readAllBytes(ds1.resolve("vm-leak/disk0-flat.vmdk"));
        assertThat(flat).hasSameSizeAs(plain);
        Set<String> plainUnits = new HashSet<>();
        for (int u = 0; u < plain.length / UNIT; u++) {
            plainUnits.add(sha(Arrays.copyOfRange(plain, u * UNIT, (u + 1) * UNIT)));
        }
        for (int u = 0; u < flat.length / UNIT; u++) {
            assertThat(plainUnits).as("data unit %d of the flat file is plaintext", u)
                    .doesNotContain(sha(Arrays.copyOfRange(flat, u * UNIT, (u + 1) * UNIT)));
        }
        assertThat(compressedRatio(flat)).as("deflate ratio of the flat file").isGreaterThan(0.99);
        assertThat(chiSquare(flat)).as("byte histogram chi-square (255 dof)").isLessThan(400);

        // The DEKs of every VM in both datastores, obtained the way a granted host would (KMS unwrap).
        List<byte[]> deks = new ArrayList<>();
        try (SecretBytes ignored = null) {
            for (Path ds : List.of(ds1, ds2)) {
                deks.addAll(deksOf(ds));
            }
        }
        assertThat(deks).isNotEmpty();
        List<byte[]> secrets = new ArrayList<>();
        for (byte[] k : deks) {
            secrets.add(k);
            secrets.add(Arrays.copyOfRange(k, 0, 32));
            secrets.add(Arrays.copyOfRange(k, 32, 64));
        }
        List<String> hits = new ArrayList<>();
        hits.addAll(LeakScanner.scan(ds1, List.of(), secrets));
        hits.addAll(LeakScanner.scan(ds2, List.of(), secrets));
        hits.addAll(LeakScanner.scan(tmp.resolve("hosts"), List.of(), secrets));
        hits.addAll(scanFile(hosts.log(), secrets));
        assertThat(LeakScanner.count(ds1)).isGreaterThan(2);
        assertThat(hits).isEmpty();
        assertThat(Files.readString(ds1.resolve("vm-leak/vm-leak.vmx"))).doesNotContain("leak test");
    }

    @Test
    void keySafeCopiedIntoAnotherVm_failsToUnwrap() throws Exception {
        bridge.createVm(h1, "vm-x", linked("disk0", 64L << 10), kek1, null);
        bridge.createVm(h1, "vm-y", linked("disk0", 64L << 10), kek1, null);
        Path xVmx = ds1.resolve("vm-x/vm-x.vmx");
        Path yVmx = ds1.resolve("vm-y/vm-y.vmx");
        String yOriginal = Files.readString(yVmx);
        VmxFile y = VmxFile.read(yVmx);
        y.set(VmFolder.KEY_SAFE, VmxFile.read(xVmx).get(VmFolder.KEY_SAFE));
        Files.writeString(yVmx, y.format());
        HostLab.Bridge.Reply r = bridge.call(h1, "POST", "/vms/vm-y/open", null);
        assertThat(r.status()).as("%s", r.json()).isEqualTo(422);
        assertThat(r.json().get("code").asText()).isEqualTo("cryptographic_failure");
        assertThat(VmxFile.read(yVmx).get(VmFolder.OPEN_ON)).as("a refused open releases the VM").isNull();

        // the same for a disk's keySafe
        Files.writeString(yVmx, yOriginal);
        Path xDesc = ds1.resolve("vm-x/disk0.vmdk");
        Path yDesc = ds1.resolve("vm-y/disk0.vmdk");
        DiskDescriptor yd = DiskDescriptor.read(yDesc);
        DiskDescriptor xd = DiskDescriptor.read(xDesc);
        yd.setEncrypted(xd.keySafe(), xd.checkValue());
        Files.writeString(yDesc, yd.format());
        r = bridge.call(h1, "POST", "/vms/vm-y/open", null);
        assertThat(r.status()).as("%s", r.json()).isEqualTo(422);
        assertThat(r.json().get("code").asText()).isEqualTo("cryptographic_failure");
        // the untouched VM still opens
        bridge.ok(h1, "POST", "/vms/vm-x/open", null);
        bridge.ok(h1, "POST", "/vms/vm-x/close", null);
    }

    @Test
    void shallowRekeyKeepsTheDataFile_deepRekeyRewritesEveryDataUnit() throws Exception {
        bridge.createVm(h1, "vm-r", linked("disk0", 1L << 20, "disk1", 512L << 10), kek1, null);
        byte[] d0 = random(1 << 20, 3);
        byte[] d1 = random(512 << 10, 4);
        bridge.ok(h1, "POST", "/vms/vm-r/open", null);
        bridge.write(h1, "vm-r", "disk0", 0, d0);
        bridge.write(h1, "vm-r", "disk1", 0, d1);
        bridge.ok(h1, "POST", "/vms/vm-r/close", null);
        Path vmx = ds1.resolve("vm-r/vm-r.vmx");
        Path flat0 = ds1.resolve("vm-r/disk0-flat.vmdk");
        Path flat1 = ds1.resolve("vm-r/disk1-flat.vmdk");
        byte[] flat0Before = Files.readAllBytes(flat0);
        byte[] flat1Before = Files.readAllBytes(flat1);
        String homeSafe = VmxFile.read(vmx).get(VmFolder.KEY_SAFE);
        DiskDescriptor desc0 = DiskDescriptor.read(ds1.resolve("vm-r/disk0.vmdk"));

        JsonNode job = bridge.succeeded(h1, "/vms/vm-r/rekey", HostLab.rekeyBody(kek2, false, null));
        assertThat(job.get("progress").asDouble()).isEqualTo(1.0);
        assertThat(Files.readAllBytes(flat0)).isEqualTo(flat0Before);
        assertThat(Files.readAllBytes(flat1)).isEqualTo(flat1Before);
        DiskDescriptor desc0Shallow = DiskDescriptor.read(ds1.resolve("vm-r/disk0.vmdk"));
        assertThat(desc0Shallow.keySafe().kekId()).isEqualTo(kek2);
        assertThat(desc0Shallow.keySafe().wrapped()).isNotEqualTo(desc0.keySafe().wrapped());
        assertThat(desc0Shallow.checkValue()).isEqualTo(desc0.checkValue());
        assertThat(VmxFile.read(vmx).get(VmFolder.KEY_SAFE)).isNotEqualTo(homeSafe).contains(kek2);
        JsonNode state = bridge.ok(h1, "GET", "/vms/vm-r", null);
        assertThat(state.at("/home/kekId").asText()).isEqualTo(kek2);
        assertThat(state.at("/disks/1/kekId").asText()).isEqualTo(kek2);
        bridge.ok(h2, "POST", "/vms/vm-r/open", null);
        assertThat(bridge.read(h2, "vm-r", "disk0", 0, d0.length)).isEqualTo(d0);
        assertThat(bridge.read(h2, "vm-r", "disk1", 0, d1.length)).isEqualTo(d1);

        // deep rekey while the VM is open on host 2: it stays open with the new keys
        bridge.succeeded(h2, "/vms/vm-r/rekey", HostLab.rekeyBody(kek1, true, null));
        byte[] flat0After = Files.readAllBytes(flat0);
        for (int u = 0; u < flat0After.length / UNIT; u++) {
            assertThat(Arrays.equals(flat0After, u * UNIT, (u + 1) * UNIT, flat0Before, u * UNIT, (u + 1) * UNIT))
                    .as("data unit %d unchanged by deep rekey", u).isFalse();
        }
        DiskDescriptor desc0Deep = DiskDescriptor.read(ds1.resolve("vm-r/disk0.vmdk"));
        assertThat(desc0Deep.checkValue()).isNotEqualTo(desc0.checkValue());
        assertThat(desc0Deep.keySafe().kekId()).isEqualTo(kek1);
        assertThat(bridge.ok(h2, "GET", "/vms/vm-r", null).get("openOn").asText()).isEqualTo("2");
        assertThat(bridge.read(h2, "vm-r", "disk0", 0, d0.length)).isEqualTo(d0);
        assertThat(bridge.read(h2, "vm-r", "disk1", 0, d1.length)).isEqualTo(d1);
        bridge.ok(h2, "POST", "/vms/vm-r/close", null);
    }

    @Test
    void decryptDisksThenHome_restoresPlaintextFiles_encryptExistingVmAgain() throws Exception {
        bridge.createVm(h1, "vm-d", linked("disk0", 256L << 10), kek1, "top secret");
        byte[] d0 = random(256 << 10, 5);
        bridge.ok(h1, "POST", "/vms/vm-d/open", null);
        bridge.write(h1, "vm-d", "disk0", 0, d0);
        Path vmx = ds1.resolve("vm-d/vm-d.vmx");
        assertThat(Files.readString(vmx)).doesNotContain("top secret").contains("encryption.data");

        HostLab.Bridge.Reply early = bridge.call(h1, "POST", "/vms/vm-d/decrypt-home", null);
        assertThat(early.status()).isEqualTo(409);
        assertThat(early.json().get("code").asText()).isEqualTo("wrong_key_lifecycle_state");

        bridge.succeeded(h1, "/vms/vm-d/disks/disk0/decrypt", null);
        assertThat(Files.readAllBytes(ds1.resolve("vm-d/disk0-flat.vmdk"))).isEqualTo(d0);
        bridge.succeeded(h1, "/vms/vm-d/decrypt-home", null);
        VmxFile plainVmx = VmxFile.read(vmx);
        assertThat(plainVmx.get("annotation")).isEqualTo("top secret");
        assertThat(plainVmx.get(VmFolder.KEY_SAFE)).isNull();
        assertThat(plainVmx.get(VmFolder.DATA)).isNull();
        assertThat(bridge.read(h1, "vm-d", "disk0", 0, d0.length)).isEqualTo(d0);

        // a disk alone cannot be encrypted while the home is plain
        assertThat(bridge.call(h1, "POST", "/vms/vm-d/encrypt", HostLab.encryptBody(kek2, List.of("disk0"))).status())
                .isEqualTo(409);
        bridge.succeeded(h1, "/vms/vm-d/encrypt", HostLab.encryptBody(kek2, null));
        JsonNode state = bridge.ok(h1, "GET", "/vms/vm-d", null);
        assertThat(state.at("/home/encrypted").asBoolean()).isTrue();
        assertThat(state.at("/disks/0/kekId").asText()).isEqualTo(kek2);
        assertThat(Files.readString(vmx)).doesNotContain("top secret");
        assertThat(bridge.read(h1, "vm-d", "disk0", 0, d0.length)).isEqualTo(d0);
        bridge.ok(h1, "POST", "/vms/vm-d/close", null);
    }

    @Test
    void commandEndpoint_refusesEveryIdentityButTheBridge() throws Exception {
        for (String who : List.of("esxi-2", "admin", "auditor")) {
            HostLab.Bridge.Reply r = new HostLab.Bridge(kms.pki(), who).call(h1, "GET", "/vms", null);
            assertThat(r.status()).as(who).isEqualTo(403);
            assertThat(r.json().get("code").asText()).isEqualTo("permission_denied");
        }
        TlsContext anonymous = TlsContext.client(TlsMaterial.trustOnly(PkiDirectory.of(kms.pki()).caCertificate()));
        HttpClient noCert = HttpClient.newBuilder().sslContext(anonymous.sslContext()).sslParameters(anonymous.sslParameters()).build();
        HostLab.Bridge.Reply r = new HostLab.Bridge(noCert).call(h1, "POST", "/vms", HostLab.JSON.createObjectNode().put("name", "nope"));
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.json().get("code").asText()).isEqualTo("authentication_not_successful");
        assertThat(Files.exists(ds1.resolve("nope"))).isFalse();
        JsonNode host = bridge.ok(h1, "GET", "/host", null);
        assertThat(host.get("hostId").asText()).isEqualTo("1");
        assertThat(host.get("cluster").asText()).isEqualTo("cluster-1");
    }

    // ------------------------------------------------------------------ helpers

    /** Every DEK of every encrypted component in {@code ds}, unwrapped by the KMS as a granted host. */
    private List<byte[]> deksOf(Path ds) throws Exception {
        KmsHttpClient kmsAsHost = kms.client("esxi-1");
        List<byte[]> out = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(ds)) {
            for (Path dir : dirs.filter(Files::isDirectory).toList()) {
                String vm = dir.getFileName().toString();
                VmxFile vmx = VmxFile.read(dir.resolve(vm + ".vmx"));
                String uuid = vmx.get(VmFolder.UUID_KEY);
                Map<String, KeySafe> safes = new LinkedHashMap<>();
                if (vmx.get(VmFolder.KEY_SAFE) != null) {
                    safes.put(VmAad.HOME, KeySafe.parse(vmx.get(VmFolder.KEY_SAFE)));
                }
                for (String disk : VmFolder.disks(vmx)) {
                    DiskDescriptor d = DiskDescriptor.read(dir.resolve(disk + ".vmdk"));
                    if (d.encrypted()) {
                        safes.put(disk, d.keySafe());
                    }
                }
                for (Map.Entry<String, KeySafe> e : safes.entrySet()) {
                    if (!e.getValue().kekId().equals(kek1) && !e.getValue().kekId().equals(kek2)) {
                        continue;
                    }
                    try {
                        List<SecretBytes> k = kmsAsHost.unwrap(List.of(new KmsHttpClient.WrappedItem(
                                e.getValue().wrapped(), VmAad.of(uuid, e.getKey()))));
                        out.add(k.getFirst().expose().clone());
                        k.getFirst().close();
                    } catch (io.kekvault.kmip.error.KmsException tampered) {
                        // a keySafe another test moved on purpose: it protects nothing here
                    }
                }
            }
        }
        return out;
    }

    private static List<String> scanFile(Path file, List<byte[]> secrets) throws Exception {
        Path dir = Files.createTempDirectory("scan");
        Files.copy(file, dir.resolve(file.getFileName()));
        return LeakScanner.scan(dir, List.of(), secrets);
    }

    private static Map<String, Long> linked(Object... kv) {
        Map<String, Long> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], (Long) kv[i + 1]);
        }
        return m;
    }

    private static void copyTree(Path from, Path to) throws Exception {
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path p : walk.toList()) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(p, t);
                }
            }
        }
    }

    private static String sha(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    private static double compressedRatio(byte[] data) {
        Deflater d = new Deflater(Deflater.BEST_COMPRESSION);
        d.setInput(data);
        d.finish();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[1 << 16];
        while (!d.finished()) {
            out.write(buf, 0, d.deflate(buf));
        }
        d.end();
        return out.size() / (double) data.length;
    }

    private static double chiSquare(byte[] data) {
        long[] counts = new long[256];
        for (byte b : data) {
            counts[b & 0xff]++;
        }
        double expected = data.length / 256.0;
        double chi = 0;
        for (long c : counts) {
            chi += (c - expected) * (c - expected) / expected;
        }
        return chi;
    }
}
