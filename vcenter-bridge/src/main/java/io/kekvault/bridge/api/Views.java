package io.kekvault.bridge.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kekvault.bridge.auth.Principal;
import io.kekvault.bridge.auth.Privilege;
import io.kekvault.bridge.inventory.Cluster;
import io.kekvault.bridge.inventory.Component;
import io.kekvault.bridge.inventory.Datacenter;
import io.kekvault.bridge.inventory.Host;
import io.kekvault.bridge.inventory.KeyProvider;
import io.kekvault.bridge.inventory.KmsEndpoint;
import io.kekvault.bridge.inventory.StoragePolicy;
import io.kekvault.bridge.inventory.Vm;
import io.kekvault.bridge.task.TaskRecord;
import java.util.regex.Pattern;

/**
 * JSON views of the inventory and tasks for one caller. Key identifiers (KEK ids, and which
 * provider holds a component's key) appear only for callers with a cryptographic privilege;
 * for the others they are left out, and UUID-shaped strings in task logs and errors are masked.
 */
final class Views {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern UUID = Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

    private Views() {
    }

    static String mask(String text, Principal who) {
        return text == null || who.canSeeKeys() ? text : UUID.matcher(text).replaceAll("<id hidden>");
    }

    static ObjectNode component(Component k, Principal who) {
        ObjectNode n = JSON.createObjectNode().put("name", k.name());
        if (k.sizeBytes() != null) {
            n.put("sizeBytes", k.sizeBytes());
        }
        n.put("policy", k.policy()).put("encrypted", k.encrypted());
        if (k.encrypted() && who.canSeeKeys()) {
            n.put("provider", k.key().provider()).put("kekId", k.key().kekId());
        }
        return n;
    }

    static ObjectNode vm(Vm vm, Principal who) {
        ObjectNode n = JSON.createObjectNode().put("name", vm.name()).put("uuid", vm.uuid()).put("cluster", vm.cluster())
                .put("host", vm.host()).put("power", vm.power().wire()).put("encrypted", vm.anyEncrypted());
        n.set("home", component(vm.home(), who));
        ArrayNode disks = n.putArray("disks");
        vm.disks().forEach(d -> disks.add(component(d, who)));
        return n;
    }

    static ObjectNode host(Host h) {
        return JSON.createObjectNode().put("id", h.id()).put("cluster", h.cluster()).put("url", h.url())
                .put("identity", h.identity()).put("datastore", h.datastore());
    }

    static ObjectNode cluster(Cluster c) {
        return JSON.createObjectNode().put("name", c.name()).put("datacenter", c.datacenter());
    }

    static ObjectNode datacenter(Datacenter d) {
        return JSON.createObjectNode().put("name", d.name());
    }

    static ObjectNode policy(StoragePolicy p) {
        return JSON.createObjectNode().put("name", p.name()).put("description", p.description()).put("encryption", p.encryption());
    }

    static ObjectNode provider(KeyProvider p) {
        ObjectNode n = JSON.createObjectNode().put("name", p.name()).put("default", p.isDefault()).put("trust", p.trust());
        if (p.clientCn() != null) {
            n.put("clientCn", p.clientCn());
        }
        ArrayNode eps = n.putArray("endpoints");
        for (KmsEndpoint e : p.endpoints()) {
            eps.addObject().put("kmip", e.kmip()).put("https", e.https());
        }
        return n;
    }

    static ObjectNode task(TaskRecord t, Principal who) {
        ObjectNode n = JSON.createObjectNode().put("id", t.id()).put("kind", t.kind().wire()).put("state", t.state().wire())
                .put("progress", t.progress()).put("target", t.target()).put("user", t.user()).put("createdAt", t.createdAt());
        if (t.cluster() != null) {
            n.put("cluster", t.cluster());
        }
        if (t.startedAt() != null) {
            n.put("startedAt", t.startedAt());
        }
        if (t.finishedAt() != null) {
            n.put("finishedAt", t.finishedAt());
        }
        n.set("params", t.params());
        if (t.errorCode() != null) {
            n.putObject("error").put("code", t.errorCode()).put("detail", mask(t.errorDetail(), who));
        } else {
            n.putNull("error");
        }
        if (!t.log().isEmpty()) {
            ArrayNode log = n.putArray("log");
            boolean keys = who.canSeeKeys();
            t.log().forEach(e -> log.addObject().put("at", e.at()).put("level", e.level()).put("message", mask(e.render(keys), who)));
        }
        return n;
    }

    static ObjectNode session(Principal who) {
        ObjectNode n = JSON.createObjectNode().put("user", who.user()).put("role", who.role().name()).put("method", who.method())
                .put("canSeeKeys", who.canSeeKeys());
        ArrayNode ps = n.putArray("privileges");
        for (Privilege p : Privilege.values()) {
            if (who.has(p)) {
                ps.add(p.id());
            }
        }
        return n;
    }
}
