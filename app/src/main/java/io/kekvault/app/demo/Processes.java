package io.kekvault.app.demo;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The demo's child processes: each Kekvault service runs as {@code java ... io.kekvault.app.Main}
 * with this JVM's own classpath and flags (the same command the launcher runs), its stderr in a
 * log file under the work directory, and its ready lines read from stdout.
 */
final class Processes {
    /** JVM flags of every Kekvault process (the launcher's JVM_FLAGS). */
    static final List<String> JVM_FLAGS = List.of(
            "--add-exports", "jdk.crypto.cryptoki/sun.security.pkcs11.wrapper=ALL-UNNAMED",
            "--add-opens", "jdk.crypto.cryptoki/sun.security.pkcs11.wrapper=ALL-UNNAMED",
            "--enable-native-access=ALL-UNNAMED");

    private Processes() {
    }

    /** A running service and the ready lines it printed. */
    record Service(String name, Process process, List<String> ready, Path log) {
        /** SIGTERM, then wait for a clean stop (kill -9 after a minute). */
        void stop() throws InterruptedException {
            if (process.isAlive()) {
                process.destroy();
                if (!process.waitFor(60, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    process.waitFor(10, TimeUnit.SECONDS);
                }
            }
        }
    }

    /** {@code kekvault ARGS} in a new JVM running this build, with the launcher's JVM flags. */
    private static List<String> command(String... args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(JVM_FLAGS);
        cmd.add("-Dlogback.configurationFile=logback.xml");
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.kekvault.app.Main"));
        cmd.addAll(List.of(args));
        return cmd;
    }

    static Service start(String name, Path log, Map<String, String> env, Predicate<String> lastReadyLine,
                         String... args) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command(args));
        pb.environment().putAll(env);
        pb.redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
        Process p = pb.start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        List<String> lines = new ArrayList<>();
        Boolean ready = CompletableFuture.supplyAsync(() -> {
            try {
                String line;
                while ((line = out.readLine()) != null) {
                    if (line.startsWith("ready")) {
                        lines.add(line);
                        if (lastReadyLine.test(line)) {
                            return true;
                        }
                    }
                }
                return false;
            } catch (IOException e) {
                return false;
            }
        }).get(180, TimeUnit.SECONDS);
        if (!ready) {
            p.destroyForcibly();
            throw new IllegalStateException(name + " did not start; see " + log);
        }
        // keep draining stdout so the child never blocks on a full pipe
        Thread.ofVirtual().start(() -> {
            try {
                while (out.readLine() != null) {
                    // discard
                }
            } catch (IOException ignored) {
                // process ended
            }
        });
        return new Service(name, p, List.copyOf(lines), log);
    }

    /** Runs a Kekvault command to completion; fails with its output on a non-zero exit. */
    static String run(Path log, Map<String, String> env, String... args) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command(args));
        pb.environment().putAll(env);
        pb.redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(180, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException("kekvault " + String.join(" ", args) + " failed; see " + log + "\n" + out);
        }
        return out;
    }
}
