package io.kekvault.bridge.task;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kekvault.bridge.auth.Principal;
import io.kekvault.bridge.auth.Privilege;
import io.kekvault.bridge.host.HostClient;
import io.kekvault.bridge.host.HostException;
import io.kekvault.bridge.host.HostVm;
import io.kekvault.bridge.inventory.Cluster;
import io.kekvault.bridge.inventory.Component;
import io.kekvault.bridge.inventory.Host;
import io.kekvault.bridge.inventory.Inventory;
import io.kekvault.bridge.inventory.KeyRef;
import io.kekvault.bridge.inventory.Names;
import io.kekvault.bridge.inventory.StoragePolicy;
import io.kekvault.bridge.inventory.Vm;
import io.kekvault.bridge.provider.KekService;
import io.kekvault.kmip.error.ConflictException;
import io.kekvault.kmip.error.InvalidRequestException;
import io.kekvault.kmip.error.KmsException;
import io.kekvault.kmip.error.NotFoundException;
import io.kekvault.kmip.error.ResultReason;
import io.kekvault.kmip.error.WrongStateException;
import io.kekvault.kmip.message.RevocationReasonCode;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * The VM tasks: create (plain or encrypted), encrypt, decrypt (disk, home, VM), shallow and deep
 * rekey, move, power on/off, and storage-policy changes (which become encrypt or decrypt tasks).
 *
 * <p>Rules checked at submission and again when the task runs: an encrypted disk needs an
 * encrypted VM home; the VM home is decrypted only once no disk is encrypted (decrypt the disks
 * first, as vSphere requires); a VM moves only between hosts of its cluster. Inventory changes
 * are committed with the task's end, from the state the host reports.
 */
final class VmTasks extends TaskDefinition {
    static final long MAX_DISK_BYTES = 1L << 40;
    static final int DATA_UNIT = 4096;

    // ================================================================== planning (submission)

    @Override
    ObjectNode precheck(Services services, Principal principal, TaskKind kind, ObjectNode params) throws KmsException {
        if (kind != TaskKind.CREATE_VM) {
            return params;
        }
        // A VM folder of that name on the datastore (but not in the inventory) is not overwritten.
        String vm = params.path("vm").asText("");
        String hostId = params.path("host").asText("");
        if (vm.isEmpty() || hostId.isEmpty()) {
            return params;
        }
        try {
            // Everything the plan checks (privileges first) before a host is contacted.
            services.db().read(c -> plan(c, principal, kind, params));
            Optional<Host> h = services.db().read(c -> Inventory.host(c, hostId));
            if (h.isPresent()) {
                HostClient hc = services.hosts().client(h.get().id(), h.get().url());
                if (hc.vm(vm).isPresent()) {
                    throw new ConflictException("a VM folder '" + vm + "' already exists on the datastore of host " + hostId);
                }
            }
        } catch (SQLException e) {
            throw new io.kekvault.kmip.error.UnavailableException("bridge database failure", e);
        } catch (HostException e) {
            throw e.toKmsException();
        }
        return params;
    }

    @Override
    Plan plan(Connection c, Principal p, TaskKind kind, ObjectNode params) throws SQLException, KmsException {
        return switch (kind) {
            case CREATE_VM -> planCreate(c, p, params);
            case ENCRYPT_VM -> planEncrypt(c, p, params, null);
            case DECRYPT_DISK, DECRYPT_HOME, DECRYPT_VM -> planDecrypt(c, p, kind, params, null);
            case REKEY_SHALLOW, REKEY_DEEP -> planRekey(c, p, kind, params);
            case MOVE_VM -> planMove(c, p, params);
            case POWER_ON, POWER_OFF -> planPower(c, p, kind, params);
            case APPLY_POLICY -> planPolicy(c, p, params);
            default -> throw new IllegalArgumentException(kind.toString());
        };
    }

