package io.kekvault.kms.config;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.kekvault.kms.access.ExportPolicy;
import io.kekvault.kms.access.Role;
import io.kekvault.kms.store.PasswordSource;
import io.kekvault.kms.store.PostgresStoreConfig;
import io.kekvault.kms.vault.PinSource;
import io.kekvault.kms.vault.VaultConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The KMS configuration file (YAML). Every option has a default; relative paths are resolved
 * against the file's directory. PINs and passwords are never values here, only sources
 * ({@code env:NAME} or {@code file:/path}). See docs/kms-config.md for the annotated reference.
 */
@JsonIgnoreProperties(ignoreUnknown = false)
public record KmsConfig(
        @JsonProperty("node-id") String nodeId,
        Hsm hsm,
        Store store,
        Audit audit,
        Tls tls,
        Listener https,
        Kmip kmip,
        Listener health,
        Access access,
        Export export,
        Limits limits,
        @JsonProperty("shutdown-grace-seconds") Integer shutdownGraceSeconds) {

    /**
     * {@code shared-token}: other processes change the token's objects too (KMS nodes on one
     * SoftHSM2 token directory); defaults to true with a postgresql store (the nodes that share
     * it share the token), false with sqlite.
     */
    public record Hsm(String backend, String module, @JsonProperty("token-label") String tokenLabel, String pin,
                      @JsonProperty("max-sessions") Integer maxSessions,
                      @JsonProperty("shared-token") Boolean sharedToken) {
    }

    /**
     * {@code type}: sqlite (default) or postgresql. For postgresql: {@code url}, {@code user},
     * {@code password} (a source: env:NAME or file:/path), {@code pool-size} and
     * {@code connection-timeout-seconds} (how long a request waits for the database before 503).
     */
    public record Store(String type, String path, String url, String user,
                        @JsonProperty("password") String password,
                        @JsonProperty("pool-size") Integer poolSize,
                        @JsonProperty("connection-timeout-seconds") Integer connectionTimeoutSeconds) {
    }

    /** {@code sync}: write (survives kill -9, default) or fsync (also survives power loss). */
    public record Audit(String dir, String sync) {
    }

    public record Tls(String ca, String cert, String key) {
    }

    public record Listener(String host, Integer port, @JsonProperty("max-body-bytes") Integer maxBodyBytes) {
    }

    public record Kmip(String host, Integer port, @JsonProperty("idle-timeout-seconds") Integer idleTimeoutSeconds,
                       @JsonProperty("max-message-bytes") Integer maxMessageBytes, Boolean enabled,
                       @JsonProperty("max-connections") Integer maxConnections) {
    }

    /** {@code role-map-file}: identity=role lines (pki issue writes it); {@code roles}: role -> identities. */
    public record Access(@JsonProperty("role-map-file") String roleMapFile, Map<String, List<String>> roles) {
    }

    public record Export(@JsonProperty("allowed-roles") List<String> allowedRoles,
                        @JsonProperty("default-roles") List<String> defaultRoles) {
    }

    public record Limits(@JsonProperty("max-batch") Integer maxBatch, @JsonProperty("worker-threads") Integer workerThreads) {
    }

    // ------------------------------------------------------------------ loading and defaults

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true)
            .setPropertyNamingStrategy(PropertyNamingStrategies.KEBAB_CASE);

    /** Reads and validates a config file; relative paths become relative to its directory. */
    public static Resolved load(Path file) throws IOException {
        KmsConfig raw = YAML.readValue(Files.readString(file), KmsConfig.class);
        return new Resolved(raw == null ? empty() : raw, file.toAbsolutePath().getParent());
    }

    public static KmsConfig empty() {
        return new KmsConfig(null, null, null, null, null, null, null, null, null, null, null, null);
    }

    public String toYaml() throws IOException {
        return YAML.writeValueAsString(this);
    }

    /** The config with every default applied and every path resolved. */
    public static final class Resolved {
        private final KmsConfig c;
        private final Path base;

        Resolved(KmsConfig c, Path base) {
            this.c = c;
            this.base = base;
            validate();
        }

        private Path path(String p, String def) {
            String v = p == null ? def : p;
            return v == null ? null : base.resolve(v).normalize();
        }

        private static <T> T or(T v, T def) {
            return v == null ? def : v;
        }

        public String nodeId() {
            return or(c.nodeId(), "kms-1");
        }

        public VaultConfig vault() {
            Hsm h = or(c.hsm(), new Hsm(null, null, null, null, null, null));
            PinSource pin = PinSource.parse(or(h.pin(), "env:KEKVAULT_PIN"));
            if (pin instanceof PinSource.File f) {
                pin = new PinSource.File(base.resolve(f.path()).normalize());
            }
            return new VaultConfig(or(h.backend(), "pkcs11"), Path.of(or(h.module(), VaultConfig.SOFTHSM_MODULE.toString())),
                    or(h.tokenLabel(), "kekvault"), pin,
                    or(h.maxSessions(), Math.max(4, 2 * Runtime.getRuntime().availableProcessors())), Map.of(),
                    or(h.sharedToken(), "postgresql".equals(storeType())));
        }

        public String storeType() {
            return c.store() == null ? "sqlite" : or(c.store().type(), "sqlite");
        }

        public Path storePath() {
            return path(c.store() == null ? null : c.store().path(), "data/kms.db");
        }

        public Store store() {
            return or(c.store(), new Store(null, null, null, null, null, null, null));
        }

        /**
         * The PostgreSQL store settings ({@code store.type: postgresql}); relative password files
         * resolve against the config file's directory; the node id names the connections.
         */
        public PostgresStoreConfig postgresStore() {
            Store s = store();
            int timeout = or(s.connectionTimeoutSeconds(), (int) PostgresStoreConfig.DEFAULT_CONNECTION_TIMEOUT.toSeconds());
            if (timeout < 1 || timeout > 300) {
                throw new IllegalArgumentException("store.connection-timeout-seconds must be 1..300");
            }
            return new PostgresStoreConfig(s.url(), s.user(), PasswordSource.parse(s.password(), base),
                    or(s.poolSize(), PostgresStoreConfig.DEFAULT_POOL_SIZE), Duration.ofSeconds(timeout),
                    PostgresStoreConfig.DEFAULT_SOCKET_TIMEOUT, "kekvault-" + nodeId());
        }

        public Path auditDir() {
            return path(c.audit() == null ? null : c.audit().dir(), "audit");
        }

        public boolean auditFsync() {
            return c.audit() != null && "fsync".equals(c.audit().sync());
        }

        public Path caFile() {
            return path(c.tls() == null ? null : c.tls().ca(), "pki/ca.pem");
        }

        public Path certFile() {
            return path(c.tls() == null ? null : c.tls().cert(), "pki/server.pem");
        }

        public Path keyFile() {
            return path(c.tls() == null ? null : c.tls().key(), "pki/server.key");
        }

        public String httpsHost() {
            return c.https() == null ? "127.0.0.1" : or(c.https().host(), "127.0.0.1");
        }

        public int httpsPort() {
            return c.https() == null ? 8443 : or(c.https().port(), 8443);
        }

        public int maxBodyBytes() {
            return c.https() == null ? 1 << 20 : or(c.https().maxBodyBytes(), 1 << 20);
        }

        public boolean kmipEnabled() {
            return c.kmip() == null || or(c.kmip().enabled(), true);
        }

        public String kmipHost() {
            return c.kmip() == null ? "127.0.0.1" : or(c.kmip().host(), "127.0.0.1");
        }

        public int kmipPort() {
            return c.kmip() == null ? 5696 : or(c.kmip().port(), 5696);
        }

        public int kmipIdleTimeoutSeconds() {
            return c.kmip() == null ? 60 : or(c.kmip().idleTimeoutSeconds(), 60);
        }

        public int kmipMaxMessageBytes() {
            return c.kmip() == null ? 1 << 20 : or(c.kmip().maxMessageBytes(), 1 << 20);
        }

        /** Most KMIP connections open at once; more are closed as soon as they are accepted. */
        public int kmipMaxConnections() {
            return c.kmip() == null ? 1024 : or(c.kmip().maxConnections(), 1024);
        }

        public String healthHost() {
            return c.health() == null ? "127.0.0.1" : or(c.health().host(), "127.0.0.1");
        }

        public int healthPort() {
            return c.health() == null ? 8080 : or(c.health().port(), 8080);
        }

        public Path roleMapFile() {
            return c.access() == null ? null : path(c.access().roleMapFile(), null);
        }

        /** Inline role map: identity -> role. */
        public Map<String, Role> inlineRoles() {
            Map<String, Role> m = new LinkedHashMap<>();
            if (c.access() != null && c.access().roles() != null) {
                c.access().roles().forEach((role, ids) -> {
                    Role r = Role.parse(role);
                    for (String id : ids) {
                        m.put(id, r);
                    }
                });
            }
            return m;
        }

        public ExportPolicy exportPolicy() {
            if (c.export() == null) {
                return ExportPolicy.none();
            }
            return new ExportPolicy(roles(c.export().allowedRoles()), roles(c.export().defaultRoles()));
        }

        private static Set<Role> roles(List<String> names) {
            Set<Role> s = EnumSet.noneOf(Role.class);
            if (names != null) {
                names.forEach(n -> s.add(Role.parse(n)));
            }
            return s;
        }

        public int maxBatch() {
            return c.limits() == null ? 1000 : or(c.limits().maxBatch(), 1000);
        }

        public int workerThreads() {
            return c.limits() == null ? 32 : or(c.limits().workerThreads(), 32);
        }

        public int shutdownGraceSeconds() {
            return or(c.shutdownGraceSeconds(), 10);
        }

        public KmsConfig raw() {
            return c;
        }

        private void validate() {
            vault();
            exportPolicy();
            inlineRoles();
            if (!List.of("sqlite", "postgresql").contains(storeType())) {
                throw new IllegalArgumentException("store.type must be sqlite or postgresql, not " + storeType());
            }
            if (c.audit() != null && c.audit().sync() != null && !List.of("write", "fsync").contains(c.audit().sync())) {
                throw new IllegalArgumentException("audit.sync must be write or fsync");
            }
            if (kmipMaxMessageBytes() < 1024 || kmipIdleTimeoutSeconds() < 1 || kmipMaxConnections() < 1) {
                throw new IllegalArgumentException("kmip.max-message-bytes must be at least 1024, kmip.idle-timeout-seconds"
                        + " and kmip.max-connections at least 1");
            }
            if (maxBatch() < 1 || maxBatch() > 10_000) {
                throw new IllegalArgumentException("limits.max-batch must be 1..10000");
            }
            if (c.store() != null && c.store().password() != null && !c.store().password().startsWith("env:")
                    && !c.store().password().startsWith("file:")) {
                throw new IllegalArgumentException("store.password must be env:NAME or file:/path, not a literal password");
            }
            if ("postgresql".equals(storeType())) {
                postgresStore();
            }
        }
    }
}
