package io.kekvault.kms.testkit;

import io.kekvault.kmip.client.ConnectionMode;
import io.kekvault.kmip.client.KmipClient;
import io.kekvault.kmip.client.KmipClientConfig;
import io.kekvault.kmip.client.KmipEndpoint;
import io.kekvault.kmip.http.KmsHttpClient;
import io.kekvault.kmip.message.ProtocolVersion;
import io.kekvault.kms.server.kmip.KmipListener;
import io.kekvault.kms.config.KmsConfig;
import io.kekvault.kms.server.KmsServer;
import io.kekvault.pki.Identity;
import io.kekvault.pki.InitOptions;
import io.kekvault.pki.IssueOptions;
import io.kekvault.pki.PkiDirectory;
import io.kekvault.pki.PkiService;
import io.kekvault.pki.tls.TlsContext;
import io.kekvault.pki.tls.TlsMaterial;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A KMS on loopback for tests: PKI (with the usual identities, plus an expired certificate and a
 * foreign CA), a config on the class's SoftHSM token, and clients per identity. Ports are chosen
 * by the OS.
 */
public final class KmsTestEnv implements AutoCloseable {
    public static final Map<String, String> IDENTITIES = new LinkedHashMap<>();

    static {
        IDENTITIES.put("admin", "admin");
        IDENTITIES.put("vcenter", "admin");
        IDENTITIES.put("esxi-1", "host");
        IDENTITIES.put("esxi-2", "host");
        IDENTITIES.put("kmip-client", "client");
        IDENTITIES.put("auditor", "auditor");
        IDENTITIES.put("expired", "admin");
    }

    private final Path dir;
    private final Path pki;
    private final Path foreignPki;
    private final Path configFile;
    private KmsServer server;

    private KmsTestEnv(Path dir, Path configFile) {
        this.dir = dir;
        this.pki = dir.resolve("pki");
        this.foreignPki = dir.resolve("foreign-pki");
        this.configFile = configFile;
    }

    /** Writes PKI and config for {@code token}; extra YAML lines are appended to the config. */
    public static KmsTestEnv prepare(SoftHsmToken token, String extraYaml) throws Exception {
        return prepare(token, extraYaml, "");
    }

    /**
     * As {@link #prepare(SoftHsmToken, String)}, with extra lines for the {@code kmip:} section
     * (indented two spaces, e.g. {@code "  idle-timeout-seconds: 2"}).
     */
    public static KmsTestEnv prepare(SoftHsmToken token, String extraYaml, String kmipYaml) throws Exception {
        Path dir = Files.createTempDirectory(token.dir(), "kms-");
        PkiService pkiService = new PkiService();
        Path pki = dir.resolve("pki");
        pkiService.init(pki, InitOptions.defaults());
        for (var e : IDENTITIES.entrySet()) {
            IssueOptions o = IssueOptions.defaults();
            if (e.getKey().equals("expired")) {
                o = o.withValidityPeriod(Instant.now().minus(Duration.ofDays(30)), Instant.now().minus(Duration.ofDays(1)));
            }
            pkiService.issue(pki, e.getKey(), e.getValue(), o);
        }
        Path foreign = dir.resolve("foreign-pki");
        pkiService.init(foreign, InitOptions.defaults());
        pkiService.issue(foreign, "admin", "admin", IssueOptions.defaults());
        Path config = dir.resolve("kms.yaml");
        Files.writeString(config, String.join("\n", List.of(
                "node-id: test-node",
                "hsm:",
                "  backend: pkcs11",
                "  module: " + token.module(),
                "  token-label: " + token.label(),
                "  pin: file:" + token.pinFile(),
                "  max-sessions: 8",
                "store:",
                "  path: data/kms.db",
                "audit:",
                "  dir: audit",
                "tls:",
                "  ca: pki/ca.pem",
                "  cert: pki/server.pem",
                "  key: pki/server.key",
                "https:",
                "  port: 0",
                "  max-body-bytes: 65536",
                "kmip:",
                "  port: 0",
                kmipYaml == null ? "" : kmipYaml,
                "health:",
                "  port: 0",
                "access:",
                "  role-map-file: pki/roles.properties",
                "shutdown-grace-seconds: 5",
                extraYaml == null ? "" : extraYaml,
                "")));
        return new KmsTestEnv(dir, config);
    }

