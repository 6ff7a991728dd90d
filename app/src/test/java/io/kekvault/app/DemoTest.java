package io.kekvault.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.kekvault.kms.testkit.ChildJvm;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kekvault demo} as the launcher runs it (its own JVM, after the build): every step passes,
 * the summary table lists each one, and nothing it started outlives it. A demo whose first step
 * cannot succeed reports the failure in the table and exits non-zero.
 */
class DemoTest {
    private static final List<String> STEPS = List.of(
            "token, PKI and PostgreSQL", "two KMS nodes on one HSM token", "three hosts in cluster-1",
            "bridge, and trust with the KMS (CSR flow)", "inventory: datacenter, cluster, hosts 1 and 2",
            "create encrypted VM vm1 with two disks", "write data, read it back", "encrypt existing VM vm2 (plain, with data)",
            "move vm1 to host 2",
            "shallow rekey (new KEK, data untouched)", "deep rekey (new DEKs, data re-encrypted)",
            "add host 3; it opens vm1", "remove host 2; it can no longer open vm1", "kill -9 KMS node 1; rekey through node 2",
            "decrypt disks, then the VM home",
            "no file holds a clear DEK", "stop everything");

    record Run(int exit, String out) {
    }

    static Run demo(Path dir) throws Exception {
        ProcessBuilder pb = ChildJvm.builder(List.of("-Dlogback.configurationFile=logback.xml"), Main.class, Map.of(),
                "demo", "--dir", dir.toString());
        pb.redirectErrorStream(true);
        Process p = pb.start();
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> {
            try {
                return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        boolean done = p.waitFor(5, TimeUnit.MINUTES);
        if (!done) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        String text = out.get(30, TimeUnit.SECONDS);
        System.out.println(text);
        assertThat(done).as("demo finished within 5 minutes:\n%s", text).isTrue();
        return new Run(p.exitValue(), text);
    }

    /** Processes whose command line names the demo's directory (KMS nodes, hosts, bridge). */
    static List<String> leftovers(Path dir) {
        return ProcessHandle.allProcesses()
                .filter(ProcessHandle::isAlive)
                .map(h -> h.info().commandLine().orElse(""))
                .filter(c -> c.contains(dir.toString()) && !c.contains(" demo --dir "))
                .toList();
    }

    @Test
    void demo_runsEveryTaskAndStopsEverything(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("demo");
        Run r = demo(dir);

        assertThat(r.exit()).as(r.out()).isZero();
        for (int i = 0; i < STEPS.size(); i++) {
            assertThat(r.out()).contains("| " + (i + 1) + " | " + STEPS.get(i) + " | ok |");
        }
        assertThat(r.out()).contains("All checks passed").doesNotContain("FAILED");
        assertThat(r.out()).containsPattern("\\d+ DEKs searched for in \\d+ files");
        assertThat(leftovers(dir)).isEmpty();
        // the work directory holds what an operator would look at afterwards
        for (String f : List.of("kms-1.log", "kms-2.log", "demo.log", "audit-kms-1", "audit-kms-2", "hsm/softhsm2.conf")) {
            assertThat(dir.resolve(f)).exists();
        }
    }

    @Test
    void demo_whenAStepFails_reportsItAndExitsNonZero(@TempDir Path tmp) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("demo"));
        Files.writeString(dir.resolve("hsm"), "a file where the token directory must go\n");

        Run r = demo(dir);

        assertThat(r.exit()).as(r.out()).isEqualTo(1);
        assertThat(r.out()).containsPattern("\\| 1 \\| token, PKI and PostgreSQL \\| FAILED: .+\\|")
                .contains("| 2 | stop everything | ok |")
                .contains("1 step(s) FAILED")
                .doesNotContain("two KMS nodes");
        assertThat(leftovers(dir)).isEmpty();
    }
}
