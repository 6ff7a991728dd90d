package io.kekvault.kms.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every write the store acknowledged survives {@code kill -9} of its process, and the database
 * stays consistent.
 */
class SqliteDurabilityTest {

    @TempDir
    Path tmp;

    @Test
    void killedWriter_everyAcknowledgedWriteSurvivesAndTheDatabaseIsIntact() throws Exception {
        long seed = System.nanoTime();
        System.out.println("SqliteDurabilityTest seed=" + seed);
        Random random = new Random(seed);
        Path db = tmp.resolve("kms.db");
        Map<String, Long> acknowledged = new HashMap<>();

        for (int round = 0; round < 2; round++) {
            int killAfter = 20 + random.nextInt(300);
            List<String> lines = runAndKill(db, seed + 1000L * round, killAfter);
            for (String line : lines) {
                String[] f = line.split(" ");
                acknowledged.merge(f[2], Long.parseLong(f[3]), Math::max);
            }
            System.out.println("round=" + round + " kill_after=" + killAfter + " acknowledged_total=" + acknowledged.size());
            assertThat(acknowledged.size()).isGreaterThanOrEqualTo(killAfter / 2);

            assertThat(integrityCheck(db)).isEqualTo("ok");
            try (MetadataStore store = SqliteMetadataStore.open(SqliteStoreConfig.of(db))) {
                for (Map.Entry<String, Long> e : acknowledged.entrySet()) {
                    KeyRecord r = store.get(e.getKey()).orElseThrow(() -> new AssertionError("lost acknowledged record " + e.getKey()));
                    assertThat(r.version()).as("version of %s", e.getKey()).isGreaterThanOrEqualTo(e.getValue());
                    KeyRecord expected = StoreDurabilityChild.expected(e.getKey());
                    assertThat(r.toBuilder().state(KeyState.PRE_ACTIVE).version(0).build()).isEqualTo(expected);
                    assertThat(store.locate(KeyFilter.builder().name("name-" + e.getKey()).build(), 0, 2)).containsExactly(e.getKey());
                }
            }
        }
    }

    /** Starts the child, waits for {@code killAfter} acknowledgements, kills it with SIGKILL, returns its complete ACK lines. */
    private List<String> runAndKill(Path db, long seed, int killAfter) throws Exception {
        Path err = tmp.resolve("child-" + seed + ".err");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"),
                StoreDurabilityChild.class.getName(), db.toString(), Long.toString(seed))
                .redirectError(err.toFile())
                .start();
        List<String> acks = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                // A line cut by the kill has no end marker and was not necessarily acknowledged.
                if (line.startsWith(StoreDurabilityChild.ACK + " ") && line.endsWith(" " + StoreDurabilityChild.END)) {
                    acks.add(line);
                    if (acks.size() == killAfter) {
                        // SIGKILL through the handle: Process.destroyForcibly would also close our end of stdout.
                        p.toHandle().destroyForcibly();
                    }
                }
            }
        } finally {
            p.destroyForcibly();
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(p.exitValue()).as("child killed by SIGKILL; stderr: %s", Files.readString(err)).isEqualTo(137);
        return acks;
    }

    private static String integrityCheck(Path db) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("PRAGMA integrity_check")) {
            rs.next();
            return rs.getString(1);
        }
    }
}
