package io.kekvault.kms.audit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** A log appended to by a process killed with SIGKILL keeps every acknowledged record and verifies after reopening. */
class AuditCrashTest {

    @TempDir
    Path dir;

    @Test
    void killedAppender_everyAcknowledgedRecordSurvivesAndTheLogVerifiesAfterReopen() throws Exception {
        long seed = System.nanoTime();
        System.out.println("AuditCrashTest seed=" + seed);
        Random random = new Random(seed);
        Path file = dir.resolve("audit-kms-crash.jsonl");
        Map<Long, String> acknowledged = new HashMap<>();
        AuditDurability[] modes = {AuditDurability.WRITE, AuditDurability.FSYNC, AuditDurability.WRITE};

        for (int round = 0; round < modes.length; round++) {
            int killAfter = 50 + random.nextInt(3000);
            Map<Long, String> acks = runAndKill(modes[round], "r" + round, killAfter);
            for (Map.Entry<Long, String> e : acks.entrySet()) {
                assertThat(acknowledged.put(e.getKey(), e.getValue())).as("sequence %d acknowledged twice", e.getKey()).isNull();
            }
            System.out.println("round=" + round + " mode=" + modes[round] + " kill_after=" + killAfter + " acknowledged=" + acks.size());

            // Before recovery the file is intact except, at most, an incomplete last line.
            AuditVerification before = AuditVerifier.verify(file);
            if (!before.ok()) {
                assertThat(before.problem()).as(before.message()).isEqualTo(AuditVerification.Problem.TORN_LINE);
                assertThat(before.line()).isEqualTo(Files.readAllLines(file).size());
            }
            try (AuditLog log = AuditLog.open(AuditConfig.of(dir, "kms-crash"))) {
                assertThat(log.recovery().tornLine()).isEqualTo(!before.ok());
            }
            AuditVerification after = AuditVerifier.verify(file);
            assertThat(after.ok()).as(after.message()).isTrue();

            List<String> lines = Files.readAllLines(file);
            Map<Long, AuditRecord> bySeq = new HashMap<>();
            for (String l : lines) {
                AuditRecord r = AuditCodec.parse(l.getBytes(StandardCharsets.UTF_8));
                bySeq.put(r.sequence(), r);
            }
            for (Map.Entry<Long, String> e : acknowledged.entrySet()) {
                AuditRecord r = bySeq.get(e.getKey());
                assertThat(r).as("acknowledged record %d is in the log", e.getKey()).isNotNull();
                assertThat(r.requestId()).isEqualTo(e.getValue());
            }
        }
    }

    private Map<Long, String> runAndKill(AuditDurability mode, String run, int killAfter) throws Exception {
        Path err = dir.resolve("child-" + run + ".err");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                AuditCrashChild.class.getName(), dir.toString(), mode.name(), run)
                .redirectError(err.toFile())
                .start();
        Map<Long, String> acks = new HashMap<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                String[] f = line.split(" ");
                // A line cut by the kill has no end marker: it does not count as acknowledged.
                if (f.length == 4 && f[0].equals(AuditCrashChild.ACK) && f[3].equals(AuditCrashChild.END)) {
                    acks.put(Long.parseLong(f[1]), f[2]);
                    if (acks.size() == killAfter) {
                        p.toHandle().destroyForcibly();
                    }
                }
            }
        } finally {
            p.toHandle().destroyForcibly();
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(p.exitValue()).as("child killed by SIGKILL; stderr: %s", Files.readString(err)).isEqualTo(137);
        return acks;
    }
}