    private static String text(ObjectNode params, String field) {
        JsonNode v = params.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static Vm existingVm(Connection c, ObjectNode params) throws SQLException, KmsException {
        String name = Names.check("VM name", text(params, "vm"));
        return Inventory.vm(c, name).orElseThrow(() -> new NotFoundException("VM '" + name + "' is not in the inventory"));
    }

    private static Plan vmPlan(TaskKind kind, Vm vm, ObjectNode params) {
        return new Plan(kind, "vm:" + vm.name(), vm.cluster(), params);
    }

    private static StoragePolicy policy(Connection c, String name) throws SQLException, KmsException {
        Optional<StoragePolicy> p = Inventory.policy(c, name);
        if (p.isEmpty()) {
            List<String> known = Inventory.policies(c).stream().map(StoragePolicy::name).toList();
            throw new InvalidRequestException(ResultReason.INVALID_FIELD, "unknown storage policy '" + Names.printable(name)
                    + "' (known: " + String.join(", ", known) + ")", null);
        }
        return p.get();
    }

    private Plan planCreate(Connection c, Principal p, ObjectNode params) throws SQLException, KmsException {
        p.require(TaskKind.CREATE_VM.action(), Privilege.VM_CREATE);
        String name = Names.check("VM name", text(params, "vm"));
        StoragePolicy policy = policy(c, text(params, "policy") == null ? StoragePolicy.PLAIN : text(params, "policy"));
        if (policy.encryption()) {
            p.require("create an encrypted VM", Privilege.VM_CREATE, Privilege.CRYPTO_ENCRYPT_NEW);
        }
        String hostId = Names.check("host", text(params, "host"));
        Host host = Inventory.host(c, hostId).orElseThrow(() -> new NotFoundException("host '" + hostId + "' is not in the inventory"));
        String cluster = text(params, "cluster");
        if (cluster != null) {
            Cluster cl = Inventory.cluster(c, Names.check("cluster", cluster))
                    .orElseThrow(() -> new NotFoundException("cluster '" + cluster + "' is not in the inventory"));
            if (!host.cluster().equals(cl.name())) {
                throw new InvalidRequestException(ResultReason.INVALID_FIELD, "host '" + hostId + "' is outside cluster '" + cluster
                        + "' (it belongs to cluster '" + host.cluster() + "')", null);
            }
        }
        if (Inventory.vm(c, name).isPresent()) {
            throw new ConflictException("VM '" + name + "' already exists");
        }
        JsonNode disksNode = params.get("disks");
        if (disksNode != null && !disksNode.isNull() && !disksNode.isArray()) {
            throw new InvalidRequestException(ResultReason.INVALID_FIELD, "disks must be a list of {name, sizeBytes}", null);
        }
        ArrayNode disks = disksNode != null && disksNode.isArray() ? (ArrayNode) disksNode : null;
        ObjectNode out = TaskStore.JSON.createObjectNode().put("vm", name).put("host", host.id()).put("cluster", host.cluster())
                .put("policy", policy.name()).put("encrypted", policy.encryption());
        ArrayNode outDisks = out.putArray("disks");
        Set<String> seen = new HashSet<>();
        if (disks != null) {
            for (JsonNode d : disks) {
                String dn = Names.check("disk name", d.path("name").asText(null));
                if (dn.equals(Component.HOME) || !seen.add(dn)) {
                    throw new InvalidRequestException(ResultReason.INVALID_FIELD, "disk name '" + dn + "' is reserved or repeated", null);
                }
                long size = d.path("sizeBytes").asLong(-1);
                if (size <= 0 || size > MAX_DISK_BYTES || size % DATA_UNIT != 0) {
                    throw new InvalidRequestException(ResultReason.INVALID_FIELD, "disk '" + dn + "': sizeBytes must be a positive multiple of "
                            + DATA_UNIT + " up to " + MAX_DISK_BYTES, null);
                }
                outDisks.addObject().put("name", dn).put("sizeBytes", size);
            }
        }
        if (policy.encryption()) {
            Steps.defaultProvider(c);
        }
        return new Plan(TaskKind.CREATE_VM, "vm:" + name, host.cluster(), out);
    }

    /** Encrypt: {@code components} from the request, or {@code chosen} when a policy change decided them. */
    private Plan planEncrypt(Connection c, Principal p, ObjectNode params, List<String> chosen) throws SQLException, KmsException {
        p.require(TaskKind.ENCRYPT_VM.action(), Privilege.CRYPTO_ENCRYPT);
        Vm vm = existingVm(c, params);
        List<String> wanted = chosen != null ? chosen : componentsParam(params);
        List<String> targets = new ArrayList<>();
        if (wanted == null) {
            vm.components().stream().filter(k -> !k.encrypted()).forEach(k -> targets.add(k.name()));
            if (targets.isEmpty()) {
                throw new WrongStateException(ResultReason.ILLEGAL_OPERATION, "VM '" + vm.name() + "' is already encrypted", null);
            }
        } else {
            for (String w : wanted) {
                Component k = component(vm, w);
                if (k.encrypted()) {
                    throw new WrongStateException(ResultReason.ILLEGAL_OPERATION, "component '" + w + "' of VM '" + vm.name()
                            + "' is already encrypted", null);
                }
                targets.add(k.name());
            }
            if (targets.isEmpty()) {
                throw new InvalidRequestException(ResultReason.MISSING_DATA, "no component to encrypt", null);
            }
        }
        if (!vm.home().encrypted() && !targets.contains(Component.HOME)) {
            throw new InvalidRequestException(ResultReason.INVALID_FIELD, "an encrypted disk needs an encrypted VM home: encrypt 'home' "
                    + "of VM '" + vm.name() + "' with its disks", null);
        }
        if (!vm.home().encrypted()) {
            Steps.defaultProvider(c);
        }
        ObjectNode out = TaskStore.JSON.createObjectNode().put("vm", vm.name());
        ArrayNode a = out.putArray("components");
        vm.components().stream().map(Component::name).filter(targets::contains).forEach(a::add);
        copyPolicies(params, out);
        return vmPlan(TaskKind.ENCRYPT_VM, vm, out);
    }

    private static List<String> componentsParam(ObjectNode params) throws InvalidRequestException {
        JsonNode n = params.get("components");
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isArray()) {
            throw new InvalidRequestException(ResultReason.INVALID_FIELD, "components must be a list of component names", null);
        }
        List<String> out = new ArrayList<>();
        for (JsonNode x : n) {
            out.add(Names.check("component", x.asText(null)));
        }
        return out;
    }

