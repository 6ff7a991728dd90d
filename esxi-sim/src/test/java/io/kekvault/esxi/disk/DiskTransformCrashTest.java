package io.kekvault.esxi.disk;

import static org.assertj.core.api.Assertions.assertThat;

import io.kekvault.esxi.crypto.XtsEngine;
import io.kekvault.esxi.crypto.XtsEngineFactory;
import io.kekvault.esxi.crypto.XtsEngines;
import io.kekvault.secret.SecretBytes;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a child JVM with SIGKILL in the middle of encrypt, deep rekey and decrypt, at seeded
 * random points (each phase boundary, random byte counts, and "race" points where the child
 * carries on until the kill lands), and checks that the file is then exactly the old or the new
 * form of the original data, that {@link DiskTransformer#recover} says which, and that running the
 * transform again completes it.
 */
class DiskTransformCrashTest {
    private static final int SIZE = 2 << 20;
    private static final int CHUNK = 64 << 10;

    @Test
    void killedTransforms_leaveOldOrNewFile_andTheNextRunCompletes(@TempDir Path dir) throws Exception {
        long seed = Long.getLong("crash.seed", System.nanoTime());
        int points = Integer.getInteger("crash.points", 9);
        System.out.println("killedTransforms seed=" + seed + " points=" + points);
        Random rnd = new Random(seed);
        byte[] original = new byte[SIZE];
        rnd.nextBytes(original);
        XtsEngineFactory engines = XtsEngines.best();
        List<String> phaseList = new ArrayList<>(
                Arrays.stream(DiskProgress.Phase.values()).map(p -> "phase:" + p.name()).toList());
        java.util.Collections.shuffle(phaseList, rnd);
        String[] phases = phaseList.toArray(String[]::new);

        try (SecretBytes keyA = key(rnd); SecretBytes keyB = key(rnd)) {
            byte[] underA = encrypt(engines, keyA, original);
            byte[] underB = encrypt(engines, keyB, original);
            String[][] ops = {{"plain", "xts"}, {"xts", "xts"}, {"xts", "plain"}};
            int outcomesOld = 0;
            int outcomesNew = 0;
            for (int i = 0; i < points; i++) {
                String[] op = ops[i % ops.length];
                byte[] before = op[0].equals("plain") ? original : underA;
                byte[] after = op[1].equals("plain") ? original : (op[0].equals("plain") ? underA : underB);
                SecretBytes fromKey = keyA;
                SecretBytes toKey = op[0].equals("plain") ? keyA : keyB;
                // Every phase boundary once (seeded order), then random byte counts.
                String killPoint = i < phases.length
                        ? phases[i]
                        : "bytes:" + (CHUNK * (1 + rnd.nextInt(SIZE / CHUNK)));
                String mode = i >= phases.length && rnd.nextInt(3) == 0 ? "race" : "halt";
                int workers = 1 + rnd.nextInt(2);

                Path file = dir.resolve("disk" + i + "-flat.vmdk");
                Files.write(file, before);
                String what = "point " + i + " " + op[0] + "->" + op[1] + " at " + killPoint + " (" + mode
                        + ", workers=" + workers + ")";
                boolean completedBeforeKill = runAndKill(file, op, fromKey, toKey, engines.name(), workers, killPoint, mode);

                Recovery rec = DiskTransformer.recover(file);
                byte[] now = Files.readAllBytes(file);
                boolean isOld = Arrays.equals(now, before);
                boolean isNew = Arrays.equals(now, after);
                System.out.println(what + ": recovery=" + rec.outcome() + " file=" + (isNew ? "new" : isOld ? "old" : "MIXED")
                        + (completedBeforeKill ? " (child finished first)" : ""));
                assertThat(isOld || isNew).as(what + ": file is the old or the new form").isTrue();
                switch (rec.outcome()) {
                    case COMPLETED -> assertThat(isNew).as(what).isTrue();
                    case ROLLED_BACK -> assertThat(isOld).as(what).isTrue();
                    case CLEAN -> { }
                }
                assertThat(leftovers(dir, file)).as(what + ": no temporary file after recovery").isEmpty();
                assertThat(Files.exists(DiskTransformer.journalOf(file)))
                        .as(what + ": journal kept exactly when the rename happened and was not yet finished")
                        .isEqualTo(rec.outcome() == Recovery.Outcome.COMPLETED);
                if (isNew) {
                    outcomesNew++;
                } else {
                    outcomesOld++;
                }

                // The next run completes the job (or finds it done when the rename had happened).
                if (isOld || rec.outcome() == Recovery.Outcome.COMPLETED) {
                    TransformResult r = new DiskTransformer(engines, 2, CHUNK)
                            .transform(file, form(op[0], fromKey), form(op[1], toKey), false, DiskProgress.NONE);
                    assertThat(r.alreadyDone()).isEqualTo(rec.outcome() == Recovery.Outcome.COMPLETED);
                }
                assertThat(Files.readAllBytes(file)).as(what + ": after the next run").isEqualTo(after);
                assertThat(DiskTransformer.recover(file).outcome()).isEqualTo(Recovery.Outcome.CLEAN);
                assertThat(decryptWith(engines, op[1].equals("plain") ? null : toKey, Files.readAllBytes(file)))
                        .isEqualTo(original);
                Files.delete(file);
            }
            System.out.println("killedTransforms old=" + outcomesOld + " new=" + outcomesNew);
        }
    }

    private static boolean runAndKill(Path file, String[] op, SecretBytes fromKey, SecretBytes toKey, String engine,
                                      int workers, String killPoint, String mode) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED", "-Xshare:auto",
                "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                TransformChild.class.getName(), file.toString(), op[0], op[1], engine, String.valueOf(workers),
                String.valueOf(CHUNK), killPoint, mode));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            OutputStream stdin = p.getOutputStream();
            HexFormat hex = HexFormat.of();
            stdin.write((hex.formatHex(fromKey.expose()) + "\n" + hex.formatHex(toKey.expose()) + "\n")
                    .getBytes(StandardCharsets.US_ASCII));
            stdin.flush();
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String line;
            boolean done = false;
            while ((line = out.readLine()) != null) {
                if (line.equals(TransformChild.MARKER)) {
                    break;
                }
                if (line.equals("DONE")) {
                    done = true;
                    break;
                }
            }
            p.destroyForcibly();
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(line).as("child reached its kill point or finished").isNotNull();
            return done;
        } finally {
            p.destroyForcibly();
        }
    }

    private static List<Path> leftovers(Path dir, Path file) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().equals("." + file.getFileName() + ".kvtmp")).toList();
        }
    }

    static DiskForm form(String name, SecretBytes key) {
        return name.equals("plain") ? DiskForm.plain() : DiskForm.xts(key);
    }

    static SecretBytes key(Random rnd) {
        byte[] k = new byte[64];
        rnd.nextBytes(k);
        return SecretBytes.adopt(k);
    }

    static byte[] encrypt(XtsEngineFactory f, SecretBytes key, byte[] plain) {
        byte[] out = plain.clone();
        try (XtsEngine e = f.create(key)) {
            e.encrypt(0, out, 0, out.length);
        }
        return out;
    }

    static byte[] decryptWith(XtsEngineFactory f, SecretBytes key, byte[] data) {
        if (key == null) {
            return data;
        }
        byte[] out = data.clone();
        try (XtsEngine e = f.create(key)) {
            e.decrypt(0, out, 0, out.length);
        }
        return out;
    }
}
