package io.kekvault.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kekvault.kmip.http.KmsHttpClient;
import io.kekvault.kms.testkit.ChildJvm;
import io.kekvault.pki.Identity;
import io.kekvault.pki.IssueOptions;
import io.kekvault.pki.PkiDirectory;
import io.kekvault.pki.PkiService;
import io.kekvault.pki.tls.TlsContext;
import io.kekvault.pki.tls.TlsMaterial;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Test kit for host tests: a dev KMS in its own process, KEKs and grants, host processes and a bridge-side client. */
final class HostLab {
    static final ObjectMapper JSON = new ObjectMapper();

    private HostLab() {
    }

    /** A started dev KMS. */
    record Kms(Path dir, KmsDevModeCliTest.Running running) implements AutoCloseable {
        Path pki() {
            return dir.resolve("pki");
        }

        URI uri() {
            return URI.create("https://127.0.0.1:" + running.httpsPort());
        }

        KmsHttpClient client(String identity) throws Exception {
            TlsContext tls = TlsContext.client(TlsMaterial.client(PkiDirectory.of(pki()), Identity.parse(identity)));
            return new KmsHttpClient(List.of(uri()), tls.sslContext(), tls.sslParameters(), Duration.ofSeconds(30), null);
        }

        /** A new active KEK, granted wrap/unwrap to {@code hosts} (what the bridge does in production). */
        String kek(String name, String... hosts) throws Exception {
            KmsHttpClient admin = client("admin");
            ObjectNode req = JSON.createObjectNode().put("name", name);
            String id = admin.createKey(req).get("id").asText();
            for (String h : hosts) {
                admin.putGrant(id, h, List.of("wrap", "unwrap"));
            }
            return id;
        }

        void issueHost(String identity) throws Exception {
            new PkiService().issue(pki(), identity, "host", IssueOptions.defaults());
        }

        @Override
        public void close() throws Exception {
            running.process().destroy();
            if (!running.process().waitFor(60, TimeUnit.SECONDS)) {
                running.process().destroyForcibly().waitFor();
            }
        }
    }

    static Kms startKms(Path dir) throws Exception {
        return new Kms(dir, KmsDevModeCliTest.startDev(dir));
    }

    /** One host of a config. */
    record HostSpec(String id, String cluster) {
    }

    /** Writes a host config: clusters map to datastores under {@code root}, one provider "default". */
    static Path writeConfig(Path root, Path pki, List<String> kmsEndpoints, Map<String, Path> clusters, List<HostSpec> hosts)
            throws Exception {
        StringBuilder y = new StringBuilder();
        y.append("pki-dir: ").append(pki).append('\n');
        y.append("bridge-identity: vcenter\n");
        y.append("xts-workers: 1\n");
        y.append("providers:\n  default:\n    endpoints:\n");
        kmsEndpoints.forEach(e -> y.append("      - ").append(e).append('\n'));
        y.append("clusters:\n");
        clusters.forEach((name, ds) -> y.append("  ").append(name).append(":\n    datastore: ").append(ds).append('\n'));
        y.append("hosts:\n");
        for (HostSpec h : hosts) {
            y.append("  - id: \"").append(h.id()).append("\"\n    cluster: ").append(h.cluster()).append('\n');
        }
        Files.createDirectories(root);
        Path file = root.resolve("hosts.yaml");
        Files.writeString(file, y.toString());
        return file;
    }

