package io.kekvault.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kekvault.kms.testkit.ChildJvm;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator's surface end to end: {@code kms --dev DIR} in its own process (token, PKI and
 * config created), {@code key ...} and {@code pki ...} commands against it over mutual TLS,
 * SIGTERM for a clean stop, {@code audit verify} on the trail, and a restart that reuses DIR.
 */
class KmsDevModeCliTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    record Running(Process process, int httpsPort, int healthPort, Path log, String readyLine) {
    }

    static Running startDev(Path dir) throws Exception {
        Path log = dir.resolveSibling(dir.getFileName() + ".log");
        ProcessBuilder pb = ChildJvm.builder(List.of("-Dlogback.configurationFile=logback.xml"), Main.class, Map.of(), "kms", "--dev", dir.toString(),
                "--https-port", "0", "--kmip-port", "0", "--health-port", "0");
        pb.redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
        Process p = pb.start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line = CompletableFuture.supplyAsync(() -> {
            try {
                String l;
                while ((l = out.readLine()) != null) {
                    if (l.startsWith("ready ")) {
                        return l;
                    }
                }
            } catch (java.io.IOException ignored) {
                // fall through
            }
            return null;
        }).get(180, TimeUnit.SECONDS);
        assertThat(line).as("ready line; log:\n%s", Files.exists(log) ? Files.readString(log) : "").isNotNull();
        Matcher m = Pattern.compile("https=https://127\\.0\\.0\\.1:(\\d+) .*health=http://127\\.0\\.0\\.1:(\\d+)").matcher(line);
        assertThat(m.find()).as(line).isTrue();
        assertThat(line).as("the dev node serves KMIP").containsPattern("kmip=127\\.0\\.0\\.1:\\d+");
        return new Running(p, Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), log, line);
    }

    /** Runs a CLI command in this JVM and returns its exit code and standard output. */
    static Object[] cli(String... args) {
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            int code = Main.run(args);
            return new Object[] {code, buf.toString(StandardCharsets.UTF_8)};
        } finally {
            System.setOut(old);
        }
    }

    static JsonNode keyCmd(Path dir, int port, String identity, String... args) throws Exception {
        List<String> a = new ArrayList<>(List.of("key"));
        a.addAll(List.of(args));
        a.addAll(List.of("--pki", dir.resolve("pki").toString(), "--identity", identity, "--server", "https://127.0.0.1:" + port));
        Object[] r = cli(a.toArray(String[]::new));
        assertThat((int) r[0]).as("key %s: %s", String.join(" ", args), r[1]).isZero();
        return JSON.readTree((String) r[1]);
    }

    @Test
    void devMode_keyAndPkiCommands_sigtermStopsCleanly_auditVerifies_restartReusesDir(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("dev");
        Running kms = startDev(dir);
        for (String f : List.of("pki/ca.pem", "pki/admin.pem", "pki/admin.key", "pki/vcenter.pem", "pki/esxi-1.pem",
                "pki/esxi-2.pem", "pki/esxi-3.pem", "pki/kmip-client.pem", "pki/kmip-client.key", "softhsm2.conf", "token-pin")) {
            assertThat(dir.resolve(f)).exists();
        }
        JsonNode created = keyCmd(dir, kms.httpsPort(), "admin", "create", "--name", "cli-key");
        String id = created.get("id").asText();
        assertThat(created.get("state").asText()).isEqualTo("Active");
        keyCmd(dir, kms.httpsPort(), "admin", "grant", id, "esxi-1", "--permissions", "wrap,unwrap");
        assertThat(keyCmd(dir, kms.httpsPort(), "esxi-1", "show", id).get("id").asText()).isEqualTo(id);
        assertThat(keyCmd(dir, kms.httpsPort(), "admin", "list").get("items")).hasSize(1);
        String rotated = keyCmd(dir, kms.httpsPort(), "admin", "rotate", id).get("id").asText();
        assertThat(keyCmd(dir, kms.httpsPort(), "admin", "revoke", id, "--reason", "superseded").get("state").asText())
                .isEqualTo("Deactivated");
        assertThat(keyCmd(dir, kms.httpsPort(), "admin", "destroy", id).get("state").asText()).isEqualTo("Destroyed");
        // a refused command exits non-zero with the server's code
        Object[] refused = cli("key", "create", "--pki", dir.resolve("pki").toString(), "--identity", "esxi-2",
                "--server", "https://127.0.0.1:" + kms.httpsPort());
        assertThat((int) refused[0]).isEqualTo(1);

        Object[] show = cli("pki", "show", "--dir", dir.resolve("pki").toString());
        assertThat((int) show[0]).isZero();
        assertThat((String) show[1]).contains("esxi-3").contains("kmip-client");

        kms.process().destroy(); // SIGTERM
        assertThat(kms.process().waitFor(60, TimeUnit.SECONDS)).as("stops on SIGTERM").isTrue();
        assertThat(Files.readString(kms.log())).contains("event=kms_stopped");

        Path audit = dir.resolve("audit").resolve("audit-kms-dev.jsonl");
        Object[] ok = cli("audit", "verify", audit.toString());
        assertThat((int) ok[0]).as((String) ok[1]).isZero();

        Running again = startDev(dir);
        try {
            assertThat(keyCmd(dir, again.httpsPort(), "admin", "show", rotated).get("state").asText()).isEqualTo("Active");
        } finally {
            again.process().destroy();
            assertThat(again.process().waitFor(60, TimeUnit.SECONDS)).isTrue();
        }

        // an edited record is named by audit verify
        List<String> lines = new ArrayList<>(Files.readAllLines(audit));
        String edited = lines.get(2).replaceFirst("\"identity\":\"[^\"]*\"", "\"identity\":\"mallory\"");
        assertThat(edited).isNotEqualTo(lines.get(2));
        lines.set(2, edited);
        Files.write(audit, lines);
        Object[] bad = cli("audit", "verify", audit.toString());
        assertThat((int) bad[0]).isEqualTo(1);
        assertThat((String) bad[1]).contains("line 3");
    }
}
