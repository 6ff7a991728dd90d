package io.kekvault.kms.testkit;

import io.kekvault.kmip.client.ConnectionMode;
import io.kekvault.kmip.client.KmipClient;
import io.kekvault.kmip.client.KmipClientConfig;
import io.kekvault.kmip.client.KmipEndpoint;
import io.kekvault.kmip.http.KmsHttpClient;
import io.kekvault.kmip.message.ProtocolVersion;
import io.kekvault.kms.dev.PostgresDatabase;
import io.kekvault.pki.Identity;
import io.kekvault.pki.PkiDirectory;
import io.kekvault.pki.tls.TlsContext;
import io.kekvault.pki.tls.TlsMaterial;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Several KMS nodes, each in its own JVM, on one SoftHSM token directory and one PostgreSQL
 * database: the scale-out deployment of ARCHITECTURE section 8 on loopback. Nodes share the PKI
 * and the audit directory (one {@code audit-<node>.jsonl} each) and keep fixed ports, so a node
 * killed and restarted comes back at the address its clients know.
 */
public final class KmsCluster implements AutoCloseable {

    /** One node: its config, ports, log, and its process while it runs. */
    public final class Node {
        private final String id;
        private final Path config;
        private final int httpsPort;
        private final int healthPort;
        private final Path log;
        private volatile KmsProcess process;

        private Node(String id, Path config, int httpsPort, int healthPort, Path log) {
            this.id = id;
            this.config = config;
            this.httpsPort = httpsPort;
            this.healthPort = healthPort;
            this.log = log;
        }

        public String id() {
            return id;
        }

        public URI uri() {
            return URI.create("https://127.0.0.1:" + httpsPort);
        }

        public URI healthUri() {
            return URI.create("http://127.0.0.1:" + healthPort);
        }

        public Path log() {
            return log;
        }

        public Path config() {
            return config;
        }

        public Path auditFile() {
            return env.auditFile(id);
        }

        public KmsProcess process() {
            return process;
        }

        public boolean running() {
            return process != null && process.isAlive();
        }

        /** Starts the node's JVM and waits for its ready line (bounded). */
        public synchronized Node start() throws Exception {
            if (running()) {
                throw new IllegalStateException(id + " is already running");
            }
            process = KmsProcess.start(config, env.pki(), token, log, nodeJvmOptions);
            return this;
        }

        public synchronized void kill9() throws InterruptedException {
            if (process != null) {
                process.kill9();
            }
        }

        /** SIGTERM, clean shutdown. */
        public synchronized void stop() throws InterruptedException {
            if (process != null) {
                process.close();
            }
        }

        /** A client of this node only. */
        public KmsHttpClient client(String identity) throws Exception {
            return KmsCluster.this.client(identity, Duration.ofSeconds(30), null, this);
        }

        /** The project's KMIP client for {@code identity}, to this node only (one connection per request). */
        public KmipClient kmipClient(String identity, ProtocolVersion version) throws Exception {
            TlsContext t = TlsContext.client(TlsMaterial.client(new PkiDirectory(env.pki()), Identity.parse(identity)));
            return new KmipClient(KmipClientConfig.builder(t.sslContext())
                    .endpoint(new KmipEndpoint("127.0.0.1", process.kmipPort()))
                    .protocolVersion(version)
                    .connectionMode(ConnectionMode.PER_REQUEST)
                    .readTimeout(Duration.ofSeconds(30))
                    .build());
        }

        /** GET /ready on the plain-HTTP health listener. */
        public HttpResponse<String> ready() throws IOException, InterruptedException {
            return plain.send(HttpRequest.newBuilder(healthUri().resolve("/ready")).timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString());
        }

        /** A raw HTTPS request presenting {@code identity}'s certificate, for checking status codes and bodies. */
        public HttpResponse<String> send(String identity, String method, String path, String jsonBody)
                throws Exception {
            HttpRequest.Builder b = HttpRequest.newBuilder(uri().resolve(path)).timeout(Duration.ofSeconds(30));
            if (jsonBody != null) {
                b.header("Content-Type", "application/json");
            }
            b.method(method, jsonBody == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(jsonBody));
            return env.raw(identity).send(b.build(), HttpResponse.BodyHandlers.ofString());
        }

        @Override
        public String toString() {
            return id + "@" + httpsPort;
        }
    }

    private final SoftHsmToken token;
    private final KmsTestEnv env;
    private final List<Node> nodes = new ArrayList<>();
    private volatile List<String> nodeJvmOptions = List.of("-Dlogback.configurationFile=logback-child.xml");
    private final HttpClient plain = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    private KmsCluster(SoftHsmToken token, KmsTestEnv env) {
        this.token = token;
        this.env = env;
    }