    private static Component component(Vm vm, String name) throws NotFoundException {
        return vm.component(name).orElseThrow(() -> new NotFoundException("VM '" + vm.name() + "' has no component '"
                + Names.printable(name) + "' (it has: " + String.join(", ", vm.components().stream().map(Component::name).toList()) + ")"));
    }

    private static void copyPolicies(ObjectNode from, ObjectNode to) {
        if (from.has("policies")) {
            to.set("policies", from.get("policies"));
        }
    }

    static String homeOrderMessage(Vm vm, List<Component> stillEncrypted) {
        return "cannot decrypt the VM home of '" + vm.name() + "' while disk(s) "
                + String.join(", ", stillEncrypted.stream().map(Component::name).toList())
                + " are encrypted: decrypt the disks first, then the VM home";
    }

    private Plan planDecrypt(Connection c, Principal p, TaskKind kind, ObjectNode params, List<String> chosen)
            throws SQLException, KmsException {
        p.require(kind.action(), Privilege.CRYPTO_DECRYPT);
        Vm vm = existingVm(c, params);
        List<String> wanted;
        switch (kind) {
            case DECRYPT_DISK -> {
                String disk = chosen != null ? chosen.getFirst() : Names.check("disk", text(params, "disk"));
                if (disk.equals(Component.HOME)) {
                    throw new InvalidRequestException(ResultReason.INVALID_FIELD, "'home' is the VM home, not a disk: use decrypt-home", null);
                }
                wanted = List.of(disk);
            }
            case DECRYPT_HOME -> wanted = List.of(Component.HOME);
            default -> {
                List<String> w = chosen != null ? chosen : componentsParam(params);
                wanted = w != null ? w : vm.components().stream().filter(Component::encrypted).map(Component::name).toList();
                if (wanted.isEmpty()) {
                    throw new WrongStateException(ResultReason.ILLEGAL_OPERATION, "VM '" + vm.name() + "' is not encrypted", null);
                }
            }
        }
        for (String w : wanted) {
            Component k = component(vm, w);
            if (!k.encrypted()) {
                throw new WrongStateException(ResultReason.ILLEGAL_OPERATION, (k.isHome() ? "the VM home" : "disk '" + w + "'")
                        + " of VM '" + vm.name() + "' is not encrypted", null);
            }
        }
        if (wanted.contains(Component.HOME)) {
            List<Component> left = vm.encryptedDisks().stream().filter(d -> !wanted.contains(d.name())).toList();
            if (!left.isEmpty()) {
                throw new WrongStateException(ResultReason.WRONG_KEY_LIFECYCLE_STATE, homeOrderMessage(vm, left), null);
            }
        }
        ObjectNode out = TaskStore.JSON.createObjectNode().put("vm", vm.name());
        ArrayNode a = out.putArray("components");
        // Disks first, then the VM home.
        vm.disks().stream().map(Component::name).filter(wanted::contains).forEach(a::add);
        if (wanted.contains(Component.HOME)) {
            a.add(Component.HOME);
        }
        copyPolicies(params, out);
        TaskKind recorded = kind;
        if (kind == TaskKind.DECRYPT_VM && a.size() == 1) {
            recorded = a.get(0).asText().equals(Component.HOME) ? TaskKind.DECRYPT_HOME : TaskKind.DECRYPT_DISK;
        }
        if (recorded == TaskKind.DECRYPT_DISK) {
            out.put("disk", a.get(0).asText());
        }
        return vmPlan(recorded, vm, out);
    }

    private Plan planRekey(Connection c, Principal p, TaskKind kind, ObjectNode params) throws SQLException, KmsException {
        p.require(kind.action(), Privilege.CRYPTO_RECRYPT);
        Vm vm = existingVm(c, params);
        if (!vm.anyEncrypted()) {
            throw new WrongStateException(ResultReason.ILLEGAL_OPERATION, "VM '" + vm.name() + "' is not encrypted: nothing to rekey", null);
        }
        return vmPlan(kind, vm, TaskStore.JSON.createObjectNode().put("vm", vm.name()));
    }

