package io.kekvault.bridge.task;

import io.kekvault.bridge.host.HostClient;
import io.kekvault.bridge.host.HostException;
import io.kekvault.bridge.host.HostJob;
import io.kekvault.bridge.host.HostVm;
import io.kekvault.bridge.inventory.Component;
import io.kekvault.bridge.inventory.Host;
import io.kekvault.bridge.inventory.Inventory;
import io.kekvault.bridge.inventory.KeyProvider;
import io.kekvault.bridge.inventory.KeyRef;
import io.kekvault.bridge.inventory.StoragePolicy;
import io.kekvault.bridge.inventory.Vm;
import io.kekvault.kmip.error.GeneralFailureException;
import io.kekvault.kmip.error.KmsException;
import io.kekvault.kmip.error.NotFoundException;
import io.kekvault.kmip.error.ResultReason;
import io.kekvault.kmip.error.UnavailableException;
import io.kekvault.kmip.error.WrongStateException;
import io.kekvault.kmip.message.RevocationReasonCode;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/** Steps the tasks share: inventory lookups, grants, host jobs, reconciling with what a host reports. */
final class Steps {
    private static final Duration POLL = Duration.ofMillis(150);

    private Steps() {
    }

    static Vm vm(TaskContext ctx, String name) throws SQLException, KmsException {
        return ctx.db().read(c -> Inventory.vm(c, name)).orElseThrow(
                () -> new NotFoundException("VM '" + name + "' is not in the inventory"));
    }

    static Host host(TaskContext ctx, String id) throws SQLException, KmsException {
        return ctx.db().read(c -> Inventory.host(c, id)).orElseThrow(
                () -> new NotFoundException("host '" + id + "' is not in the inventory"));
    }

    static HostClient client(TaskContext ctx, Host h) throws KmsException {
        return ctx.services().hosts().client(h.id(), h.url());
    }

    /** The default key provider, which must be trusted. */
    static KeyProvider defaultProvider(Connection c) throws SQLException, KmsException {
        KeyProvider p = Inventory.defaultProvider(c).orElseThrow(() -> new WrongStateException(ResultReason.ILLEGAL_OPERATION,
                "no default key provider: add a key provider and make it the default", null));
        if (!KeyProvider.TRUST_TRUSTED.equals(p.trust())) {
            throw new WrongStateException(ResultReason.ILLEGAL_OPERATION, "the default key provider '" + p.name()
                    + "' is not trusted yet: make a CSR, have the KMS sign it and install the certificate", null);
        }
        return p;
    }

    /** Grants the KEK to every host of the cluster (idempotent). */
    static void grantCluster(TaskContext ctx, KeyRef key, String cluster) throws SQLException, KmsException {
        List<Host> hosts = ctx.db().read(c -> Inventory.hostsOf(c, cluster));
        List<String> ids = new ArrayList<>();
        for (Host h : hosts) {
            ctx.services().keks().grant(key.provider(), key.kekId(), h.identity(), ctx);
            ids.add(h.identity());
        }
        ctx.info("KEK {kek} granted (wrap, unwrap) to the hosts of cluster " + cluster + ": " + String.join(", ", ids), key.kekId());
    }

    /**
     * The {@code candidates} no component uses once the VM is recorded as {@code after}: not by
     * {@code after} itself, and not by any other VM.
     */
    static List<KeyRef> unusedAfter(Connection c, Vm after, Collection<KeyRef> candidates) throws SQLException {
        java.util.Set<KeyRef> stillUsed = after == null ? java.util.Set.of() : after.keys();
        List<KeyRef> out = new ArrayList<>();
        for (KeyRef k : new java.util.LinkedHashSet<>(candidates)) {
            if (stillUsed.contains(k)) {
                continue;
            }
            String own = after == null ? null : after.name() + "/";
            if (Inventory.usesOf(c, k).stream().noneMatch(u -> own == null || !u.startsWith(own))) {
                out.add(k);
            }
        }
        return out;
    }

    /**
     * Revokes (KMIP Revoke) KEKs nothing uses any more, before the task records that: a revoked
     * KEK still unwraps (Deactivated), so even a crash right after leaves every VM usable.
     * Failures are logged, not thrown.
     */
    static void revoke(TaskContext ctx, Collection<KeyRef> unused, RevocationReasonCode reason) {
        for (KeyRef k : unused) {
            try {
                ctx.services().keks().revoke(k.provider(), k.kekId(), reason, "no VM component uses this KEK any more", ctx);
                ctx.info("KEK {kek} is no longer used: revoked at key provider " + k.provider() + " (" + reason.name().toLowerCase()
                        + "; it can still unwrap, never wrap)", k.kekId());
            } catch (KmsException e) {
                ctx.warn("could not revoke the unused KEK {kek}: " + e.getMessage() + " (it stays usable; revoke it at the KMS)", k.kekId());
            }
        }
    }

    @FunctionalInterface
    interface JobStart {
        String start() throws HostException;
    }

    /**
     * Runs one host job to its end, resumably: the job id is checkpointed under {@code jobKey};
     * after a restart the recorded job is followed; if the host lost it, or it was never
     * recorded, the VM's state decides whether the work is already done before starting again.
     * Progress moves from {@code from} to {@code to}.
     */
    static void hostJob(TaskContext ctx, HostClient hc, String vm, String jobKey, String what, JobStart start,
                        Predicate<HostVm> done, double from, double to) throws Exception {
        String job = ctx.saved(jobKey);
        for (int attempt = 0; attempt < 3; attempt++) {
            if (job != null) {
                HostJob j = follow(ctx, hc, job, from, to);
                if (j != null) {
                    if (j.succeeded()) {
                        return;
                    }
                    throw jobFailure(hc, what, j);
                }
                ctx.warn("host " + hc.base() + " no longer knows job " + job + " (host restarted?); checking the VM");
            }
            HostVm now = hc.vm(vm).orElseThrow(() -> new NotFoundException("VM '" + vm + "' is not on the datastore of the host"));
            if (done.test(now)) {
                ctx.info(what + ": already done on the host");
                return;
            }
            job = startJob(ctx, start);
            ctx.save(jobKey, job);
            ctx.info(what + ": host job " + job + " started");
            Failpoints.hit(ctx.kind(), "after-job-start");
        }
        throw new UnavailableException(what + ": the host lost the job repeatedly");
    }

