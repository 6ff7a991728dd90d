package io.kekvault.bridge.config;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.kekvault.bridge.auth.Authenticator;
import io.kekvault.bridge.auth.Privilege;
import io.kekvault.bridge.auth.Role;
import io.kekvault.kmip.client.ConnectionMode;
import io.kekvault.kmip.message.ProtocolVersion;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The bridge configuration file (YAML), documented in docs/bridge-config.md. Every option but
 * the users has a default; relative paths resolve against the file's directory; unknown options
 * are refused. The file holds no secret: operator tokens appear only as SHA-256 hashes, and the
 * bridge's private keys live in 0600 files under the data directory.
 */
@JsonIgnoreProperties(ignoreUnknown = false)
public record BridgeConfig(
        @JsonProperty("data-dir") String dataDir,
        Listen listen,
        Hosts hosts,
        Kms kms,
        Tasks tasks,
        List<UserEntry> users,
        List<RoleEntry> roles) {

    public record Listen(String host, Integer port, ListenTls tls) {
    }

    /** Optional HTTPS for the operator API; {@code client-ca} lets operators sign in with certificates. */
    public record ListenTls(String cert, String key, @JsonProperty("client-ca") String clientCa) {
    }

    /** How the bridge reaches hosts: mutual TLS with the certificate of a key provider, or explicit files. */
    public record Hosts(HostsTls tls, @JsonProperty("timeout-seconds") Integer timeoutSeconds,
                        @JsonProperty("job-timeout-seconds") Integer jobTimeoutSeconds) {
    }

    public record HostsTls(String provider, String cert, String key, String ca) {
    }

    public record Kms(@JsonProperty("kmip-version") String kmipVersion, String connection,
                      @JsonProperty("timeout-seconds") Integer timeoutSeconds,
                      @JsonProperty("product-version") String productVersion) {
    }

    public record Tasks(@JsonProperty("max-parallel") Integer maxParallel) {
    }

    public record UserEntry(String name, String role, @JsonProperty("token-sha256") String tokenSha256,
                            @JsonProperty("certificate-cn") String certificateCn) {
    }

    public record RoleEntry(String name, List<String> privileges) {
    }

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true)
            .setPropertyNamingStrategy(PropertyNamingStrategies.KEBAB_CASE);

    /** Reads and validates a config file. */
    public static Resolved load(Path file) throws IOException {
        BridgeConfig raw = YAML.readValue(Files.readString(file), BridgeConfig.class);
        if (raw == null) {
            throw new IllegalArgumentException(file + ": empty configuration");
        }
        return new Resolved(raw, file.toAbsolutePath().getParent());
    }

    /** The configuration with defaults applied and paths resolved; constructing it validates everything. */
    public static final class Resolved {
        private final BridgeConfig c;
        private final Path base;
        private final Map<String, Role> roles = new LinkedHashMap<>();
        private final List<Authenticator.User> users = new ArrayList<>();

        public Resolved(BridgeConfig c, Path base) {
            this.c = c;
            this.base = base;
            for (Role r : Role.BUILT_IN) {
                roles.put(r.name().toLowerCase(Locale.ROOT), r);
            }
            if (c.roles() != null) {
                for (RoleEntry e : c.roles()) {
                    if (e.name() == null || e.name().isBlank()) {
                        throw new IllegalArgumentException("roles: every role needs a name");
                    }
                    if (roles.containsKey(e.name().toLowerCase(Locale.ROOT))) {
                        throw new IllegalArgumentException("roles: '" + e.name() + "' is already defined (built-in roles: Admin, NoCryptoAdmin, ReadOnly)");
                    }
                    Set<Privilege> ps = EnumSet.noneOf(Privilege.class);
                    for (String p : e.privileges() == null ? List.<String>of() : e.privileges()) {
                        ps.add(Privilege.byId(p).orElseThrow(() -> new IllegalArgumentException(
                                "roles: " + e.name() + ": unknown privilege '" + p + "'")));
                    }
                    roles.put(e.name().toLowerCase(Locale.ROOT), new Role(e.name(), ps));
                }
            }
            if (c.users() == null || c.users().isEmpty()) {
                throw new IllegalArgumentException("users: at least one operator is required (see docs/bridge-config.md)");
            }
            Set<String> names = new HashSet<>();
            for (UserEntry u : c.users()) {
                if (u.name() == null || u.name().isBlank() || !names.add(u.name())) {
                    throw new IllegalArgumentException("users: every user needs a unique name");
                }
                Role role = roles.get(u.role() == null ? "" : u.role().toLowerCase(Locale.ROOT));
                if (role == null) {
                    throw new IllegalArgumentException("users: " + u.name() + ": unknown role '" + u.role() + "'");
                }
                if (u.tokenSha256() == null && u.certificateCn() == null) {
                    throw new IllegalArgumentException("users: " + u.name() + ": needs token-sha256 or certificate-cn");
                }
                if (u.tokenSha256() != null && !u.tokenSha256().matches("[0-9a-f]{64}")) {
                    throw new IllegalArgumentException("users: " + u.name() + ": token-sha256 must be 64 lower-case hex digits");
                }
                users.add(new Authenticator.User(u.name(), role, u.tokenSha256(), u.certificateCn()));
            }
            if (listenTls() == null && users.stream().anyMatch(u -> u.certificateCn() != null && u.tokenSha256() == null)) {
                throw new IllegalArgumentException("users: certificate-cn needs listen.tls with a client-ca");
            }
            kmipVersion();
            connectionMode();
            if (maxParallelTasks() < 1) {
                throw new IllegalArgumentException("tasks.max-parallel must be positive");
            }
        }

        private Path path(String p) {
            return p == null ? null : base.resolve(p).normalize();
        }

        /** The same configuration listening elsewhere: {@code host} and/or {@code port} (0 = any free port) when not null. */
        public Resolved withListen(String host, Integer port) {
            Listen old = c.listen() == null ? new Listen(null, null, null) : c.listen();
            Listen l = new Listen(host != null ? host : old.host(), port != null ? port : old.port(), old.tls());
            return new Resolved(new BridgeConfig(c.dataDir(), l, c.hosts(), c.kms(), c.tasks(), c.users(), c.roles()), base);
        }

        public Path base() {
            return base;
        }

        public Path dataDir() {
            return path(c.dataDir() == null ? "data" : c.dataDir());
        }

        public Path databaseFile() {
            return dataDir().resolve("bridge.db");
        }

        /** Where the bridge keeps each provider's key pair, CSR, certificate and trusted CA. */
        public Path providersDir() {
            return dataDir().resolve("providers");
        }

        public String listenHost() {
            return c.listen() == null || c.listen().host() == null ? "127.0.0.1" : c.listen().host();
        }

        public int listenPort() {
            return c.listen() == null || c.listen().port() == null ? 9090 : c.listen().port();
        }

        public ListenTls listenTls() {
            if (c.listen() == null || c.listen().tls() == null) {
                return null;
            }
            ListenTls t = c.listen().tls();
            return new ListenTls(str(path(t.cert())), str(path(t.key())), str(path(t.clientCa())));
        }

        private static String str(Path p) {
            return p == null ? null : p.toString();
        }

        /** Host TLS: explicit files, or null to use a provider's certificate ({@link #hostsTlsProvider()}). */
        public HostsTls hostsTlsFiles() {
            HostsTls t = c.hosts() == null ? null : c.hosts().tls();
            if (t == null || t.cert() == null) {
                return null;
            }
            if (t.key() == null || t.ca() == null) {
                throw new IllegalArgumentException("hosts.tls: cert, key and ca go together");
            }
            return new HostsTls(null, str(path(t.cert())), str(path(t.key())), str(path(t.ca())));
        }

        /** The provider whose installed certificate the bridge presents to hosts (null: the default provider). */
        public String hostsTlsProvider() {
            HostsTls t = c.hosts() == null ? null : c.hosts().tls();
            return t == null ? null : t.provider();
        }

        public Duration hostTimeout() {
            return Duration.ofSeconds(c.hosts() == null || c.hosts().timeoutSeconds() == null ? 30 : c.hosts().timeoutSeconds());
        }

        public Duration hostJobTimeout() {
            return Duration.ofSeconds(c.hosts() == null || c.hosts().jobTimeoutSeconds() == null ? 3600 : c.hosts().jobTimeoutSeconds());
        }

        public ProtocolVersion kmipVersion() {
            String v = c.kms() == null || c.kms().kmipVersion() == null ? "1.4" : c.kms().kmipVersion();
            try {
                return ProtocolVersion.parse(v);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("kms.kmip-version: '" + v + "' is not a KMIP version such as 1.4 or 2.1");
            }
        }

        public ConnectionMode connectionMode() {
            String v = c.kms() == null || c.kms().connection() == null ? "per-request" : c.kms().connection();
            return switch (v) {
                case "per-request" -> ConnectionMode.PER_REQUEST;
                case "pooled" -> ConnectionMode.POOLED;
                default -> throw new IllegalArgumentException("kms.connection: per-request or pooled, not '" + v + "'");
            };
        }

        public Duration kmsTimeout() {
            return Duration.ofSeconds(c.kms() == null || c.kms().timeoutSeconds() == null ? 30 : c.kms().timeoutSeconds());
        }

        /** The x-Product_Version the bridge writes on the KEKs it creates, as vCenter does. */
        public String productVersion() {
            return c.kms() == null || c.kms().productVersion() == null ? "8.0.3" : c.kms().productVersion();
        }

        public int maxParallelTasks() {
            return c.tasks() == null || c.tasks().maxParallel() == null ? 8 : c.tasks().maxParallel();
        }

        public List<Authenticator.User> users() {
            return List.copyOf(users);
        }

        public Map<String, Role> roles() {
            return Map.copyOf(roles);
        }
    }

    /** A starter config: a listener on {@code listenHost}:9090, the given users, everything else default. */
    public static String starter(List<UserEntry> users, String listenHost) {
        StringBuilder sb = new StringBuilder();
        sb.append("# Kekvault bridge configuration; reference: docs/bridge-config.md\n");
        sb.append("data-dir: data\n");
        sb.append("listen:\n  host: ").append(listenHost).append("\n  port: 9090\n");
        sb.append("kms:\n  kmip-version: \"1.4\"\n  connection: per-request\n");
        sb.append("users:\n");
        for (UserEntry u : users) {
            sb.append("  - name: ").append(u.name()).append('\n');
            sb.append("    role: ").append(u.role()).append('\n');
            if (u.tokenSha256() != null) {
                sb.append("    token-sha256: ").append(u.tokenSha256()).append('\n');
            }
            if (u.certificateCn() != null) {
                sb.append("    certificate-cn: ").append(u.certificateCn()).append('\n');
            }
        }
        return sb.toString();
    }
}