    private Plan planMove(Connection c, Principal p, ObjectNode params) throws SQLException, KmsException {
        p.require(TaskKind.MOVE_VM.action(), Privilege.VM_MIGRATE);
        Vm vm = existingVm(c, params);
        String hostId = Names.check("host", text(params, "host"));
        Host target = Inventory.host(c, hostId).orElseThrow(() -> new NotFoundException("host '" + hostId + "' is not in the inventory"));
        if (!target.cluster().equals(vm.cluster())) {
            throw new InvalidRequestException(ResultReason.INVALID_FIELD, "host '" + hostId + "' is outside cluster '" + vm.cluster()
                    + "' of VM '" + vm.name() + "': a VM moves only between the hosts of its cluster", null);
        }
        if (target.id().equals(vm.host())) {
            throw new WrongStateException(ResultReason.ILLEGAL_OPERATION, "VM '" + vm.name() + "' is already on host '" + hostId + "'", null);
        }
        if (vm.power() == Vm.Power.ON) {
            p.require("move a powered-on VM", Privilege.VM_HOT_MIGRATE);
        }
        if (vm.anyEncrypted()) {
            p.require("move an encrypted VM", Privilege.CRYPTO_MIGRATE);
        }
        return vmPlan(TaskKind.MOVE_VM, vm, TaskStore.JSON.createObjectNode().put("vm", vm.name()).put("host", target.id()));
    }

    private Plan planPower(Connection c, Principal p, TaskKind kind, ObjectNode params) throws SQLException, KmsException {
        boolean on = kind == TaskKind.POWER_ON;
        p.require(kind.action(), on ? Privilege.VM_POWER_ON : Privilege.VM_POWER_OFF);
        Vm vm = existingVm(c, params);
        if ((vm.power() == Vm.Power.ON) == on) {
            throw new WrongStateException(ResultReason.ILLEGAL_OPERATION, "VM '" + vm.name() + "' is already powered " + (on ? "on" : "off"), null);
        }
        return vmPlan(kind, vm, TaskStore.JSON.createObjectNode().put("vm", vm.name()));
    }

    /**
     * A storage-policy change: {@code home} and/or {@code disks: {name: policy}}. Becomes the
     * encrypt or decrypt task it implies (checked as such), or a policy-only change.
     */
    private Plan planPolicy(Connection c, Principal p, ObjectNode params) throws SQLException, KmsException {
        Vm vm = existingVm(c, params);
        Map<String, String> requested = new LinkedHashMap<>();
        String home = text(params, "home");
        if (home != null) {
            requested.put(Component.HOME, home);
        }
        JsonNode disks = params.get("disks");
        if (disks != null && !disks.isNull()) {
            if (!disks.isObject()) {
                throw new InvalidRequestException(ResultReason.INVALID_FIELD, "disks must map disk names to policy names", null);
            }
            for (var e : disks.properties()) {
                if (e.getKey().equals(Component.HOME)) {
                    throw new InvalidRequestException(ResultReason.INVALID_FIELD, "'home' is the VM home, not a disk: set it with 'home'", null);
                }
                requested.put(e.getKey(), e.getValue().asText());
            }
        }
        if (requested.isEmpty()) {
            throw new InvalidRequestException(ResultReason.MISSING_DATA, "no policy given: set 'home' and/or 'disks'", null);
        }
        List<String> encrypt = new ArrayList<>();
        List<String> decrypt = new ArrayList<>();
        Map<String, Boolean> after = new HashMap<>();
        for (Component k : vm.components()) {
            after.put(k.name(), k.encrypted());
        }
        for (var e : requested.entrySet()) {
            Component k = component(vm, e.getKey());
            StoragePolicy pol = policy(c, e.getValue());
            if (pol.encryption() && !k.encrypted()) {
                encrypt.add(k.name());
            } else if (!pol.encryption() && k.encrypted()) {
                decrypt.add(k.name());
            }
            after.put(k.name(), pol.encryption());
        }
        if (!encrypt.isEmpty() && !decrypt.isEmpty()) {
            throw new InvalidRequestException(ResultReason.INVALID_FIELD, "this policy change would encrypt " + encrypt + " and decrypt "
                    + decrypt + " at once: apply one change, then the other", null);
        }
        ObjectNode derived = TaskStore.JSON.createObjectNode().put("vm", vm.name());
        ObjectNode policies = derived.putObject("policies");
        requested.forEach(policies::put);
        if (!after.get(Component.HOME)) {
            List<Component> stillEncrypted = vm.disks().stream().filter(d -> after.get(d.name())).toList();
            if (!stillEncrypted.isEmpty()) {
                if (decrypt.contains(Component.HOME)) {
                    throw new WrongStateException(ResultReason.WRONG_KEY_LIFECYCLE_STATE, homeOrderMessage(vm, stillEncrypted)
                            + " (apply the plain policy to the disks first, or together with the VM home)", null);
                }
                throw new InvalidRequestException(ResultReason.INVALID_FIELD, "an encrypted disk needs an encrypted VM home: apply the "
                        + "encryption policy to the VM home of '" + vm.name() + "' too", null);
            }
        }
        if (!encrypt.isEmpty()) {
            return planEncrypt(c, p, derived, encrypt);
        }
        if (!decrypt.isEmpty()) {
            return planDecrypt(c, p, TaskKind.DECRYPT_VM, derived, decrypt);
        }
        return vmPlan(TaskKind.APPLY_POLICY, vm, derived);
    }

