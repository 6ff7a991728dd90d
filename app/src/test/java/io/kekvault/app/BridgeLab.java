package io.kekvault.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kekvault.bridge.auth.Tokens;
import io.kekvault.bridge.client.BridgeClient;
import io.kekvault.bridge.host.HostClient;
import io.kekvault.kmip.http.KmsHttpClient;
import io.kekvault.kms.testkit.ChildJvm;
import io.kekvault.pki.Identity;
import io.kekvault.pki.PkiDirectory;
import io.kekvault.pki.tls.TlsContext;
import io.kekvault.pki.tls.TlsMaterial;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.URI;
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
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Test kit for the bridge end to end, every part a real process on loopback: a dev KMS
 * ({@code kekvault kms --dev}), simulated hosts ({@code kekvault host --config}), the bridge
 * ({@code kekvault bridge run}); the trust flow through the CLI; a host client with the bridge's
 * own certificate to write and read VM data.
 */
final class BridgeLab implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String PROVIDER = "kms";
    static final Duration TASK_TIMEOUT = Duration.ofMinutes(5);

    /** A child process whose stderr goes to {@code log}; {@code ready} is its ready line. */
    record Child(Process process, String ready, Path log) implements AutoCloseable {
        void kill9() throws InterruptedException {
            process.destroyForcibly();
            assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }

        void stop() throws InterruptedException {
            if (process.isAlive()) {
                process.destroy();
                if (!process.waitFor(60, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
                }
            }
        }

        /** SIGSTOP / SIGCONT: the process is alive but answers nothing. */
        void pause(boolean stop) throws Exception {
            Process k = new ProcessBuilder("kill", stop ? "-STOP" : "-CONT", Long.toString(process.pid())).inheritIO().start();
            assertThat(k.waitFor(10, TimeUnit.SECONDS)).isTrue();
            assertThat(k.exitValue()).isZero();
        }

        @Override
        public void close() throws InterruptedException {
            stop();
        }
    }

    /** Starts {@code Main args} in a child JVM and waits (bounded) until {@code readyLine} matches a line of its stdout. */
    static Child start(Path log, Map<String, String> env, Predicate<String> readyLine, List<String> collected, String... args)
            throws Exception {
        return start(Main.class, log, env, readyLine, collected, args);
    }

    /** As {@link #start(Path, Map, Predicate, List, String...)} with another main class. */
    static Child start(Class<?> main, Path log, Map<String, String> env, Predicate<String> readyLine, List<String> collected,
                       String... args) throws Exception {
        ProcessBuilder pb = ChildJvm.builder(List.of("-Dlogback.configurationFile=logback-child.xml"), main, env, args);
        pb.redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
        Process p = pb.start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line = CompletableFuture.supplyAsync(() -> {
            try {
                String l;
                while ((l = out.readLine()) != null) {
                    if (collected != null) {
                        collected.add(l);
                    }
                    if (readyLine.test(l)) {
                        return l;
                    }
                }
            } catch (IOException ignored) {
                // the process died: fall through
            }
            return null;
        }).get(180, TimeUnit.SECONDS);
        if (line == null) {
            p.destroyForcibly();
            throw new AssertionError("child " + String.join(" ", args) + " exited before it was ready; log:\n"
                    + (Files.exists(log) ? Files.readString(log) : ""));
        }
        // keep draining stdout so the child never blocks on a full pipe
        Thread.ofVirtual().start(() -> {
            try {
                while (out.readLine() != null) {
                    // discard
                }
            } catch (IOException ignored) {
                // closed
            }
        });
        return new Child(p, line, log);
    }

    // ================================================================== KMS

    /** A dev KMS: its directory, HTTPS and KMIP ports. */
    record Kms(Path dir, Child child, int httpsPort, int kmipPort) implements AutoCloseable {
        Path pki() {
            return dir.resolve("pki");
        }

        String https() {
            return "https://127.0.0.1:" + httpsPort;
        }

        String kmip() {
            return "127.0.0.1:" + kmipPort;
        }

        KmsHttpClient client(String identity) throws Exception {
            TlsContext tls = TlsContext.client(TlsMaterial.client(PkiDirectory.of(pki()), Identity.parse(identity)));
            return new KmsHttpClient(List.of(URI.create(https())), tls.sslContext(), tls.sslParameters(), Duration.ofSeconds(30), null);
        }

        @Override
        public void close() throws InterruptedException {
            child.stop();
        }
    }

    static final Pattern KMS_READY = Pattern.compile("https=https://127\\.0\\.0\\.1:(\\d+)(?: kmip=127\\.0\\.0\\.1:(\\d+))?");

    static Kms startKms(Path dir) throws Exception {
        Path log = dir.resolveSibling(dir.getFileName() + ".log");
        Child c = start(log, Map.of(), l -> l.startsWith("ready "), null, "kms", "--dev", dir.toString(),
                "--https-port", "0", "--kmip-port", "0", "--health-port", "0");
        Matcher m = KMS_READY.matcher(c.ready());
        assertThat(m.find()).as(c.ready()).isTrue();
        if (m.group(2) == null) {
            c.stop();
            throw new AssertionError("the KMS serves no KMIP listener (ready line: " + c.ready() + "); the bridge needs the KMIP "
                    + "server of the kmip-server branch");
        }
        return new Kms(dir, c, Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
    }

    // ================================================================== hosts

    /** One host of a host config. */
    record HostSpec(String id, String cluster) {
    }

    /** A host process and its hosts' command URLs. */
    record Hosts(Child child, Map<String, String> urls) implements AutoCloseable {
        String url(String id) {
            return urls.get(id);
        }

        @Override
        public void close() throws InterruptedException {
            child.stop();
        }
    }

    static final Pattern HOST_READY = Pattern.compile("^ready host=(\\S+) https=(\\S+) ");

    /** Writes a host config: one key provider named {@link #PROVIDER} with {@code kmsUrls} (failover order). */
    static Path hostConfig(Path root, Path pki, List<String> kmsUrls, Map<String, Path> clusters, List<HostSpec> hosts) throws IOException {
        return hostConfig(root, pki, kmsUrls, clusters, hosts, Map.of());
    }

    /** As above with fixed command ports for some hosts (so a restarted host process keeps its URLs). */
    static Path hostConfig(Path root, Path pki, List<String> kmsUrls, Map<String, Path> clusters, List<HostSpec> hosts,
                           Map<String, Integer> ports) throws IOException {
        StringBuilder y = new StringBuilder();
        y.append("pki-dir: ").append(pki).append('\n');
        y.append("bridge-identity: vcenter\n");
        y.append("xts-workers: 1\n");
        y.append("kms-timeout-seconds: 10\n");
        y.append("providers:\n  ").append(PROVIDER).append(":\n    endpoints:\n");
        kmsUrls.forEach(e -> y.append("      - ").append(e).append('\n'));
        y.append("clusters:\n");
        clusters.forEach((name, ds) -> y.append("  ").append(name).append(":\n    datastore: ").append(ds).append('\n'));
        y.append("hosts:\n");
        for (HostSpec h : hosts) {
            y.append("  - id: \"").append(h.id()).append("\"\n    cluster: ").append(h.cluster()).append('\n');
            if (ports.containsKey(h.id())) {
                y.append("    port: ").append(ports.get(h.id())).append('\n');
            }
        }
        Files.createDirectories(root);
        Path file = root.resolve("hosts-" + hosts.getFirst().id() + ".yaml");
        Files.writeString(file, y.toString());
        return file;
    }

    static Hosts startHosts(Path config, Path log) throws Exception {
        List<String> lines = new ArrayList<>();
        Child c = start(log, Map.of(), l -> l.startsWith("ready hosts="), lines, "host", "--config", config.toString());
        Map<String, String> urls = new LinkedHashMap<>();
        for (String l : lines) {
            Matcher m = HOST_READY.matcher(l);
            if (m.find()) {
                urls.put(m.group(1), m.group(2));
            }
        }
        return new Hosts(c, urls);
    }

    /** A free loopback port (for processes that must come back at the same address). */
    static int freePort() throws IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** A TCP forwarder process to {@code targets}; returns it and its listening ports in order. */
    static Child proxy(Path log, int... targets) throws Exception {
        String[] args = java.util.Arrays.stream(targets).mapToObj(String::valueOf).toArray(String[]::new);
        return start(TcpProxyMain.class, log, Map.of(), l -> l.startsWith("ready ports="), null, args);
    }

    static int[] proxyPorts(Child proxy) {
        return java.util.Arrays.stream(proxy.ready().substring("ready ports=".length()).split(",")).mapToInt(Integer::parseInt).toArray();
    }

    // ================================================================== bridge

    final Path root;
    final Path bridgeDir;
    final Map<String, String> tokens = new LinkedHashMap<>();
    Child bridge;
    URI bridgeUrl;

    BridgeLab(Path root) throws IOException {
        this.root = root;
        this.bridgeDir = root.resolve("bridge");
        Files.createDirectories(bridgeDir);
        StringBuilder y = new StringBuilder("data-dir: data\nlisten: {host: 127.0.0.1, port: 0}\nkms: {timeout-seconds: 10}\n"
                + "hosts: {timeout-seconds: 15, job-timeout-seconds: 600}\nusers:\n");
        for (String[] u : List.of(new String[] {"alice", "Admin"}, new String[] {"olivia", "NoCryptoAdmin"},
                new String[] {"rita", "ReadOnly"})) {
            String token = Tokens.generate();
            tokens.put(u[0], token);
            Files.writeString(bridgeDir.resolve(u[0] + ".token"), token);
            y.append("  - {name: ").append(u[0]).append(", role: ").append(u[1]).append(", token-sha256: ")
                    .append(Tokens.sha256(token)).append("}\n");
        }
        Files.writeString(bridgeDir.resolve("bridge.yaml"), y.toString());
    }

    Path config() {
        return bridgeDir.resolve("bridge.yaml");
    }

    Path dataDir() {
        return bridgeDir.resolve("data");
    }

    Path log() {
        return root.resolve("bridge.log");
    }

    Path tokenFile(String user) {
        return bridgeDir.resolve(user + ".token");
    }

    /** Starts (or restarts) the bridge process; {@code env} may set a failpoint. */
    void startBridge(Map<String, String> env) throws Exception {
        bridge = start(log(), env, l -> l.startsWith("ready url="), null, "bridge", "run", "--config", config().toString(), "--port", "0");
        Matcher m = Pattern.compile("ready url=(\\S+)").matcher(bridge.ready());
        assertThat(m.find()).isTrue();
        bridgeUrl = URI.create(m.group(1));
    }

    BridgeClient client(String user) {
        return new BridgeClient(bridgeUrl, tokens.get(user));
    }

    /** Runs {@code kekvault args} in this JVM; returns exit code, stdout and stderr. */
    static Object[] cli(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        synchronized (BridgeLab.class) {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            try {
                int code = Main.run(args);
                return new Object[] {code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8)};
            } finally {
                System.setOut(oldOut);
                System.setErr(oldErr);
            }
        }
    }

    /** A bridge client command as {@code user}; asserts the exit code; returns {stdout, stderr}. */
    String[] bridgeCli(String user, int expectedExit, String... args) {
        List<String> a = new ArrayList<>(List.of("bridge"));
        a.addAll(List.of(args));
        a.addAll(List.of("--url", bridgeUrl.toString(), "--token-file", tokenFile(user).toString()));
        Object[] r = cli(a.toArray(String[]::new));
        assertThat((int) r[0]).as("bridge %s -> %s %s", String.join(" ", args), r[1], r[2]).isEqualTo(expectedExit);
        return new String[] {(String) r[1], (String) r[2]};
    }

    /**
     * The vCenter trust flow, through the CLI: add the provider, the bridge makes a key pair and a
     * CSR, the KMS CA signs it ({@code pki sign-csr}, role admin), the bridge installs it; then a check.
     */
    void trust(Kms kms, List<String[]> endpoints) throws Exception {
        List<String> add = new ArrayList<>(List.of("provider", "add", PROVIDER, "--default"));
        for (String[] e : endpoints) {
            add.add("--endpoint");
            add.add(e[0] + "," + e[1]);
        }
        bridgeCli("alice", 0, add.toArray(String[]::new));
        Path csr = root.resolve("bridge.csr");
        Path cert = root.resolve("bridge.pem");
        bridgeCli("alice", 0, "provider", "csr", PROVIDER, "--out", csr.toString());
        Object[] signed = cli("pki", "sign-csr", "--dir", kms.pki().toString(), "--csr", csr.toString(), "--role", "admin",
                "--out", cert.toString(), "--force");
        assertThat((int) signed[0]).as((String) signed[1]).isZero();
        bridgeCli("alice", 0, "provider", "install-cert", PROVIDER, "--cert", cert.toString(), "--ca", kms.pki().resolve("ca.pem").toString());
    }

    /** A host client with the bridge's own certificate (hosts accept only the bridge). */
    HostClient hostClient(String label, String url) throws Exception {
        Path p = dataDir().resolve("providers").resolve(PROVIDER);
        TlsContext tls = TlsContext.client(TlsMaterial.load(p.resolve("client.pem"), p.resolve("client.key"), p.resolve("ca.pem")));
        return new HostClient(label, URI.create(url), tls, Duration.ofSeconds(30));
    }

    /** Submits a task and waits for it; returns the finished task (with its log). */
    static JsonNode task(BridgeClient c, String method, String path, JsonNode body) throws Exception {
        JsonNode accepted = c.send(method, path, body);
        assertThat(accepted.path("state").asText()).isIn("queued", "running");
        return c.waitTask(accepted.path("id").asText(), TASK_TIMEOUT, null);
    }

    /** As {@link #task} and asserts success. */
    static JsonNode ok(BridgeClient c, String method, String path, JsonNode body) throws Exception {
        JsonNode t = task(c, method, path, body);
        assertThat(t.path("state").asText()).as("task %s %s: %s", method, path, t.toPrettyString()).isEqualTo("succeeded");
        return t;
    }

    static List<String> log(JsonNode task) {
        List<String> out = new ArrayList<>();
        task.path("log").forEach(e -> out.add(e.path("message").asText()));
        return out;
    }

    @Override
    public void close() throws InterruptedException {
        if (bridge != null) {
            bridge.stop();
        }
    }
}