    /**
     * Writes PKI and one config per node ({@code node-a}, {@code node-b}, ...), all on
     * {@code storeYaml} (the shared {@code store:} section). Nothing runs yet.
     */
    public static KmsCluster prepare(SoftHsmToken token, String storeYaml, int nodeCount, String extraYaml) throws Exception {
        KmsCluster c = new KmsCluster(token, KmsTestEnv.prepare(token, null));
        for (int i = 0; i < nodeCount; i++) {
            String id = "node-" + (char) ('a' + i);
            int https = freePort();
            int health = freePort();
            Path config = c.env.writeNodeConfig(token, id, storeYaml, https, health, extraYaml);
            c.nodes.add(c.new Node(id, config, https, health, c.env.dir().resolve(id + ".log")));
        }
        return c;
    }

    /** {@link #prepare} on a PostgreSQL database (pool of 4, 2 s connection timeout). */
    public static KmsCluster prepare(SoftHsmToken token, PostgresDatabase db, int nodeCount) throws Exception {
        return prepare(token, db.storeYaml(4, 2), nodeCount, null);
    }

    /**
     * JVM options of the node processes started from now on (default: the tests' DEBUG log
     * configuration; benchmarks use {@code logback-bench-node.xml}).
     */
    public KmsCluster nodeJvmOptions(List<String> options) {
        this.nodeJvmOptions = List.copyOf(options);
        return this;
    }

    /** Starts every node that is not running, in parallel, and waits until all are ready. */
    public KmsCluster startAll() throws Exception {
        List<CompletableFuture<Node>> starting = new ArrayList<>();
        for (Node n : nodes) {
            if (!n.running()) {
                starting.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        return n.start();
                    } catch (Exception e) {
                        throw new IllegalStateException("start of " + n.id() + " failed", e);
                    }
                }));
            }
        }
        for (CompletableFuture<Node> f : starting) {
            f.get(180, TimeUnit.SECONDS);
        }
        return this;
    }

    public Node node(int i) {
        return nodes.get(i);
    }

    public List<Node> nodes() {
        return List.copyOf(nodes);
    }

    public KmsTestEnv env() {
        return env;
    }

    public SoftHsmToken token() {
        return token;
    }

    /**
     * A fail-over client for {@code identity} with the endpoints of {@code order}, in that order
     * (the first is where it starts).
     */
    public KmsHttpClient client(String identity, Duration timeout, KmsHttpClient.FailoverListener listener, Node... order)
            throws Exception {
        TlsContext t = TlsContext.client(TlsMaterial.client(new PkiDirectory(env.pki()), Identity.parse(identity)));
        List<URI> endpoints = new ArrayList<>();
        for (Node n : order) {
            endpoints.add(n.uri());
        }
        return new KmsHttpClient(endpoints, t.sslContext(), t.sslParameters(), timeout, listener);
    }

    /**
     * Stops every running node with SIGTERM, then copies the node logs to
     * {@code target/cluster-logs/<env dir>/} (the environment itself goes away with the token), so a
     * failed run can be read afterwards.
     */
    @Override
    public void close() {
        for (Node n : nodes) {
            try {
                n.stop();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        Path keep = Path.of(System.getProperty("kekvault.cluster.logs", "target/cluster-logs"))
                .resolve(env.dir().getFileName().toString());
        try {
            java.nio.file.Files.createDirectories(keep);
            for (Node n : nodes) {
                if (java.nio.file.Files.exists(n.log())) {
                    java.nio.file.Files.copy(n.log(), keep.resolve(n.log().getFileName()),
                            java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
            System.out.println("[cluster] node logs kept in " + keep.toAbsolutePath());
            for (Node n : nodes) {
                printHsmWarnings(n);
            }
        } catch (IOException e) {
            System.out.println("[cluster] could not keep the node logs: " + e);
        }
    }

    /**
     * Echoes a node's HSM warnings and errors (the PKCS#11 return code behind a general failure),
     * at most 20, so that a CI log shows them without the node logs.
     */
    private static void printHsmWarnings(Node n) throws IOException {
        if (!java.nio.file.Files.exists(n.log())) {
            return;
        }
        try (var lines = java.nio.file.Files.lines(n.log(), java.nio.charset.StandardCharsets.ISO_8859_1)) {
            lines.filter(l -> (l.contains(" WARN ") || l.contains(" ERROR ")) && l.contains("event=hsm_"))
                    .limit(20).forEach(l -> System.out.println("[cluster] " + n.id() + ": " + l));
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
