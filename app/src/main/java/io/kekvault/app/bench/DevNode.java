package io.kekvault.app.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A {@code kms --dev} node in its own JVM for the benchmarks (JFR on it with {@code KEKVAULT_BENCH_JFR=FILE}). */
final class DevNode {
    private DevNode() {
    }

    /** Starts the node on DIR with free ports; its stderr goes to {@code log}. */
    static Process start(Path dir, Path log) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(List.of(BenchCommand.FORK_FLAGS));
        String jfr = System.getenv("KEKVAULT_BENCH_JFR");
        if (jfr != null) {
            cmd.add("-XX:StartFlightRecording=filename=" + jfr + ",settings=profile");
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.kekvault.app.Main", "kms", "--dev",
                dir.toString(), "--https-port", "0", "--kmip-port", "0", "--health-port", "0"));
        return new ProcessBuilder(cmd).redirectError(log.toFile()).start();
    }

    /** Waits for the node's ready line and returns the port that {@code endpoint} (a regex with one group) names in it. */
    static int readyPort(Process kms, String endpoint, Path log) throws Exception {
        BufferedReader r = new BufferedReader(new InputStreamReader(kms.getInputStream(), StandardCharsets.UTF_8));
        Pattern p = Pattern.compile(endpoint);
        String line;
        while ((line = r.readLine()) != null) {
            if (line.startsWith("ready ")) {
                Matcher m = p.matcher(line);
                if (m.find()) {
                    return Integer.parseInt(m.group(1));
                }
            }
        }
        throw new IllegalStateException("the KMS did not start; see " + log);
    }
}