    // ================================================================== running

    @Override
    void run(TaskContext ctx) throws Exception {
        switch (ctx.kind()) {
            case CREATE_VM -> runCreate(ctx);
            case ENCRYPT_VM -> runEncrypt(ctx);
            case DECRYPT_DISK, DECRYPT_HOME, DECRYPT_VM -> runDecrypt(ctx);
            case REKEY_SHALLOW -> runRekey(ctx, false);
            case REKEY_DEEP -> runRekey(ctx, true);
            case MOVE_VM -> runMove(ctx);
            case POWER_ON -> runPower(ctx, true);
            case POWER_OFF -> runPower(ctx, false);
            case APPLY_POLICY -> runPolicyOnly(ctx);
            default -> throw new IllegalArgumentException(ctx.kind().toString());
        }
    }

    private static Map<String, String> policies(TaskContext ctx) {
        Map<String, String> out = new LinkedHashMap<>();
        ctx.params().path("policies").properties().forEach(e -> out.put(e.getKey(), e.getValue().asText()));
        return out;
    }

    private static List<String> components(TaskContext ctx) {
        List<String> out = new ArrayList<>();
        ctx.params().path("components").forEach(n -> out.add(n.asText()));
        return out;
    }

    /** A new KEK at the default provider, checkpointed as soon as the KMS made it, then activated and granted. */
    private static KeyRef newKek(TaskContext ctx, String vm, String cluster) throws Exception {
        KekService keks = ctx.services().keks();
        String provider = ctx.saved("provider");
        if (provider == null) {
            provider = ctx.db().read(Steps::defaultProvider).name();
            ctx.save("provider", provider);
        }
        String kek = ctx.saved("kek");
        String label = ctx.saved("kekLabel");
        if (kek == null && label != null) {
            // A previous process asked for the KEK but died before recording the answer.
            List<String> found = keks.findKek(provider, label, ctx);
            if (!found.isEmpty()) {
                kek = found.getFirst();
                ctx.save("kek", kek);
                ctx.save("newKek", kek);
                ctx.info("found KEK {kek}, created for this task before the restart (KMIP Locate by x-Identifier)", kek);
            }
        }
        if (kek == null) {
            if (label == null) {
                label = "kekvault-bridge/" + ctx.id() + "/" + UUID.randomUUID();
                ctx.save("kekLabel", label);
            }
            ctx.info("asking key provider " + provider + " for a new KEK (KMIP Create, AES-256)");
            kek = keks.createKek(provider, label, "vm:" + vm, ctx);
            Failpoints.hit(ctx.kind(), "after-kms-create");
            ctx.save("kek", kek);
            ctx.save("newKek", kek);
            ctx.info("KEK {kek} created; the bridge records only its identifier", kek);
            Failpoints.hit(ctx.kind(), "after-kek");
        }
        keks.activate(provider, kek, ctx);
        KeyRef key = new KeyRef(provider, kek);
        Steps.grantCluster(ctx, key, cluster);
        return key;
    }

    private void runCreate(TaskContext ctx) throws Exception {
        ObjectNode p = ctx.params();
        String name = p.get("vm").asText();
        Host host = Steps.host(ctx, p.get("host").asText());
        String policy = p.get("policy").asText();
        KeyRef key = p.get("encrypted").asBoolean() ? newKek(ctx, name, host.cluster()) : null;
        ctx.progress(0.3);
        HostClient hc = Steps.client(ctx, host);
        HostVm hv;
        Optional<HostVm> existing = hc.vm(name);
        if (existing.isPresent() && (ctx.done("created") || ctx.resumed())) {
            hv = existing.get();
            ctx.info("the VM already exists on host " + host.id() + " (created before the restart)");
        } else if (existing.isPresent()) {
            throw new ConflictException("a VM folder '" + name + "' already exists on the datastore of host " + host.id());
        } else {
            List<HostClient.DiskSpec> disks = new ArrayList<>();
            p.path("disks").forEach(d -> disks.add(new HostClient.DiskSpec(d.get("name").asText(), d.get("sizeBytes").asLong())));
            ctx.info("creating VM " + name + " on host " + host.id() + (key == null ? " (plain)" : " encrypted under KEK {kek}"),
                    key == null ? null : key.kekId());
            hv = hc.createVm(name, disks, key == null ? null : key.provider(), key == null ? null : key.kekId());
        }
        ctx.markDone("created");
        Failpoints.hit(ctx.kind(), "after-host");
        Vm vm = new Vm(name, hv.uuid() == null ? "" : hv.uuid(), host.cluster(), host.id(), Vm.Power.OFF,
                Steps.fromHost(hv, policy, key == null ? null : key.provider()));
        ctx.succeed(c -> {
            Inventory.insertVm(c, vm);
            return null;
        });
    }

