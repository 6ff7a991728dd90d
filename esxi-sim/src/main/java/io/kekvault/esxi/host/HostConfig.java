package io.kekvault.esxi.host;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code kekvault host --config FILE} file (YAML, documented in {@code docs/host-config.md}).
 * Relative paths are relative to the file's directory. Unknown keys are refused.
 */
public record HostConfig(
        String pkiDir,
        String bridgeIdentity,
        String bindHost,
        String serverCert,
        String serverKey,
        String xtsEngine,
        Integer xtsWorkers,
        Integer kmsTimeoutSeconds,
        Map<String, Provider> providers,
        Map<String, Cluster> clusters,
        List<HostEntry> hosts) {

    /** A key provider: a KMS cluster reached through several HTTPS endpoints (fail-over in order). */
    public record Provider(List<String> endpoints) {
    }

    /** A cluster: the datastore directory its hosts share. */
    public record Cluster(String datastore) {
    }

    /** One host: id (identity {@code esxi-<id>} unless given), its cluster and its command port. */
    public record HostEntry(String id, String identity, String cluster, Integer port, List<String> providers) {
    }

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true)
            .setPropertyNamingStrategy(PropertyNamingStrategies.KEBAB_CASE);

    public static Resolved load(Path file) throws IOException {
        HostConfig c = YAML.readValue(Files.readString(file), HostConfig.class);
        if (c == null) {
            throw new IOException(file + ": empty host config");
        }
        return new Resolved(c, file.toAbsolutePath().getParent());
    }

    /** One host with every default applied. */
    public record ResolvedHost(String id, String identity, String cluster, Path datastore, String bindHost, int port,
                               Map<String, List<URI>> providers) {
    }

    /** The config with defaults applied, paths resolved and cross-references checked. */
    public static final class Resolved {
        private final HostConfig c;
        private final Path base;
        private final List<ResolvedHost> hosts = new ArrayList<>();

        Resolved(HostConfig c, Path base) throws IOException {
            this.c = c;
            this.base = base;
            if (c.hosts() == null || c.hosts().isEmpty()) {
                throw new IOException("host config: 'hosts' must list at least one host");
            }
            if (c.clusters() == null || c.clusters().isEmpty()) {
                throw new IOException("host config: 'clusters' must define at least one cluster");
            }
            Map<String, List<URI>> allProviders = new LinkedHashMap<>();
            if (c.providers() != null) {
                for (Map.Entry<String, Provider> e : c.providers().entrySet()) {
                    List<URI> eps = new ArrayList<>();
                    if (e.getValue() == null || e.getValue().endpoints() == null || e.getValue().endpoints().isEmpty()) {
                        throw new IOException("host config: provider '" + e.getKey() + "' needs endpoints");
                    }
                    for (String u : e.getValue().endpoints()) {
                        URI uri = URI.create(u);
                        if (!"https".equals(uri.getScheme())) {
                            throw new IOException("host config: provider '" + e.getKey() + "': endpoints are https:// URLs");
                        }
                        eps.add(uri);
                    }
                    allProviders.put(e.getKey(), eps);
                }
            }
            Set<String> ids = new HashSet<>();
            Set<Integer> ports = new HashSet<>();
            for (HostEntry h : c.hosts()) {
                if (h.id() == null || !h.id().matches("[A-Za-z0-9][A-Za-z0-9._-]{0,40}")) {
                    throw new IOException("host config: every host needs an id of letters, digits, . _ -");
                }
                if (!ids.add(h.id())) {
                    throw new IOException("host config: duplicate host id " + h.id());
                }
                String clusterName = h.cluster() != null ? h.cluster()
                        : c.clusters().size() == 1 ? c.clusters().keySet().iterator().next() : null;
                Cluster cl = clusterName == null ? null : c.clusters().get(clusterName);
                if (cl == null || cl.datastore() == null) {
                    throw new IOException("host config: host " + h.id() + ": unknown cluster or cluster without datastore");
                }
                int port = h.port() == null ? 0 : h.port();
                if (port != 0 && !ports.add(port)) {
                    throw new IOException("host config: port " + port + " used twice");
                }
                Map<String, List<URI>> mine = new LinkedHashMap<>();
                if (h.providers() == null) {
                    mine.putAll(allProviders);
                } else {
                    for (String p : h.providers()) {
                        if (!allProviders.containsKey(p)) {
                            throw new IOException("host config: host " + h.id() + ": unknown provider " + p);
                        }
                        mine.put(p, allProviders.get(p));
                    }
                }
                hosts.add(new ResolvedHost(h.id(), h.identity() != null ? h.identity() : "esxi-" + h.id(), clusterName,
                        base.resolve(cl.datastore()).normalize(), bindHost(), port, mine));
            }
        }

        public List<ResolvedHost> hosts() {
            return hosts;
        }

        public Path pkiDir() {
            return base.resolve(c.pkiDir() == null ? "pki" : c.pkiDir()).normalize();
        }

        public String bridgeIdentity() {
            return c.bridgeIdentity() == null ? "vcenter" : c.bridgeIdentity();
        }

        public String bindHost() {
            return c.bindHost() == null ? "127.0.0.1" : c.bindHost();
        }

        public Path serverCert() {
            return c.serverCert() == null ? pkiDir().resolve("server.pem") : base.resolve(c.serverCert()).normalize();
        }

        public Path serverKey() {
            return c.serverKey() == null ? pkiDir().resolve("server.key") : base.resolve(c.serverKey()).normalize();
        }

        public String xtsEngine() {
            return c.xtsEngine() == null ? "auto" : c.xtsEngine();
        }

        public int xtsWorkers() {
            // 1 by default: two workers measured slower on fast storage (docs/benchmarks.md, XTS)
            return c.xtsWorkers() == null ? 1 : Math.max(1, c.xtsWorkers());
        }

        public int kmsTimeoutSeconds() {
            return c.kmsTimeoutSeconds() == null ? 10 : c.kmsTimeoutSeconds();
        }
    }
}
