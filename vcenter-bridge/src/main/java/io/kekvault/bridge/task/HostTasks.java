package io.kekvault.bridge.task;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kekvault.bridge.auth.Principal;
import io.kekvault.bridge.auth.Privilege;
import io.kekvault.bridge.host.HostException;
import io.kekvault.bridge.host.HostInfo;
import io.kekvault.bridge.inventory.Cluster;
import io.kekvault.bridge.inventory.Host;
import io.kekvault.bridge.inventory.Inventory;
import io.kekvault.bridge.inventory.KeyProvider;
import io.kekvault.bridge.inventory.KeyRef;
import io.kekvault.bridge.inventory.Names;
import io.kekvault.bridge.inventory.Vm;
import io.kekvault.kmip.error.ConflictException;
import io.kekvault.kmip.error.InvalidRequestException;
import io.kekvault.kmip.error.KmsException;
import io.kekvault.kmip.error.NotFoundException;
import io.kekvault.kmip.error.ResultReason;
import io.kekvault.kmip.error.WrongStateException;
import java.net.URI;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Cluster membership: adding a host grants it every KEK used by the cluster's VMs (so it can
 * open any of them); removing a host revokes its grants on every key the bridge can see at
 * every key provider, so it can no longer unwrap anything, then forgets it. Both run alone in
 * their cluster. A host that still has VMs is not removed.
 */
final class HostTasks extends TaskDefinition {

    @Override
    boolean exclusive() {
        return true;
    }