    private static String startJob(TaskContext ctx, JobStart start) throws Exception {
        long deadline = System.nanoTime() + ctx.services().jobTimeout().toNanos();
        while (true) {
            try {
                return start.start();
            } catch (HostException e) {
                // After a restart the previous process's job may still hold the VM: wait for it.
                if (e.status() == 409 && ctx.resumed() && System.nanoTime() < deadline && busy(e)) {
                    Thread.sleep(500);
                    continue;
                }
                throw e;
            }
        }
    }

    /** The host's "another job holds this VM" refusal (docs/host-api.md: 409 while a job runs). */
    private static boolean busy(HostException e) {
        if ("duplicate_process_request".equals(e.code())) {
            return true;
        }
        String d = (e.detail() == null ? "" : e.detail()).toLowerCase(java.util.Locale.ROOT);
        return d.contains("job") && d.contains("running");
    }

    /** Polls the job until it ends; null if the host does not know it. */
    private static HostJob follow(TaskContext ctx, HostClient hc, String job, double from, double to) throws Exception {
        long deadline = System.nanoTime() + ctx.services().jobTimeout().toNanos();
        long wait = POLL.toMillis();
        while (true) {
            HostJob j;
            try {
                j = hc.job(job);
            } catch (HostException e) {
                if (e.status() == 404) {
                    return null;
                }
                throw e;
            }
            ctx.progress(from + (to - from) * j.progress());
            if (!j.running()) {
                return j;
            }
            if (System.nanoTime() > deadline) {
                throw new UnavailableException("host job " + job + " did not finish within " + ctx.services().jobTimeout());
            }
            Thread.sleep(wait);
            wait = Math.min(1000, wait + 50);
        }
    }

    private static KmsException jobFailure(HostClient hc, String what, HostJob j) {
        String msg = what + " failed on host " + hc.base() + ": " + (j.errorDetail() == null ? "job " + j.id() + " failed" : j.errorDetail());
        if (j.errorCode() != null) {
            try {
                return KmsException.fromReason(ResultReason.valueOf(j.errorCode().toUpperCase(java.util.Locale.ROOT)), msg);
            } catch (IllegalArgumentException ignored) {
                // not a KMIP reason
            }
        }
        return new GeneralFailureException(msg);
    }

    /**
     * The VM as recorded, with each component's encryption taken from what the host reports. A
     * component's policy becomes {@code requested} when its state now matches that policy; else
     * it keeps its policy if that still matches, or takes the policy of its actual state.
     */
    static Vm reconciled(Connection c, Vm recorded, HostVm reported, String host, Vm.Power power, Map<String, String> requested,
                         String fallbackProvider) throws SQLException, KmsException {
        List<Component> out = new ArrayList<>();
        for (Component k : recorded.components()) {
            HostVm.Part part = k.isHome() ? reported.home() : reported.disk(k.name()).orElse(null);
            if (part == null) {
                throw new WrongStateException(ResultReason.ILLEGAL_OPERATION, "host reports VM '" + recorded.name() + "' without disk '"
                        + k.name() + "'", null);
            }
            KeyRef key = null;
            if (part.encrypted()) {
                if (part.kekId() == null) {
                    throw new WrongStateException(ResultReason.ILLEGAL_OPERATION, "host reports component '" + k.name()
                            + "' encrypted but names no KEK", null);
                }
                String provider = part.provider() != null ? part.provider() : reported.home().provider() != null
                        ? reported.home().provider() : k.key() != null ? k.key().provider() : fallbackProvider;
                key = new KeyRef(provider, part.kekId());
            }
            out.add(new Component(k.name(), k.position(), k.sizeBytes(), policyFor(c, k, key != null, requested.get(k.name())), key));
        }
        return new Vm(recorded.name(), reported.uuid() != null ? reported.uuid() : recorded.uuid(), recorded.cluster(), host, power, out);
    }

    static String policyFor(Connection c, Component k, boolean encrypted, String requested) throws SQLException {
        if (requested != null && Inventory.policy(c, requested).map(StoragePolicy::encryption).orElse(!encrypted) == encrypted) {
            return requested;
        }
        if (Inventory.policy(c, k.policy()).map(StoragePolicy::encryption).orElse(!encrypted) == encrypted) {
            return k.policy();
        }
        return encrypted ? StoragePolicy.ENCRYPTION : StoragePolicy.PLAIN;
    }

    /** Components of {@code reported} as new inventory components (home first), all with {@code policy}. */
    static List<Component> fromHost(HostVm reported, String policy, String provider) {
        List<Component> out = new ArrayList<>();
        HostVm.Part h = reported.home();
        out.add(new Component(Component.HOME, 0, null, policy,
                h.encrypted() ? new KeyRef(h.provider() != null ? h.provider() : provider, h.kekId()) : null));
        int i = 1;
        for (HostVm.Part d : reported.disks()) {
            out.add(new Component(d.name(), i++, d.sizeBytes(), policy, d.encrypted()
                    ? new KeyRef(d.provider() != null ? d.provider() : h.provider() != null ? h.provider() : provider, d.kekId()) : null));
        }
        return out;
    }
}