    private void runEncrypt(TaskContext ctx) throws Exception {
        Vm vm = Steps.vm(ctx, ctx.params().get("vm").asText());
        List<String> targets = components(ctx);
        if (!vm.home().encrypted() && !targets.contains(Component.HOME)) {
            throw new InvalidRequestException(ResultReason.INVALID_FIELD, "an encrypted disk needs an encrypted VM home", null);
        }
        Host host = Steps.host(ctx, vm.host());
        KeyRef key;
        if (vm.home().encrypted() && ctx.saved("kek") == null) {
            key = vm.home().key();
            ctx.info("the VM home is encrypted: its KEK {kek} protects the new components too", key.kekId());
            Steps.grantCluster(ctx, key, vm.cluster());
        } else {
            key = newKek(ctx, vm.name(), vm.cluster());
        }
        ctx.progress(0.1);
        HostClient hc = Steps.client(ctx, host);
        Steps.hostJob(ctx, hc, vm.name(), "job", "encrypt " + targets,
                () -> hc.encrypt(vm.name(), key.provider(), key.kekId(), targets),
                hv -> targets.stream().allMatch(t -> part(hv, t).map(x -> x.encrypted() && key.kekId().equals(x.kekId())).orElse(false)),
                0.1, 0.95);
        HostVm hv = hc.vm(vm.name()).orElseThrow(() -> new NotFoundException("VM '" + vm.name() + "' vanished from the datastore"));
        Map<String, String> requested = defaults(policies(ctx), targets, StoragePolicy.ENCRYPTION);
        ctx.succeed(c -> {
            Inventory.replaceVm(c, Steps.reconciled(c, vm, hv, vm.host(), vm.power(), requested, key.provider()));
            return null;
        });
    }

    private static Map<String, String> defaults(Map<String, String> requested, List<String> components, String policy) {
        Map<String, String> out = new HashMap<>(requested);
        components.forEach(k -> out.putIfAbsent(k, policy));
        return out;
    }

    static Optional<HostVm.Part> part(HostVm hv, String component) {
        return component.equals(Component.HOME) ? Optional.of(hv.home()) : hv.disk(component);
    }

    private void runDecrypt(TaskContext ctx) throws Exception {
        Vm vm = Steps.vm(ctx, ctx.params().get("vm").asText());
        List<String> targets = components(ctx);
        Set<KeyRef> before = vm.keys();
        Host host = Steps.host(ctx, vm.host());
        HostClient hc = Steps.client(ctx, host);
        int n = targets.size();
        for (int i = 0; i < n; i++) {
            String k = targets.get(i);
            if (k.equals(Component.HOME)) {
                HostVm now = hc.vm(vm.name()).orElseThrow(() -> new NotFoundException("VM '" + vm.name() + "' vanished from the datastore"));
                List<Component> still = vm.disks().stream().filter(d -> part(now, d.name()).map(HostVm.Part::encrypted).orElse(false)).toList();
                if (!still.isEmpty()) {
                    throw new WrongStateException(ResultReason.WRONG_KEY_LIFECYCLE_STATE, homeOrderMessage(vm, still), null);
                }
            }
            Steps.hostJob(ctx, hc, vm.name(), "job:" + k, "decrypt " + (k.equals(Component.HOME) ? "the VM home" : "disk " + k),
                    () -> k.equals(Component.HOME) ? hc.decryptHome(vm.name()) : hc.decryptDisk(vm.name(), k),
                    hv -> part(hv, k).map(x -> !x.encrypted()).orElse(false),
                    (double) i / n, (i + 1.0) / n * 0.95);
            ctx.info((k.equals(Component.HOME) ? "the VM home" : "disk " + k) + " is now plaintext");
        }
        HostVm hv = hc.vm(vm.name()).orElseThrow(() -> new NotFoundException("VM '" + vm.name() + "' vanished from the datastore"));
        Map<String, String> requested = defaults(policies(ctx), targets, StoragePolicy.PLAIN);
        Vm after = ctx.db().read(c -> Steps.reconciled(c, vm, hv, vm.host(), vm.power(), requested, null));
        Steps.revoke(ctx, ctx.db().read(c -> Steps.unusedAfter(c, after, before)), RevocationReasonCode.CESSATION_OF_OPERATION);
        ctx.succeed(c -> {
            Inventory.replaceVm(c, after);
            return null;
        });
    }