    @Override
    ObjectNode precheck(Services services, Principal principal, TaskKind kind, ObjectNode params) throws KmsException {
        if (kind != TaskKind.ADD_HOST) {
            return params;
        }
        principal.require(kind.action(), Privilege.HOST_ADD);
        String url = params.path("url").asText("");
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            uri = null;
        }
        if (uri == null || !"https".equals(uri.getScheme()) || uri.getHost() == null) {
            throw new InvalidRequestException(ResultReason.INVALID_FIELD, "url must be the host's https:// command endpoint, not '"
                    + Names.printable(url) + "'", null);
        }
        HostInfo info;
        try {
            info = services.hosts().client(url, url).host();
        } catch (HostException e) {
            throw e.toKmsException();
        }
        ObjectNode out = params.deepCopy();
        out.put("hostId", info.hostId());
        out.put("datastore", info.datastore());
        if (info.cluster() != null) {
            out.put("reportedCluster", info.cluster());
        }
        return out;
    }

    @Override
    Plan plan(Connection c, Principal p, TaskKind kind, ObjectNode params) throws SQLException, KmsException {
        return kind == TaskKind.ADD_HOST ? planAdd(c, p, params) : planRemove(c, p, params);
    }

    private Plan planAdd(Connection c, Principal p, ObjectNode params) throws SQLException, KmsException {
        p.require(TaskKind.ADD_HOST.action(), Privilege.HOST_ADD);
        String clusterName = Names.check("cluster", params.path("cluster").asText(null));
        Cluster cluster = Inventory.cluster(c, clusterName).orElseThrow(() -> new NotFoundException("cluster '" + clusterName
                + "' is not in the inventory"));
        String hostId = Names.check("host id (as the host reports it)", params.path("hostId").asText(null));
        String url = params.path("url").asText();
        Host known = Inventory.host(c, hostId).orElse(null);
        if (known != null) {
            throw new ConflictException("host '" + hostId + "' is already in cluster '" + known.cluster() + "'");
        }
        if (Inventory.hostByUrl(c, url).isPresent()) {
            throw new ConflictException("a host with URL " + url + " is already in the inventory");
        }
        String reported = params.path("reportedCluster").asText(null);
        if (reported != null && !reported.isEmpty() && !reported.equals(cluster.name())) {
            throw new InvalidRequestException(ResultReason.INVALID_FIELD, "host '" + hostId + "' is configured for cluster '" + reported
                    + "', not '" + cluster.name() + "'", null);
        }
        String datastore = params.path("datastore").asText("");
        for (Host h : Inventory.hostsOf(c, cluster.name())) {
            if (!h.datastore().equals(datastore)) {
                throw new InvalidRequestException(ResultReason.INVALID_FIELD, "host '" + hostId + "' uses datastore " + datastore
                        + " but cluster '" + cluster.name() + "' uses " + h.datastore() + ": the hosts of a cluster share one datastore", null);
            }
        }
        String identity = Names.check("identity", params.path("identity").asText("esxi-" + hostId));
        if (!Inventory.keysInCluster(c, cluster.name()).isEmpty()) {
            p.require("add a host to a cluster with encrypted VMs", Privilege.HOST_ADD, Privilege.CRYPTO_REGISTER_HOST);
        }
        ObjectNode out = TaskStore.JSON.createObjectNode().put("hostId", hostId).put("cluster", cluster.name()).put("url", url)
                .put("identity", identity).put("datastore", datastore);
        return new Plan(TaskKind.ADD_HOST, "host:" + hostId, cluster.name(), out);
    }

    private Plan planRemove(Connection c, Principal p, ObjectNode params) throws SQLException, KmsException {
        p.require(TaskKind.REMOVE_HOST.action(), Privilege.HOST_REMOVE);
        String hostId = Names.check("host", params.path("host").asText(null));
        Host host = Inventory.host(c, hostId).orElseThrow(() -> new NotFoundException("host '" + hostId + "' is not in the inventory"));
        if (!Inventory.keysInCluster(c, host.cluster()).isEmpty()) {
            p.require("remove a host from a cluster with encrypted VMs", Privilege.HOST_REMOVE, Privilege.CRYPTO_REGISTER_HOST);
        }
        List<Vm> vms = Inventory.vmsOnHost(c, hostId);
        if (!vms.isEmpty()) {
            throw new WrongStateException(ResultReason.ILLEGAL_OPERATION, "host '" + hostId + "' still has VMs "
                    + String.join(", ", vms.stream().map(Vm::name).toList()) + ": move them to another host of the cluster first", null);
        }
        ObjectNode out = TaskStore.JSON.createObjectNode().put("host", hostId);
        return new Plan(TaskKind.REMOVE_HOST, "host:" + hostId, host.cluster(), out);
    }

    @Override
    String targetOf(TaskKind kind, ObjectNode params) {
        String id = params.path(kind == TaskKind.ADD_HOST ? "hostId" : "host").asText("");
        if (id.isEmpty() && kind == TaskKind.ADD_HOST) {
            id = params.path("url").asText("");
        }
        return id.isEmpty() ? "request:" + kind.wire() : "host:" + Names.printable(id);
    }

    @Override
    void run(TaskContext ctx) throws Exception {
        if (ctx.kind() == TaskKind.ADD_HOST) {
            runAdd(ctx);
        } else {
            runRemove(ctx);
        }
    }

    private void runAdd(TaskContext ctx) throws Exception {
        ObjectNode p = ctx.params();
        Host host = new Host(p.get("hostId").asText(), p.get("cluster").asText(), p.get("url").asText(), p.get("identity").asText(),
                p.get("datastore").asText());
        List<KeyRef> keys = new ArrayList<>(ctx.db().read(c -> Inventory.keysInCluster(c, host.cluster())));
        ctx.info("granting host " + host.id() + " (identity " + host.identity() + ") the " + keys.size()
                + " KEK(s) used in cluster " + host.cluster());
        for (int i = 0; i < keys.size(); i++) {
            KeyRef k = keys.get(i);
            ctx.services().keks().grant(k.provider(), k.kekId(), host.identity(), ctx);
            ctx.info("granted {kek} to " + host.identity(), k.kekId());
            ctx.progress((i + 1.0) / (keys.size() + 1));
        }
        ctx.succeed(c -> {
            Inventory.insertHost(c, host);
            return null;
        });
    }

    private void runRemove(TaskContext ctx) throws Exception {
        Host host = Steps.host(ctx, ctx.params().get("host").asText());
        List<Vm> vms = ctx.db().read(c -> Inventory.vmsOnHost(c, host.id()));
        if (!vms.isEmpty()) {
            throw new WrongStateException(ResultReason.ILLEGAL_OPERATION, "host '" + host.id() + "' still has VMs", null);
        }
        List<KeyProvider> providers = ctx.db().read(Inventory::providers);
        Set<KeyRef> inCluster = ctx.db().read(c -> Inventory.keysInCluster(c, host.cluster()));
        int removed = 0;
        int n = 0;
        for (int pi = 0; pi < providers.size(); pi++) {
            KeyProvider provider = providers.get(pi);
            if (!KeyProvider.TRUST_TRUSTED.equals(provider.trust())) {
                continue;
            }
            Set<String> ids = new LinkedHashSet<>(ctx.services().keks().visibleKeys(provider.name(), ctx));
            inCluster.stream().filter(k -> k.provider().equals(provider.name())).forEach(k -> ids.add(k.kekId()));
            for (String id : ids) {
                if (ctx.services().keks().revokeGrant(provider.name(), id, host.identity(), ctx)) {
                    removed++;
                    ctx.info("revoked the grant of {kek} to " + host.identity(), id);
                }
                n++;
            }
            ctx.progress((pi + 1.0) / (providers.size() + 1));
        }
        ctx.info("host " + host.id() + " (identity " + host.identity() + ") lost " + removed + " grant(s) among " + n
                + " key(s) checked; it can no longer unwrap DEKs under them");
        ctx.succeed(c -> {
            Inventory.deleteHost(c, host.id());
            return null;
        });
    }

    @Override
    void recover(TaskContext ctx, KmsException cause) throws Exception {
        if (ctx.kind() == TaskKind.ADD_HOST) {
            // Not added: take back whatever was granted.
            String identity = ctx.params().path("identity").asText();
            String cluster = ctx.params().path("cluster").asText();
            for (KeyRef k : ctx.db().read(c -> Inventory.keysInCluster(c, cluster))) {
                try {
                    ctx.services().keks().revokeGrant(k.provider(), k.kekId(), identity, ctx);
                } catch (KmsException e) {
                    ctx.warn("rollback: could not revoke the grant of {kek} to " + identity + ": " + e.getMessage(), k.kekId());
                }
            }
            ctx.info("rolled back: the host was not added and its grants were revoked");
            ctx.fail(cause, null);
        } else {
            // Still a member: give back the grants it needs for the cluster's VMs.
            Host host = Steps.host(ctx, ctx.params().get("host").asText());
            for (KeyRef k : ctx.db().read(c -> Inventory.keysInCluster(c, host.cluster()))) {
                try {
                    ctx.services().keks().grant(k.provider(), k.kekId(), host.identity(), ctx);
                } catch (KmsException e) {
                    ctx.warn("rollback: could not grant {kek} back to " + host.identity() + ": " + e.getMessage(), k.kekId());
                }
            }
            ctx.info("rolled back: the host stays in its cluster with the grants its cluster's VMs need");
            ctx.fail(cause, null);
        }
    }
}