    /**
     * Writes the config of one node of a cluster into this environment: {@code <nodeId>.yaml},
     * sharing this PKI, token and audit directory (each node writes its own
     * {@code audit-<nodeId>.jsonl}), on fixed ports so a restarted node comes back where its
     * clients expect it. {@code storeYaml} is the whole {@code store:} section.
     */
    public Path writeNodeConfig(SoftHsmToken token, String nodeId, String storeYaml, int httpsPort, int healthPort,
                                String extraYaml) throws IOException {
        Path config = dir.resolve(nodeId + ".yaml");
        Files.writeString(config, String.join("\n", List.of(
                "node-id: " + nodeId,
                "hsm:",
                "  backend: pkcs11",
                "  module: " + token.module(),
                "  token-label: " + token.label(),
                "  pin: file:" + token.pinFile(),
                "  max-sessions: 8",
                storeYaml,
                "audit:",
                "  dir: audit",
                "tls:",
                "  ca: pki/ca.pem",
                "  cert: pki/server.pem",
                "  key: pki/server.key",
                "https:",
                "  port: " + httpsPort,
                "  max-body-bytes: 65536",
                "kmip:",
                "  port: 0",
                "health:",
                "  port: " + healthPort,
                "access:",
                "  role-map-file: pki/roles.properties",
                "shutdown-grace-seconds: 5",
                extraYaml == null ? "" : extraYaml,
                "")));
        return config;
    }

    /** The audit file of node {@code nodeId} in this environment's audit directory. */
    public Path auditFile(String nodeId) {
        return dir.resolve("audit").resolve("audit-" + nodeId + ".jsonl");
    }

    /** Starts the KMS with its KMIP listener. */
    public KmsTestEnv start() throws Exception {
        server = KmsServer.start(KmsConfig.load(configFile), Clock.systemUTC(), List.of(KmipListener.factory()));
        return this;
    }

    /** The KMIP port (the listener's actual port). */
    public int kmipPort() {
        return server.extraPorts().getFirst();
    }

    public KmipEndpoint kmipEndpoint() {
        return new KmipEndpoint("127.0.0.1", kmipPort());
    }

    /** The project's KMIP client for {@code identity}, speaking {@code version}. */
    public KmipClient kmipClient(String identity, ProtocolVersion version, ConnectionMode mode) throws Exception {
        return new KmipClient(KmipClientConfig.builder(tls(identity).sslContext())
                .endpoint(kmipEndpoint())
                .protocolVersion(version)
                .connectionMode(mode)
                .readTimeout(Duration.ofSeconds(60))
                .build());
    }

    /** The directory of a PKI identity's files (for external tools: PyKMIP, openssl). */
    public Path pemFile(String identity, String ext) {
        return pki.resolve(identity + "." + ext);
    }

    public KmsServer server() {
        return server;
    }

    public Path dir() {
        return dir;
    }

    public Path pki() {
        return pki;
    }

    public Path foreignPki() {
        return foreignPki;
    }

    public Path configFile() {
        return configFile;
    }

    public Path auditFile() {
        return dir.resolve("audit").resolve("audit-test-node.jsonl");
    }

    public URI httpsUri() {
        return URI.create("https://127.0.0.1:" + server.httpsPort());
    }

    public URI healthUri() {
        return URI.create("http://127.0.0.1:" + server.healthPort());
    }

    public TlsContext tls(String identity) throws Exception {
        return TlsContext.client(TlsMaterial.client(new PkiDirectory(pki), Identity.parse(identity)));
    }

    /** The API client for {@code identity}. */
    public KmsHttpClient client(String identity) throws Exception {
        TlsContext t = tls(identity);
        return new KmsHttpClient(List.of(httpsUri()), t.sslContext(), t.sslParameters(), Duration.ofSeconds(30), null);
    }

    /** A raw HTTP client presenting {@code identity}'s certificate (for malformed requests). */
    public HttpClient raw(String identity) throws Exception {
        TlsContext t = tls(identity);
        return HttpClient.newBuilder().sslContext(t.sslContext()).sslParameters(t.sslParameters())
                .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();
    }

    /** Raw client with a certificate from another CA (same identity name). */
    public HttpClient rawForeign() throws Exception {
        TlsMaterial m = TlsMaterial.load(foreignPki.resolve("admin.pem"), foreignPki.resolve("admin.key"), pki.resolve("ca.pem"));
        TlsContext t = TlsContext.client(m);
        return HttpClient.newBuilder().sslContext(t.sslContext()).sslParameters(t.sslParameters())
                .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();
    }

    /** Raw client that trusts the KMS but presents no certificate. */
    public HttpClient rawAnonymous() throws Exception {
        TlsContext t = TlsContext.client(TlsMaterial.trustOnly(pki.resolve("ca.pem")));
        return HttpClient.newBuilder().sslContext(t.sslContext()).sslParameters(t.sslParameters())
                .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();
    }

    public HttpResponse<String> send(HttpClient c, String method, String path, String contentType, byte[] body)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(httpsUri().resolve(path)).timeout(Duration.ofSeconds(30));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        return c.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Override
    public void close() {
        if (server != null) {
            server.close();
            server = null;
        }
    }
}