    private void runRekey(TaskContext ctx, boolean deep) throws Exception {
        Vm vm = Steps.vm(ctx, ctx.params().get("vm").asText());
        Set<KeyRef> old = new LinkedHashSet<>(vm.keys());
        String saved = ctx.saved("kek");
        if (saved != null) {
            old.removeIf(k -> k.kekId().equals(saved));
        }
        if (old.isEmpty() && saved == null) {
            throw new WrongStateException(ResultReason.ILLEGAL_OPERATION, "VM '" + vm.name() + "' is not encrypted: nothing to rekey", null);
        }
        KeyRef primary = vm.home().encrypted() ? vm.home().key() : vm.keys().iterator().next();
        KekService keks = ctx.services().keks();
        String provider = ctx.saved("provider") != null ? ctx.saved("provider") : primary.provider();
        String kek = saved;
        if (kek == null) {
            ctx.save("provider", provider);
            ctx.info("asking key provider " + provider + " to rekey {kek} (KMIP ReKey)", primary.kekId());
            kek = keks.rekey(provider, primary.kekId(), ctx);
            ctx.save("kek", kek);
            ctx.save("newKek", kek);
            ctx.info("replacement KEK {kek} created", kek);
            Failpoints.hit(ctx.kind(), "after-kek");
        }
        keks.activate(provider, kek, ctx);
        KeyRef key = new KeyRef(provider, kek);
        Steps.grantCluster(ctx, key, vm.cluster());
        ctx.progress(0.1);
        Host host = Steps.host(ctx, vm.host());
        HostClient hc = Steps.client(ctx, host);
        String newKek = kek;
        Steps.hostJob(ctx, hc, vm.name(), "job", (deep ? "deep" : "shallow") + " rekey",
                () -> hc.rekey(vm.name(), provider, newKek, deep, null),
                hv -> allUnder(hv, newKek), 0.1, 0.95);
        HostVm hv = hc.vm(vm.name()).orElseThrow(() -> new NotFoundException("VM '" + vm.name() + "' vanished from the datastore"));
        Vm after = ctx.db().read(c -> Steps.reconciled(c, vm, hv, vm.host(), vm.power(), Map.of(), provider));
        Steps.revoke(ctx, ctx.db().read(c -> Steps.unusedAfter(c, after, old)), RevocationReasonCode.SUPERSEDED);
        ctx.succeed(c -> {
            Inventory.replaceVm(c, after);
            return null;
        });
    }

    private static boolean allUnder(HostVm hv, String kek) {
        boolean any = hv.home().encrypted() || !hv.encryptedDisks().isEmpty();
        return any && (!hv.home().encrypted() || kek.equals(hv.home().kekId()))
                && hv.encryptedDisks().stream().allMatch(d -> kek.equals(d.kekId()));
    }

    private void runMove(TaskContext ctx) throws Exception {
        Vm vm = Steps.vm(ctx, ctx.params().get("vm").asText());
        Host target = Steps.host(ctx, ctx.params().get("host").asText());
        if (!target.cluster().equals(vm.cluster())) {
            throw new InvalidRequestException(ResultReason.INVALID_FIELD, "host '" + target.id() + "' is outside cluster '" + vm.cluster() + "'", null);
        }
        if (vm.host().equals(target.id())) {
            ctx.info("VM " + vm.name() + " is on host " + target.id());
            return;
        }
        Host source = Steps.host(ctx, vm.host());
        HostClient dst = Steps.client(ctx, target);
        HostVm at = dst.vm(vm.name()).orElseThrow(() -> new NotFoundException("host '" + target.id() + "' does not see VM '" + vm.name()
                + "' on its datastore"));
        if (vm.power() == Vm.Power.ON && !target.id().equals(at.openOn())) {
            HostClient src = Steps.client(ctx, source);
            boolean force = false;
            try {
                HostVm s = src.vm(vm.name()).orElse(null);
                if (s != null && s.open()) {
                    src.close(vm.name());
                    ctx.info("VM closed on host " + source.id() + (vm.anyEncrypted() ? " (its DEKs are gone from that host's memory)" : ""));
                }
            } catch (HostException e) {
                if (!e.unreachable()) {
                    throw e;
                }
                ctx.warn("source host " + source.id() + " is unreachable; opening the VM on " + target.id() + " with force");
                force = true;
            }
            dst.open(vm.name(), force);
            ctx.info("VM opened on host " + target.id() + (vm.anyEncrypted() ? " (it unwrapped the DEKs at the KMS with its own identity)" : ""));
        }
        ctx.succeed(c -> {
            Inventory.setVmHost(c, vm.name(), target.id());
            return null;
        });
    }

    private void runPower(TaskContext ctx, boolean on) throws Exception {
        Vm vm = Steps.vm(ctx, ctx.params().get("vm").asText());
        Host host = Steps.host(ctx, vm.host());
        HostClient hc = Steps.client(ctx, host);
        HostVm now = hc.vm(vm.name()).orElseThrow(() -> new NotFoundException("VM '" + vm.name() + "' is not on the datastore of host " + host.id()));
        if (on && !(now.open() && host.id().equals(now.openOn()))) {
            hc.open(vm.name(), false);
            ctx.info("VM opened on host " + host.id() + (vm.anyEncrypted() ? " (the host unwrapped its DEKs at the KMS)" : ""));
        } else if (!on && now.open()) {
            hc.close(vm.name());
            ctx.info("VM closed on host " + host.id() + (vm.anyEncrypted() ? " (its DEKs were zeroized)" : ""));
        }
        ctx.succeed(c -> {
            Inventory.setPower(c, vm.name(), on ? Vm.Power.ON : Vm.Power.OFF);
            return null;
        });
    }

