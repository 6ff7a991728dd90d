package io.kekvault.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of the host process during encrypt, decrypt and deep rekey of a 256 MiB disk (plus a
 * 1 MiB one), at 24 points: each durable step of a job and two seeded random points of the data
 * copy per operation. After each kill a fresh host process (same host id) recovers, and the VM
 * must read back exactly the data written, with each disk in the old form when the kill came
 * before the rename of its new data file and in the new form after, no leftover files, and the
 * descriptors consistent. Other kinds of job are run uninterrupted to bring the disk into the
 * form the next kill point needs.
 */
class HostCrashTest {
    private static final long BIG = 256L << 20;
    private static final long SMALL = 1L << 20;
    private static final int CHUNK = 16 << 20;
    private static final String VM = "vm-k";

    record KillPoint(String kind, String step) {
        /** Whether the disk is in its new form once the host died here. */
        boolean expectNew() {
            return step.equals("RENAMED") || step.equals("DESCRIPTOR_UPDATED");
        }
    }

    @Test
    void kill9DuringEncryptDecryptAndDeepRekey_everyDiskReadsBackExactly(@TempDir Path tmp) throws Exception {
        long seed = Long.getLong("kekvault.test.seed", System.nanoTime());
        System.out.println("HostCrashTest seed=" + seed);
        Random rnd = new Random(seed);
        List<KillPoint> points = new ArrayList<>();
        for (String kind : List.of("encrypt", "deep-rekey", "decrypt")) {
            double p1 = 0.02 + rnd.nextDouble() * 0.4;
            double p2 = 0.45 + rnd.nextDouble() * 0.5;
            for (String step : List.of("KEYS_WRAPPED", "PENDING_WRITTEN", "JOURNAL_WRITTEN",
                    String.format(Locale.ROOT, "progress:%.3f", p1), String.format(Locale.ROOT, "progress:%.3f", p2),
                    "DATA_SYNCED", "RENAMED", "DESCRIPTOR_UPDATED")) {
                if (!(kind.equals("decrypt") && step.equals("KEYS_WRAPPED"))) {
                    points.add(new KillPoint(kind, step));
                }
            }
        }
        points.add(new KillPoint("decrypt", "TEMP_CREATED"));
        System.out.println("HostCrashTest kill points (" + points.size() + "): " + points);
        assertThat(points).hasSizeGreaterThanOrEqualTo(20);

        try (HostLab.Kms kms = HostLab.startKms(tmp.resolve("kms"))) {
            String kek1 = kms.kek("crash-kek-1", "esxi-1");
            String kek2 = kms.kek("crash-kek-2", "esxi-1");
            Path ds = tmp.resolve("ds");
            Path config = HostLab.writeConfig(tmp.resolve("hosts"), kms.pki(), List.of(kms.uri().toString()),
                    Map.of("c1", ds), List.of(new HostLab.HostSpec("1", "c1")));
            HostLab.Bridge bridge = new HostLab.Bridge(kms.pki(), "vcenter");
            Path log = tmp.resolve("hosts.log");

            // a plaintext VM with known data
            try (HostLab.HostProcess p = start(config, log, null)) {
                URI h = p.url("1");
                Map<String, Long> disks = new LinkedHashMap<>();
                disks.put("disk0", BIG);
                disks.put("disk1", SMALL);
                bridge.createVm(h, VM, disks, null, null);
                bridge.ok(h, "POST", "/vms/" + VM + "/open", null);
                for (long off = 0; off < BIG; off += CHUNK) {
                    bridge.write(h, VM, "disk0", off, expected(seed, "disk0", off, CHUNK));
                }
                bridge.write(h, VM, "disk1", 0, expected(seed, "disk1", 0, (int) SMALL));
                bridge.ok(h, "POST", "/vms/" + VM + "/close", null);
            }

            // the form of each disk (true = encrypted); a kill only ever touches disk0, the first one
            Map<String, Boolean> form = new LinkedHashMap<>(Map.of("disk0", false, "disk1", false));
            String kek = kek1;
            for (int i = 0; i < points.size(); i++) {
                KillPoint kp = points.get(i);
                long t0 = System.nanoTime();
                long tStart;
                long tVerify;
                long tPrep;
                try (HostLab.HostProcess p = start(config, log, kp)) {
                    tStart = System.nanoTime();
                    URI h = p.url("1");
                    verify(bridge, h, ds, seed, form);
                    tVerify = System.nanoTime();
                    boolean needEncrypted = !kp.kind().equals("encrypt");
                    if (form.containsValue(!needEncrypted)) {
                        if (needEncrypted) {
                            bridge.succeeded(h, "/vms/" + VM + "/encrypt", HostLab.encryptBody(kek, null));
                        } else {
                            for (String d : form.keySet()) {
                                if (form.get(d)) {
                                    bridge.succeeded(h, "/vms/" + VM + "/disks/" + d + "/decrypt", null);
                                }
                            }
                        }
                        form.replaceAll((d, enc) -> needEncrypted);
                    }
                    tPrep = System.nanoTime();
                    String path = switch (kp.kind()) {
                        case "encrypt" -> "/vms/" + VM + "/encrypt";
                        case "decrypt" -> "/vms/" + VM + "/disks/disk0/decrypt";
                        default -> "/vms/" + VM + "/rekey";
                    };
                    kek = kek.equals(kek1) ? kek2 : kek1;
                    Object body = switch (kp.kind()) {
                        case "encrypt" -> HostLab.encryptBody(kek, null);
                        case "decrypt" -> null;
                        default -> HostLab.rekeyBody(kek, true, null);
                    };
                    HostLab.Bridge.Reply started = bridge.call(h, "POST", path, body);
                    assertThat(started.status()).as("%s: %s", kp, started.json()).isEqualTo(202);
                    String line = awaitKillPoint(p);
                    p.kill9();
                    long end = System.nanoTime();
                    System.out.printf("kill %d/%d %s at '%s' (start %d ms, verify %d ms, prep %d ms, job %d ms)%n",
                            i + 1, points.size(), kp, line, (tStart - t0) / 1_000_000, (tVerify - tStart) / 1_000_000,
                            (tPrep - tVerify) / 1_000_000, (end - tPrep) / 1_000_000);
                }
                if (kp.expectNew()) {
                    form.put("disk0", !kp.kind().equals("decrypt"));
                }
            }
            try (HostLab.HostProcess p = start(config, log, null)) {
                verify(bridge, p.url("1"), ds, seed, form);
            }
            assertThat(Files.readString(log)).contains("event=disk_recovered");
        }
    }

