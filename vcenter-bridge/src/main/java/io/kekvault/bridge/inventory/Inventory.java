package io.kekvault.bridge.inventory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads and writes the inventory tables. Every method takes the connection of the caller's
 * transaction ({@link io.kekvault.bridge.store.Database#tx}), so a task records a VM and its
 * components, or a host and its cluster membership, in one commit: never half.
 *
 * <p>The only facts about keys written here are (component, provider, KEK id).
 */
public final class Inventory {
    private Inventory() {
    }

    @FunctionalInterface
    private interface Row<T> {
        T map(ResultSet rs) throws SQLException;
    }

    private static <T> List<T> query(Connection c, String sql, Row<T> row, Object... args) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, args);
            try (ResultSet rs = ps.executeQuery()) {
                List<T> out = new ArrayList<>();
                while (rs.next()) {
                    out.add(row.map(rs));
                }
                return out;
            }
        }
    }

    private static <T> Optional<T> one(Connection c, String sql, Row<T> row, Object... args) throws SQLException {
        List<T> l = query(c, sql, row, args);
        return l.isEmpty() ? Optional.empty() : Optional.of(l.getFirst());
    }

    static int update(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, args);
            return ps.executeUpdate();
        }
    }

    private static void bind(PreparedStatement ps, Object... args) throws SQLException {
        for (int i = 0; i < args.length; i++) {
            Object a = args[i];
            if (a instanceof Boolean b) {
                ps.setInt(i + 1, b ? 1 : 0);
            } else {
                ps.setObject(i + 1, a);
            }
        }
    }

    private static String now() {
        return Instant.now().toString();
    }

    // ------------------------------------------------------------------ datacenters and clusters

    public static List<Datacenter> datacenters(Connection c) throws SQLException {
        return query(c, "SELECT name FROM datacenter ORDER BY name", rs -> new Datacenter(rs.getString(1)));
    }

    public static Optional<Datacenter> datacenter(Connection c, String name) throws SQLException {
        return one(c, "SELECT name FROM datacenter WHERE name = ?", rs -> new Datacenter(rs.getString(1)), name);
    }

    public static void insertDatacenter(Connection c, String name) throws SQLException {
        update(c, "INSERT INTO datacenter (name, created_at) VALUES (?, ?)", name, now());
    }

    public static List<Cluster> clusters(Connection c) throws SQLException {
        return query(c, "SELECT name, datacenter FROM cluster ORDER BY name", rs -> new Cluster(rs.getString(1), rs.getString(2)));
    }

    public static Optional<Cluster> cluster(Connection c, String name) throws SQLException {
        return one(c, "SELECT name, datacenter FROM cluster WHERE name = ?", rs -> new Cluster(rs.getString(1), rs.getString(2)), name);
    }

    public static void insertCluster(Connection c, String name, String datacenter) throws SQLException {
        update(c, "INSERT INTO cluster (name, datacenter, created_at) VALUES (?, ?, ?)", name, datacenter, now());
    }

    // ------------------------------------------------------------------ hosts

    private static final String HOST_COLUMNS = "SELECT id, cluster, url, identity, datastore FROM host";

    private static Host host(ResultSet rs) throws SQLException {
        return new Host(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5));
    }

    public static List<Host> hosts(Connection c) throws SQLException {
        return query(c, HOST_COLUMNS + " ORDER BY cluster, id", Inventory::host);
    }

    public static List<Host> hostsOf(Connection c, String cluster) throws SQLException {
        return query(c, HOST_COLUMNS + " WHERE cluster = ? ORDER BY id", Inventory::host, cluster);
    }

    public static Optional<Host> host(Connection c, String id) throws SQLException {
        return one(c, HOST_COLUMNS + " WHERE id = ?", Inventory::host, id);
    }

    public static Optional<Host> hostByUrl(Connection c, String url) throws SQLException {
        return one(c, HOST_COLUMNS + " WHERE url = ?", Inventory::host, url);
    }

    public static void insertHost(Connection c, Host h) throws SQLException {
        update(c, "INSERT INTO host (id, cluster, url, identity, datastore, added_at) VALUES (?, ?, ?, ?, ?, ?)",
                h.id(), h.cluster(), h.url(), h.identity(), h.datastore(), now());
    }

    public static void deleteHost(Connection c, String id) throws SQLException {
        update(c, "DELETE FROM host WHERE id = ?", id);
    }

    // ------------------------------------------------------------------ storage policies

    private static StoragePolicy policy(ResultSet rs) throws SQLException {
        return new StoragePolicy(rs.getString(1), rs.getString(2), rs.getInt(3) == 1);
    }

    public static List<StoragePolicy> policies(Connection c) throws SQLException {
        return query(c, "SELECT name, description, encryption FROM storage_policy ORDER BY name", Inventory::policy);
    }

    public static Optional<StoragePolicy> policy(Connection c, String name) throws SQLException {
        return one(c, "SELECT name, description, encryption FROM storage_policy WHERE name = ?", Inventory::policy, name);
    }

    // ------------------------------------------------------------------ key providers

    public static List<KeyProvider> providers(Connection c) throws SQLException {
        List<KeyProvider> out = new ArrayList<>();
        for (String name : query(c, "SELECT name FROM key_provider ORDER BY name", rs -> rs.getString(1))) {
            out.add(provider(c, name).orElseThrow());
        }
        return out;
    }

    public static Optional<KeyProvider> provider(Connection c, String name) throws SQLException {
        Optional<Object[]> row = one(c, "SELECT name, is_default, trust, client_cn FROM key_provider WHERE name = ?",
                rs -> new Object[] {rs.getString(1), rs.getInt(2) == 1, rs.getString(3), rs.getString(4)}, name);
        if (row.isEmpty()) {
            return Optional.empty();
        }
        List<KmsEndpoint> eps = query(c, "SELECT kmip, https FROM kms_endpoint WHERE provider = ? ORDER BY position",
                rs -> new KmsEndpoint(rs.getString(1), rs.getString(2)), name);
        Object[] r = row.get();
        return Optional.of(new KeyProvider((String) r[0], (Boolean) r[1], (String) r[2], (String) r[3], eps));
    }

    public static Optional<KeyProvider> defaultProvider(Connection c) throws SQLException {
        Optional<String> name = one(c, "SELECT name FROM key_provider WHERE is_default = 1", rs -> rs.getString(1));
        return name.isEmpty() ? Optional.empty() : provider(c, name.get());
    }

    public static void insertProvider(Connection c, KeyProvider p) throws SQLException {
        if (p.isDefault()) {
            update(c, "UPDATE key_provider SET is_default = 0 WHERE is_default = 1");
        }
        update(c, "INSERT INTO key_provider (name, is_default, trust, client_cn, created_at) VALUES (?, ?, ?, ?, ?)",
                p.name(), p.isDefault(), p.trust(), p.clientCn(), now());
        setEndpoints(c, p.name(), p.endpoints());
    }

    public static void setEndpoints(Connection c, String provider, List<KmsEndpoint> endpoints) throws SQLException {
        update(c, "DELETE FROM kms_endpoint WHERE provider = ?", provider);
        int i = 0;
        for (KmsEndpoint e : endpoints) {
            update(c, "INSERT INTO kms_endpoint (provider, position, kmip, https) VALUES (?, ?, ?, ?)", provider, i++, e.kmip(), e.https());
        }
    }

    public static void setDefaultProvider(Connection c, String name) throws SQLException {
        update(c, "UPDATE key_provider SET is_default = 0 WHERE is_default = 1");
        update(c, "UPDATE key_provider SET is_default = 1 WHERE name = ?", name);
    }

    public static void setTrust(Connection c, String name, String trust, String clientCn) throws SQLException {
        update(c, "UPDATE key_provider SET trust = ?, client_cn = ? WHERE name = ?", trust, clientCn, name);
    }

    public static void deleteProvider(Connection c, String name) throws SQLException {
        update(c, "DELETE FROM key_provider WHERE name = ?", name);
    }

    // ------------------------------------------------------------------ VMs

    public static List<Vm> vms(Connection c) throws SQLException {
        return vmsWhere(c, "", new Object[0]);
    }

    public static List<Vm> vmsInCluster(Connection c, String cluster) throws SQLException {
        return vmsWhere(c, " WHERE cluster = ?", new Object[] {cluster});
    }

    public static List<Vm> vmsOnHost(Connection c, String host) throws SQLException {
        return vmsWhere(c, " WHERE host = ?", new Object[] {host});
    }

    public static Optional<Vm> vm(Connection c, String name) throws SQLException {
        List<Vm> l = vmsWhere(c, " WHERE name = ?", new Object[] {name});
        return l.isEmpty() ? Optional.empty() : Optional.of(l.getFirst());
    }

    private static List<Vm> vmsWhere(Connection c, String where, Object[] args) throws SQLException {
        List<Object[]> rows = query(c, "SELECT name, uuid, cluster, host, power FROM vm" + where + " ORDER BY name",
                rs -> new Object[] {rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5)}, args);
        List<Vm> out = new ArrayList<>();
        for (Object[] r : rows) {
            out.add(new Vm((String) r[0], (String) r[1], (String) r[2], (String) r[3],
                    Vm.Power.valueOf(((String) r[4]).toUpperCase(java.util.Locale.ROOT)), components(c, (String) r[0])));
        }
        return out;
    }

    private static List<Component> components(Connection c, String vm) throws SQLException {
        return query(c, "SELECT component, position, size_bytes, policy, provider, kek_id FROM vm_component WHERE vm = ? ORDER BY position",
                rs -> {
                    long size = rs.getLong(3);
                    Long sizeBytes = rs.wasNull() ? null : size;
                    String provider = rs.getString(5);
                    return new Component(rs.getString(1), rs.getInt(2), sizeBytes, rs.getString(4),
                            provider == null ? null : new KeyRef(provider, rs.getString(6)));
                }, vm);
    }

    /** Inserts a VM with all its components (the caller's transaction makes it all-or-nothing). */
    public static void insertVm(Connection c, Vm vm) throws SQLException {
        update(c, "INSERT INTO vm (name, uuid, cluster, host, power, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                vm.name(), vm.uuid(), vm.cluster(), vm.host(), vm.power().wire(), now());
        writeComponents(c, vm.name(), vm.components());
    }

    /** Replaces the VM's recorded state (host, power, uuid and every component) with {@code vm}. */
    public static void replaceVm(Connection c, Vm vm) throws SQLException {
        update(c, "UPDATE vm SET uuid = ?, host = ?, power = ? WHERE name = ?", vm.uuid(), vm.host(), vm.power().wire(), vm.name());
        update(c, "DELETE FROM vm_component WHERE vm = ?", vm.name());
        writeComponents(c, vm.name(), vm.components());
    }

    private static void writeComponents(Connection c, String vm, List<Component> components) throws SQLException {
        for (Component k : components) {
            update(c, "INSERT INTO vm_component (vm, component, position, size_bytes, policy, provider, kek_id) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    vm, k.name(), k.position(), k.sizeBytes(), k.policy(),
                    k.key() == null ? null : k.key().provider(), k.key() == null ? null : k.key().kekId());
        }
    }

    public static void setVmHost(Connection c, String vm, String host) throws SQLException {
        update(c, "UPDATE vm SET host = ? WHERE name = ?", host, vm);
    }

    public static void setPower(Connection c, String vm, Vm.Power power) throws SQLException {
        update(c, "UPDATE vm SET power = ? WHERE name = ?", power.wire(), vm);
    }

    // ------------------------------------------------------------------ keys in use

    /** Every KEK protecting a component of a VM of {@code cluster}. */
    public static Set<KeyRef> keysInCluster(Connection c, String cluster) throws SQLException {
        return new LinkedHashSet<>(query(c, "SELECT DISTINCT k.provider, k.kek_id FROM vm_component k JOIN vm v ON v.name = k.vm "
                + "WHERE v.cluster = ? AND k.kek_id IS NOT NULL ORDER BY k.provider, k.kek_id",
                rs -> new KeyRef(rs.getString(1), rs.getString(2)), cluster));
    }

    /** Components protected by {@code key}, as "vm/component". */
    public static List<String> usesOf(Connection c, KeyRef key) throws SQLException {
        return query(c, "SELECT vm, component FROM vm_component WHERE provider = ? AND kek_id = ? ORDER BY vm, position",
                rs -> rs.getString(1) + "/" + rs.getString(2), key.provider(), key.kekId());
    }

    /** Every KEK in use, with the components it protects ("vm/component"). */
    public static Map<KeyRef, List<String>> keysInUse(Connection c) throws SQLException {
        Map<KeyRef, List<String>> out = new LinkedHashMap<>();
        for (Object[] r : query(c, "SELECT provider, kek_id, vm, component FROM vm_component WHERE kek_id IS NOT NULL "
                + "ORDER BY provider, kek_id, vm, position",
                rs -> new Object[] {rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)})) {
            out.computeIfAbsent(new KeyRef((String) r[0], (String) r[1]), k -> new ArrayList<>()).add(r[2] + "/" + r[3]);
        }
        return out;
    }

    public static boolean providerInUse(Connection c, String provider) throws SQLException {
        return one(c, "SELECT 1 FROM vm_component WHERE provider = ? LIMIT 1", rs -> 1, provider).isPresent();
    }
}