    /** A host process ({@code kekvault host --config}) and its hosts' URLs. */
    record HostProcess(Process process, Map<String, URI> urls, Path log,
                       java.util.concurrent.BlockingQueue<String> lines) implements AutoCloseable {
        URI url(String hostId) {
            return urls.get(hostId);
        }

        void kill9() throws InterruptedException {
            process.destroyForcibly(); // SIGKILL on Unix
            assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }

        @Override
        public void close() throws Exception {
            if (process.isAlive()) {
                process.destroy();
                if (!process.waitFor(60, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor();
                }
            }
        }
    }

    static final Pattern READY = Pattern.compile("^ready host=(\\S+) https=(\\S+) ");

    /** Starts {@code mainClass args} (Main host --config, or a test child) and waits for its ready lines. */
    static HostProcess startHosts(Class<?> mainClass, List<String> jvmOptions, Path log, String... args) throws Exception {
        List<String> opts = new ArrayList<>(List.of("-Dlogback.configurationFile=logback.xml"));
        opts.addAll(jvmOptions);
        ProcessBuilder pb = ChildJvm.builder(opts, mainClass, Map.of(), args);
        pb.redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
        Process p = pb.start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        Map<String, URI> urls = new LinkedHashMap<>();
        Boolean ok = CompletableFuture.supplyAsync(() -> {
            try {
                String l;
                while ((l = out.readLine()) != null) {
                    Matcher m = READY.matcher(l);
                    if (m.find()) {
                        urls.put(m.group(1), URI.create(m.group(2)));
                    } else if (l.startsWith("ready hosts=")) {
                        return true;
                    }
                }
            } catch (java.io.IOException ignored) {
                // fall through
            }
            return false;
        }).get(120, TimeUnit.SECONDS);
        assertThat(ok).as("host ready lines; log:\n%s", Files.exists(log) ? Files.readString(log) : "").isTrue();
        // keep draining stdout so the child never blocks on a full pipe; later lines are queued
        java.util.concurrent.BlockingQueue<String> lines = new java.util.concurrent.LinkedBlockingQueue<>();
        Thread.ofVirtual().start(() -> {
            try {
                String l;
                while ((l = out.readLine()) != null) {
                    lines.add(l);
                }
            } catch (java.io.IOException ignored) {
                // process gone
            }
        });
        return new HostProcess(p, urls, log, lines);
    }

    /** The bridge's side of the host API: mutual TLS with the given identity (vcenter). */
    static final class Bridge {
        private final HttpClient http;

        Bridge(Path pki, String identity) throws Exception {
            TlsContext tls = TlsContext.client(TlsMaterial.client(PkiDirectory.of(pki), Identity.parse(identity)));
            http = HttpClient.newBuilder().sslContext(tls.sslContext()).sslParameters(tls.sslParameters())
                    .connectTimeout(Duration.ofSeconds(10)).version(HttpClient.Version.HTTP_1_1).build();
        }

        Bridge(HttpClient http) {
            this.http = http;
        }

        record Reply(int status, JsonNode json, byte[] body) {
        }

        Reply call(URI host, String method, String path, Object body) throws Exception {
            HttpRequest.Builder b = HttpRequest.newBuilder(host.resolve(path)).timeout(Duration.ofSeconds(120));
            if (body instanceof byte[] raw) {
                b.header("Content-Type", "application/octet-stream").method(method, HttpRequest.BodyPublishers.ofByteArray(raw));
            } else if (body != null) {
                b.header("Content-Type", "application/json").method(method,
                        HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
            } else {
                b.method(method, HttpRequest.BodyPublishers.noBody());
            }
            HttpResponse<byte[]> r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
            String ct = r.headers().firstValue("Content-Type").orElse("");
            JsonNode json = ct.contains("json") && r.body().length > 0 ? JSON.readTree(r.body()) : null;
            return new Reply(r.statusCode(), json, r.body());
        }

        JsonNode ok(URI host, String method, String path, Object body) throws Exception {
            Reply r = call(host, method, path, body);
            assertThat(r.status()).as("%s %s -> %s", method, path, r.json()).isBetween(200, 299);
            return r.json();
        }

        JsonNode createVm(URI host, String name, Map<String, Long> disks, String kek, String annotation) throws Exception {
            ObjectNode req = JSON.createObjectNode().put("name", name);
            var arr = req.putArray("disks");
            disks.forEach((d, size) -> arr.addObject().put("name", d).put("sizeBytes", size));
            if (kek != null) {
                req.putObject("encryption").put("provider", "default").put("kekId", kek);
            } else {
                req.putNull("encryption");
            }
            if (annotation != null) {
                req.put("annotation", annotation);
            }
            Reply r = call(host, "POST", "/vms", req);
            assertThat(r.status()).as("create %s: %s", name, r.json()).isEqualTo(201);
            return r.json();
        }

        void write(URI host, String vm, String disk, long offset, byte[] data) throws Exception {
            Reply r = call(host, "PUT", "/vms/" + vm + "/disks/" + disk + "/data?offset=" + offset, data);
            assertThat(r.status()).as("write: %s", r.json()).isEqualTo(204);
        }

        byte[] read(URI host, String vm, String disk, long offset, int length) throws Exception {
            Reply r = call(host, "GET", "/vms/" + vm + "/disks/" + disk + "/data?offset=" + offset + "&length=" + length, null);
            assertThat(r.status()).as("read: %s", r.json()).isEqualTo(200);
            return r.body();
        }

        /** Starts a job and waits for its end; returns the final job JSON. */
        JsonNode job(URI host, String path, Object body) throws Exception {
            Reply r = call(host, "POST", path, body);
            assertThat(r.status()).as("%s: %s", path, r.json()).isEqualTo(202);
            return await(host, r.json().get("id").asText());
        }

        JsonNode await(URI host, String jobId) throws Exception {
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
            while (System.nanoTime() < deadline) {
                JsonNode j = ok(host, "GET", "/jobs/" + jobId, null);
                if (!j.get("state").asText().equals("running")) {
                    return j;
                }
                Thread.onSpinWait();
                Thread.sleep(20); // polling a remote job: there is no push channel to wait on
            }
            throw new AssertionError("job " + jobId + " did not finish in 3 minutes");
        }

        JsonNode succeeded(URI host, String path, Object body) throws Exception {
            JsonNode j = job(host, path, body);
            assertThat(j.get("state").asText()).as("job %s", j).isEqualTo("succeeded");
            return j;
        }
    }

    static ObjectNode encryptBody(String kek, List<String> components) {
        ObjectNode n = JSON.createObjectNode().put("provider", "default").put("kekId", kek);
        if (components == null) {
            n.putNull("components");
        } else {
            components.forEach(n.putArray("components")::add);
        }
        return n;
    }

    static ObjectNode rekeyBody(String kek, boolean deep, List<String> components) {
        ObjectNode n = encryptBody(kek, components);
        n.put("deep", deep);
        return n;
    }
}