    private static HostLab.HostProcess start(Path config, Path log, KillPoint kp) throws Exception {
        List<String> args = new ArrayList<>(List.of(config.toString()));
        if (kp != null) {
            args.add(kp.kind());
            args.add(kp.step());
        }
        return HostLab.startHosts(HostCrashChild.class, List.of(), log, args.toArray(String[]::new));
    }

    private static String awaitKillPoint(HostLab.HostProcess p) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            String l = p.lines().poll(1, TimeUnit.SECONDS);
            if (l != null && l.startsWith("KILLPOINT ")) {
                return l.substring("KILLPOINT ".length());
            }
            assertThat(p.process().isAlive()).as("host process died before the kill point").isTrue();
        }
        throw new AssertionError("kill point not reached in 120 s; log:\n" + Files.readString(p.log()));
    }

    /** The recovered VM: consistent descriptors, no leftovers, the expected form, and exactly the data written. */
    private static void verify(HostLab.Bridge bridge, URI h, Path ds, long seed, Map<String, Boolean> form) throws Exception {
        JsonNode state = bridge.ok(h, "GET", "/vms/" + VM, null);
        assertThat(state.get("openOn").isNull()).as("released after restart: %s", state).isTrue();
        for (JsonNode d : state.get("disks")) {
            assertThat(d.has("pending")).as("pending transform left: %s", d).isFalse();
            assertThat(d.get("encrypted").asBoolean()).as("form of %s", d).isEqualTo(form.get(d.get("name").asText()));
        }
        try (Stream<Path> files = Files.list(ds.resolve(VM))) {
            assertThat(files.map(f -> f.getFileName().toString()).filter(n -> n.startsWith(".")).toList())
                    .as("leftover temporary or journal files").isEmpty();
        }
        bridge.ok(h, "POST", "/vms/" + VM + "/open", null);
        // the whole disk by digest (computed by the host), and one seeded slice byte for byte
        assertThat(bridge.ok(h, "GET", "/vms/" + VM + "/disks/disk0/digest", null).get("digest").asText())
                .as("SHA-256 of disk0's plaintext").isEqualTo(expectedDigest(seed));
        long slice = Math.floorMod(seed, BIG / CHUNK) * CHUNK;
        assertThat(Arrays.equals(bridge.read(h, VM, "disk0", slice, CHUNK), expected(seed, "disk0", slice, CHUNK)))
                .as("disk0 [%d, +%d) reads back the data written", slice, CHUNK).isTrue();
        assertThat(bridge.read(h, VM, "disk1", 0, (int) SMALL)).isEqualTo(expected(seed, "disk1", 0, (int) SMALL));
        bridge.ok(h, "POST", "/vms/" + VM + "/close", null);
    }

    private static String digest;

    private static synchronized String expectedDigest(long seed) throws Exception {
        if (digest == null) {
            java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-256");
            for (long off = 0; off < BIG; off += CHUNK) {
                md.update(expected(seed, "disk0", off, CHUNK));
            }
            digest = java.util.HexFormat.of().formatHex(md.digest());
        }
        return digest;
    }

    /** The data written at {@code [off, off+len)} of {@code disk}: seeded, regenerated on demand. */
    private static byte[] expected(long seed, String disk, long off, int len) {
        byte[] b = new byte[len];
        new Random(seed * 31 + disk.hashCode() * 1_000_003L + off).nextBytes(b);
        return b;
    }
}