    private void runPolicyOnly(TaskContext ctx) throws Exception {
        Vm vm = Steps.vm(ctx, ctx.params().get("vm").asText());
        Map<String, String> requested = policies(ctx);
        ctx.succeed(c -> {
            List<Component> out = new ArrayList<>();
            for (Component k : vm.components()) {
                out.add(k.withPolicy(Steps.policyFor(c, k, k.encrypted(), requested.get(k.name()))));
            }
            Inventory.replaceVm(c, new Vm(vm.name(), vm.uuid(), vm.cluster(), vm.host(), vm.power(), out));
            return null;
        });
    }

    // ================================================================== recovery

    @Override
    void recover(TaskContext ctx, KmsException cause) throws Exception {
        String name = ctx.params().path("vm").asText();
        String newKek = ctx.saved("newKek");
        String provider = ctx.saved("provider");
        switch (ctx.kind()) {
            case CREATE_VM -> recoverCreate(ctx, cause, name, provider, newKek);
            case ENCRYPT_VM, DECRYPT_DISK, DECRYPT_HOME, DECRYPT_VM, REKEY_SHALLOW, REKEY_DEEP -> {
                Optional<Vm> vm = ctx.db().read(c -> Inventory.vm(c, name));
                HostVm hv = vm.isEmpty() ? null : reported(ctx, vm.get());
                if (vm.isPresent() && hv != null) {
                    Vm recorded = vm.get();
                    Vm after = ctx.db().read(c -> Steps.reconciled(c, recorded, hv, recorded.host(), recorded.power(), Map.of(), provider));
                    List<KeyRef> candidates = new ArrayList<>(recorded.keys());
                    if (newKek != null && provider != null) {
                        candidates.add(new KeyRef(provider, newKek));
                    }
                    Steps.revoke(ctx, ctx.db().read(c -> Steps.unusedAfter(c, after, candidates)),
                            RevocationReasonCode.CESSATION_OF_OPERATION);
                    ctx.info("the inventory records the VM as its host reports it");
                    ctx.fail(cause, c -> {
                        Inventory.replaceVm(c, after);
                        return null;
                    });
                } else {
                    ctx.fail(cause, null);
                }
            }
            default -> ctx.fail(cause, null);
        }
    }

    private static HostVm reported(TaskContext ctx, Vm vm) {
        try {
            Host h = Steps.host(ctx, vm.host());
            return Steps.client(ctx, h).vm(vm.name()).orElse(null);
        } catch (Exception e) {
            ctx.warn("could not read the VM's state from its host: " + e.getMessage() + "; the inventory keeps the last known state");
            return null;
        }
    }

    private void recoverCreate(TaskContext ctx, KmsException cause, String name, String provider, String newKek) throws Exception {
        HostVm hv = null;
        Host host = null;
        try {
            host = Steps.host(ctx, ctx.params().get("host").asText());
            hv = Steps.client(ctx, host).vm(name).orElse(null);
        } catch (Exception e) {
            ctx.warn("could not check the host for VM " + name + ": " + e.getMessage());
        }
        boolean ours = hv != null && (ctx.done("created") || (newKek != null ? newKek.equals(hv.home().kekId())
                : !ctx.params().path("encrypted").asBoolean() && ctx.resumed()));
        if (ours && ctx.db().read(c -> Inventory.vm(c, name)).isEmpty()) {
            Vm vm = new Vm(name, hv.uuid() == null ? "" : hv.uuid(), host.cluster(), host.id(), Vm.Power.OFF,
                    Steps.fromHost(hv, ctx.params().get("policy").asText(), provider));
            ctx.info("the host had created the VM: it is recorded as the host reports it");
            ctx.fail(cause, c -> {
                Inventory.insertVm(c, vm);
                return null;
            });
            return;
        }
        if (newKek != null && provider != null) {
            ctx.info("rolling back: the VM was not created");
            Steps.revoke(ctx, ctx.db().read(c -> Steps.unusedAfter(c, null, List.of(new KeyRef(provider, newKek)))),
                    RevocationReasonCode.CESSATION_OF_OPERATION);
        }
        ctx.fail(cause, null);
    }

    @Override
    String targetOf(TaskKind kind, ObjectNode params) {
        String vm = params.path("vm").asText("");
        return vm.isEmpty() ? "request:" + kind.wire() : "vm:" + Names.printable(vm);
    }
}
