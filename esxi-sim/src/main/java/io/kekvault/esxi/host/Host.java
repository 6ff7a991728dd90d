package io.kekvault.esxi.host;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kekvault.esxi.crypto.XtsEngine;
import io.kekvault.esxi.crypto.XtsEngineFactory;
import io.kekvault.esxi.crypto.XtsKeys;
import io.kekvault.esxi.disk.DiskForm;
import io.kekvault.esxi.disk.DiskProgress;
import io.kekvault.esxi.disk.DiskTransformer;
import io.kekvault.esxi.disk.EncryptedDisk;
import io.kekvault.esxi.kms.KeyProvider;
import io.kekvault.esxi.kms.KeyProviders;
import io.kekvault.esxi.vm.AtomicFiles;
import io.kekvault.esxi.vm.DiskDescriptor;
import io.kekvault.esxi.vm.DiskIo;
import io.kekvault.esxi.vm.HomeData;
import io.kekvault.esxi.vm.KeySafe;
import io.kekvault.esxi.vm.OpenVm;
import io.kekvault.esxi.vm.VmAad;
import io.kekvault.esxi.vm.VmFolder;
import io.kekvault.esxi.vm.VmRecovery;
import io.kekvault.esxi.vm.VmxFile;
import io.kekvault.kmip.error.ConflictException;
import io.kekvault.kmip.error.GeneralFailureException;
import io.kekvault.kmip.error.InvalidRequestException;
import io.kekvault.kmip.error.KmsException;
import io.kekvault.kmip.error.NotFoundException;
import io.kekvault.kmip.error.ResultReason;
import io.kekvault.kmip.error.WrongStateException;
import io.kekvault.secret.SecretBytes;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DrbgParameters;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One simulated ESXi host: creates VMs in its cluster's datastore, opens them (DEKs unwrapped by
 * the KMS with the host's identity, held in memory only), serves sector I/O, and runs encrypt,
 * decrypt and rekey jobs.
 *
 * <p>Security guarantees: DEKs are 512-bit values from a DRBG, exist in clear only in
 * {@link SecretBytes} held by an open VM or a running job, and are zeroized when the VM closes or
 * the job ends; only wrapped DEKs ({@link KeySafe}, AAD bound to VM and component) and key check
 * values are written. Crash safety: every file update is an atomic replace, every data transform
 * goes through {@link DiskTransformer} with the descriptor's pending record (see
 * {@link VmRecovery}), so a host killed at any moment leaves each component fully old or fully
 * new; {@link #recoverOnStart()} and every open finish or forget what a dead job left.
 *
 * <p>Concurrency: one command at a time per VM on this host (a job holds the VM until it ends;
 * other commands get 409); a VM is owned by at most one host of the cluster at a time through
 * {@code kekvault.openOn} in its .vmx (a job owns the VM too while it runs).
 */
public final class Host implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Host.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String HOME = VmAad.HOME;
    private static final int MAX_JOBS = 1000;

    /** Host identity and placement. */
    public record Settings(String id, String identity, String cluster, Path datastore, int workers) {
    }

    private final Settings settings;
    private final KeyProviders providers;
    private final XtsEngineFactory engines;
    private final DiskTransformer transformer;
    private final JobProbe probe;
    private final SecureRandom drbg;
    private final Map<String, Slot> slots = new ConcurrentHashMap<>();
    private final Map<String, Job> jobs = new ConcurrentHashMap<>();
    private final AtomicLong jobSeq = new AtomicLong();

    /** Per-VM state on this host; guarded by its own monitor. */
    private static final class Slot {
        OpenVm open;
        Job busy;
    }

    public Host(Settings settings, KeyProviders providers, XtsEngineFactory engines, JobProbe probe) {
        this.settings = settings;
        this.providers = providers;
        this.engines = engines;
        this.transformer = new DiskTransformer(engines, Math.max(1, settings.workers()));
        this.probe = probe == null ? JobProbe.NONE : probe;
        this.drbg = newDrbg();
    }

    /** A DRBG for DEKs: NIST SP 800-90A Hash/HMAC/CTR DRBG at 256-bit strength with prediction resistance. */
    static SecureRandom newDrbg() {
        try {
            return SecureRandom.getInstance("DRBG",
                    DrbgParameters.instantiation(256, DrbgParameters.Capability.PR_AND_RESEED,
                            "kekvault-esxi-dek".getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("no DRBG SecureRandom in this JDK", e);
        }
    }

    public Settings settings() {
        return settings;
    }

    public String id() {
        return settings.id();
    }

    public KeyProviders providers() {
        return providers;
    }

    private Slot slot(String vm) {
        return slots.computeIfAbsent(vm, k -> new Slot());
    }

    // ------------------------------------------------------------------ start-up recovery

    /**
     * Removes unfinished creations of this host and recovers every VM this host owned when it
     * stopped ({@code kekvault.openOn} = this host), then releases them: after a restart no VM is
     * open here.
     */
    public void recoverOnStart() throws IOException {
        Files.createDirectories(settings.datastore());
        VmRecovery.cleanStaging(settings.datastore(), settings.id());
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(settings.datastore(), Files::isDirectory)) {
            for (Path d : dirs) {
                String name = d.getFileName().toString();
                if (!VmFolder.NAME.matcher(name).matches()) {
                    continue;
                }
                VmFolder f = new VmFolder(settings.datastore(), name);
                if (!f.exists()) {
                    continue;
                }
                try {
                    VmxFile vmx = VmxFile.read(f.vmx());
                    if (settings.id().equals(vmx.get(VmFolder.OPEN_ON))) {
                        VmRecovery.recover(f);
                        VmxFile.read(f.vmx()).remove(VmFolder.OPEN_ON).save(f.vmx());
                        LOG.warn("event=vm_released_after_restart host={} vm={}", settings.id(), name);
                    }
                } catch (IOException | KmsException | RuntimeException e) {
                    LOG.error("event=vm_recovery_failed host={} vm={} error=\"{}\"", settings.id(), name, e.getMessage());
                }
            }
        }
    }

    // ------------------------------------------------------------------ queries

    public ObjectNode describe(List<String> kmsUrls) {
        ObjectNode n = JSON.createObjectNode();
        n.put("hostId", settings.id());
        n.put("identity", settings.identity());
        n.put("cluster", settings.cluster());
        n.put("datastore", settings.datastore().toString());
        ArrayNode kms = n.putArray("kms");
        kmsUrls.forEach(kms::add);
        ObjectNode byProvider = n.putObject("providers");
        providers.all().forEach((name, p) -> {
            ArrayNode a = byProvider.putArray(name);
            p.endpoints().forEach(u -> a.add(u.toString()));
        });
        ArrayNode open = n.putArray("openVms");
        new TreeMap<>(slots).forEach((name, s) -> {
            synchronized (s) {
                if (s.open != null) {
                    open.add(name);
                }
            }
        });
        n.put("xtsEngine", engines.name());
        return n;
    }

    public ObjectNode listVms() throws IOException {
        ObjectNode n = JSON.createObjectNode();
        ArrayNode items = n.putArray("items");
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(settings.datastore(), Files::isDirectory)) {
            for (Path d : dirs) {
                names.add(d.getFileName().toString());
            }
        }
        names.sort(null);
        for (String name : names) {
            if (!VmFolder.NAME.matcher(name).matches() || !new VmFolder(settings.datastore(), name).exists()) {
                continue;
            }
            try {
                items.add(state(name));
            } catch (KmsException | IOException e) {
                ObjectNode bad = items.addObject();
                bad.put("name", name);
                bad.put("error", e.getMessage());
            }
        }
        return n;
    }

    /** The VM's state as stored (and whether it is open here). */
    public ObjectNode state(String vm) throws IOException, KmsException {
        VmFolder f = VmFolder.of(settings.datastore(), vm);
        VmxFile vmx = f.readVmx();
        ObjectNode n = JSON.createObjectNode();
        n.put("name", vm);
        n.put("uuid", VmFolder.uuid(vmx));
        Slot s = slots.get(vm);
        boolean openHere;
        String job = null;
        if (s != null) {
            synchronized (s) {
                openHere = s.open != null;
                job = s.busy == null ? null : s.busy.id();
            }
        } else {
            openHere = false;
        }
        String openOn = vmx.get(VmFolder.OPEN_ON);
        n.put("open", openOn != null && (openHere || !openOn.equals(settings.id())));
        n.put("openOn", openOn);
        n.put("job", job);
        ObjectNode home = n.putObject("home");
        String safe = vmx.get(VmFolder.KEY_SAFE);
        home.put("encrypted", safe != null);
        if (safe != null) {
            KeySafe k = KeySafe.parse(safe);
            home.put("provider", k.provider());
            home.put("kekId", k.kekId());
        } else {
            home.putNull("provider");
            home.putNull("kekId");
        }
        ArrayNode disks = n.putArray("disks");
        for (String disk : VmFolder.disks(vmx)) {
            DiskDescriptor d = f.readDescriptor(disk);
            ObjectNode dn = disks.addObject();
            dn.put("name", disk);
            dn.put("sizeBytes", d.sizeBytes());
            dn.put("encrypted", d.encrypted());
            KeySafe k = d.keySafe();
            dn.put("provider", k == null ? null : k.provider());
            dn.put("kekId", k == null ? null : k.kekId());
            dn.put("checkValue", d.checkValue());
            if (d.pendingLabel() != null) {
                dn.put("pending", d.pendingLabel().equals(DiskDescriptor.PLAIN) ? "plain" : "xts-aes-256");
            }
        }
        return n;
    }

    public Job job(String id) throws NotFoundException {
        Job j = jobs.get(id);
        if (j == null) {
            throw new NotFoundException(ResultReason.ITEM_NOT_FOUND, "no job '" + id + "' on this host", null);
        }
        return j;
    }

    // ------------------------------------------------------------------ create

    /** A disk to create. */
    public record DiskSpec(String name, long sizeBytes) {
    }

    /** Creates a VM folder with its disks, encrypted under {@code kekId} when it is not null. */
    public ObjectNode create(String vm, List<DiskSpec> disks, String provider, String kekId, String annotation)
            throws IOException, KmsException {
        VmFolder f = VmFolder.of(settings.datastore(), vm);
        Set<String> names = new LinkedHashSet<>();
        for (DiskSpec d : disks) {
            VmFolder.checkName("disk", d.name());
            if (d.name().equals(HOME) || d.name().equals(vm) || !names.add(d.name())) {
                throw new InvalidRequestException(ResultReason.INVALID_FIELD,
                        "disk names must be unique and differ from the VM name and 'home'", null);
            }
            if (d.sizeBytes() <= 0 || d.sizeBytes() % XtsEngine.DISK_DATA_UNIT != 0) {
                throw new InvalidRequestException(ResultReason.INVALID_FIELD,
                        "disk " + d.name() + ": sizeBytes must be a positive multiple of 4096", null);
            }
        }
        if ((provider == null) != (kekId == null)) {
            throw new InvalidRequestException(ResultReason.MISSING_DATA, "encryption needs both provider and kekId", null);
        }
        Slot s = slot(vm);
        synchronized (s) {
            if (s.busy != null) {
                throw busy(vm, s);
            }
            if (Files.exists(f.dir())) {
                throw new ConflictException(ResultReason.OBJECT_ALREADY_EXISTS, "VM '" + vm + "' already exists", null);
            }
            String uuid = UUID.randomUUID().toString();
            List<SecretBytes> deks = new ArrayList<>();
            try {
                List<KeySafe> safes = List.of();
                if (kekId != null) {
                    KeyProvider p = providers.get(provider);
                    List<KeyProvider.WrapItem> items = new ArrayList<>();
                    deks.add(XtsKeys.generate(drbg));
                    items.add(new KeyProvider.WrapItem(deks.getFirst(), VmAad.of(uuid, HOME)));
                    for (DiskSpec d : disks) {
                        SecretBytes k = XtsKeys.generate(drbg);
                        deks.add(k);
                        items.add(new KeyProvider.WrapItem(k, VmAad.of(uuid, d.name())));
                    }
                    safes = p.wrap(kekId, items);
                }
                Path staging = settings.datastore().resolve("." + vm + ".kvcreate-" + settings.id());
                if (Files.exists(staging)) {
                    deleteTree(staging);
                }
                Files.createDirectories(staging);
                VmxFile vmx = new VmxFile()
                        .set(".encoding", "UTF-8")
                        .set("config.version", "8")
                        .set("virtualHW.version", "19")
                        .set("displayName", vm)
                        .set(VmFolder.UUID_KEY, uuid);
                for (int i = 0; i < disks.size(); i++) {
                    vmx.set("scsi0:" + i + ".present", "TRUE").set("scsi0:" + i + ".fileName", disks.get(i).name() + ".vmdk");
                }
                Map<String, String> sensitive = new LinkedHashMap<>();
                if (annotation != null) {
                    sensitive.put("annotation", annotation);
                }
                if (kekId != null) {
                    vmx.set(VmFolder.KEY_SAFE, safes.getFirst().encode())
                            .set(VmFolder.DATA, HomeData.seal(sensitive, deks.getFirst(), uuid, drbg));
                } else {
                    sensitive.forEach(vmx::set);
                }
                for (int i = 0; i < disks.size(); i++) {
                    DiskSpec d = disks.get(i);
                    String flatName = d.name() + "-flat.vmdk";
                    DiskDescriptor desc = DiskDescriptor.create(flatName, d.sizeBytes(), UUID.randomUUID().toString(),
                            HexFormat.of().toHexDigits(drbg.nextInt()));
                    Path flat = staging.resolve(flatName);
                    if (kekId != null) {
                        SecretBytes k = deks.get(i + 1);
                        writeEncryptedZeros(flat, d.sizeBytes(), k);
                        desc.setEncrypted(safes.get(i + 1), XtsKeys.checkValue(k));
                    } else {
                        writeSparse(flat, d.sizeBytes());
                    }
                    desc.save(staging.resolve(d.name() + ".vmdk"));
                }
                vmx.save(staging.resolve(vm + ".vmx"));
                AtomicFiles.fsyncDirectory(staging);
                Files.move(staging, f.dir(), StandardCopyOption.ATOMIC_MOVE);
                AtomicFiles.fsyncDirectory(settings.datastore());
            } finally {
                deks.forEach(SecretBytes::close);
            }
            LOG.info("event=vm_created host={} vm={} uuid={} disks={} encrypted={} provider={} kek={}", settings.id(), vm,
                    VmFolder.uuid(f.readVmx()), disks.size(), kekId != null, provider, kekId);
        }
        return state(vm);
    }

    private static void writeSparse(Path flat, long size) throws IOException {
        try (FileChannel ch = FileChannel.open(flat, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.allocate(1), size - 1);
            ch.force(true);
        }
    }

    /** A new encrypted disk reads as zeros: write zeros encrypted under its DEK. */
    private void writeEncryptedZeros(Path flat, long size, SecretBytes dek) throws IOException {
        int chunk = 1 << 20;
        ByteBuffer buf = ByteBuffer.allocateDirect(chunk);
        try (FileChannel ch = FileChannel.open(flat, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
             XtsEngine engine = engines.create(dek)) {
            for (long pos = 0; pos < size; pos += chunk) {
                int n = (int) Math.min(chunk, size - pos);
                buf.clear().limit(n);
                while (buf.hasRemaining()) {
                    buf.put((byte) 0);
                }
                buf.flip();
                engine.encryptInPlace(pos / XtsEngine.DISK_DATA_UNIT, buf.duplicate());
                while (buf.hasRemaining()) {
                    ch.write(buf, pos + buf.position());
                }
            }
            ch.force(true);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    // ------------------------------------------------------------------ open / close / I/O

    /** Opens the VM on this host: unwraps its DEKs (one KMS call per provider) and opens its disks. */
    public ObjectNode open(String vm, boolean force) throws IOException, KmsException {
        VmFolder f = VmFolder.of(settings.datastore(), vm);
        Slot s = slot(vm);
        synchronized (s) {
            if (s.busy != null) {
                throw busy(vm, s);
            }
            if (s.open == null) {
                VmxFile vmx = f.readVmx();
                claim(f, vmx, force);
                try {
                    s.open = openKeys(f);
                } catch (IOException | KmsException | RuntimeException e) {
                    release(f);
                    throw e;
                }
                LOG.info("event=vm_opened host={} vm={} keys={}", settings.id(), vm, s.open.keysHeld());
            }
        }
        return state(vm);
    }

    /** Closes the VM on this host: flushes its disks and zeroizes its DEKs. */
    public ObjectNode close(String vm) throws IOException, KmsException {
        VmFolder f = VmFolder.of(settings.datastore(), vm);
        Slot s = slot(vm);
        synchronized (s) {
            if (s.busy != null) {
                throw busy(vm, s);
            }
            f.readVmx();
            if (s.open != null) {
                s.open.close();
                s.open = null;
                release(f);
                LOG.info("event=vm_closed host={} vm={}", settings.id(), vm);
            } else {
                String owner = f.readVmx().get(VmFolder.OPEN_ON);
                if (owner != null && !owner.equals(settings.id())) {
                    throw new WrongStateException(ResultReason.ILLEGAL_OPERATION,
                            "VM '" + vm + "' is open on host " + owner + ", not here", null);
                }
            }
        }
        return state(vm);
    }

    public void read(String vm, String disk, long offset, ByteBuffer dst) throws IOException, KmsException {
        io(vm, disk, d -> d.read(offset, dst));
    }

    public void write(String vm, String disk, long offset, ByteBuffer src) throws IOException, KmsException {
        io(vm, disk, d -> d.write(offset, src));
    }

    /**
     * SHA-256 of the plaintext of {@code [offset, offset+length)} of an open disk ({@code length}
     * -1 = to the end), computed here so a caller can check a whole disk without moving it.
     */
    public ObjectNode digest(String vm, String disk, long offset, long length) throws IOException, KmsException {
        ObjectNode n = JSON.createObjectNode();
        io(vm, disk, d -> {
            long len = length < 0 ? d.size() - offset : length;
            if (offset < 0 || len < 0 || offset > d.size() - len) {
                throw new IndexOutOfBoundsException("range [" + offset + ", +" + len + ") outside disk of " + d.size() + " bytes");
            }
            java.security.MessageDigest md;
            try {
                md = java.security.MessageDigest.getInstance("SHA-256");
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
            ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20);
            for (long pos = offset; pos < offset + len; ) {
                int n1 = (int) Math.min(buf.capacity(), offset + len - pos);
                buf.clear().limit(n1);
                d.read(pos, buf);
                buf.flip();
                md.update(buf);
                pos += n1;
            }
            buf.clear();
            while (buf.hasRemaining()) {
                buf.putLong(0L);
            }
            n.put("algorithm", "SHA-256");
            n.put("offset", offset);
            n.put("length", len);
            n.put("digest", HexFormat.of().formatHex(md.digest()));
        });
        return n;
    }

    @FunctionalInterface
    private interface DiskCall {
        void run(DiskIo disk) throws IOException;
    }

    private void io(String vm, String disk, DiskCall call) throws IOException, KmsException {
        VmFolder.checkName("VM", vm);
        Slot s = slots.get(vm);
        if (s == null) {
            throw notOpen(vm);
        }
        synchronized (s) {
            if (s.busy != null) {
                throw busy(vm, s);
            }
            if (s.open == null) {
                throw notOpen(vm);
            }
            DiskIo d = s.open.disk(disk);
            if (d == null) {
                throw new NotFoundException(ResultReason.ITEM_NOT_FOUND, "VM '" + vm + "' has no disk '" + disk + "'", null);
            }
            try {
                call.run(d);
            } catch (IndexOutOfBoundsException e) {
                throw new InvalidRequestException(ResultReason.INDEX_OUT_OF_BOUNDS, e.getMessage(), null);
            }
        }
    }

    private WrongStateException notOpen(String vm) {
        return new WrongStateException(ResultReason.ILLEGAL_OPERATION, "VM '" + vm + "' is not open on this host", null);
    }

    private static ConflictException busy(String vm, Slot s) {
        return new ConflictException(ResultReason.DUPLICATE_PROCESS_REQUEST,
                "job " + s.busy.id() + " (" + s.busy.kind() + ") is running on VM '" + vm + "'", null);
    }

    /** Takes ownership of the VM for this host (recovering leftovers first). */
    private void claim(VmFolder f, VmxFile vmx, boolean force) throws IOException, KmsException {
        String owner = vmx.get(VmFolder.OPEN_ON);
        if (owner != null && !owner.equals(settings.id())) {
            if (!force) {
                throw new WrongStateException(ResultReason.ILLEGAL_OPERATION, "VM '" + f.name() + "' is open on host "
                        + owner + " (close it there, or force if that host is dead)", null);
            }
            LOG.warn("event=vm_forced host={} vm={} previous_owner={}", settings.id(), f.name(), owner);
        }
        VmRecovery.recover(f);
        VmxFile.read(f.vmx()).set(VmFolder.OPEN_ON, settings.id()).save(f.vmx());
    }

    private void release(VmFolder f) throws IOException {
        VmxFile vmx = VmxFile.read(f.vmx());
        if (settings.id().equals(vmx.get(VmFolder.OPEN_ON))) {
            vmx.remove(VmFolder.OPEN_ON).save(f.vmx());
        }
    }

    /** Unwraps every DEK of the VM, checks each (GCM for home, check value for disks) and opens the disks. */
    private OpenVm openKeys(VmFolder f) throws IOException, KmsException {
        VmxFile vmx = f.readVmx();
        String uuid = VmFolder.uuid(vmx);
        List<String> disks = VmFolder.disks(vmx);
        Map<String, KeySafe> safes = new LinkedHashMap<>();
        String homeSafe = vmx.get(VmFolder.KEY_SAFE);
        if (homeSafe != null) {
            safes.put(HOME, KeySafe.parse(homeSafe));
        }
        Map<String, DiskDescriptor> descs = new LinkedHashMap<>();
        for (String d : disks) {
            DiskDescriptor desc = f.readDescriptor(d);
            descs.put(d, desc);
            if (desc.encrypted()) {
                safes.put(d, desc.keySafe());
            }
        }
        Map<String, SecretBytes> keys = unwrapAll(uuid, safes);
        Map<String, DiskIo> ios = new LinkedHashMap<>();
        try {
            if (keys.containsKey(HOME)) {
                HomeData.open(vmx.get(VmFolder.DATA), keys.get(HOME), uuid); // proves the home key
            }
            for (String d : disks) {
                DiskDescriptor desc = descs.get(d);
                Path flat = f.flat(desc);
                if (desc.encrypted()) {
                    ios.put(d, new DiskIo.Xts(EncryptedDisk.open(flat, keys.get(d), desc.checkValue(), engines)));
                } else {
                    ios.put(d, new DiskIo.Plain(flat));
                }
                if (ios.get(d).size() != desc.sizeBytes()) {
                    throw new GeneralFailureException(ResultReason.GENERAL_FAILURE, "disk " + d + ": data file is "
                            + ios.get(d).size() + " bytes but its descriptor says " + desc.sizeBytes(), null);
                }
            }
            SecretBytes home = keys.remove(HOME);
            return new OpenVm(f.name(), uuid, home, keys, ios);
        } catch (IOException | KmsException | RuntimeException e) {
            for (DiskIo io : ios.values()) {
                try {
                    io.close();
                } catch (IOException ignored) {
                    // already failing
                }
            }
            keys.values().forEach(SecretBytes::close);
            throw e;
        }
    }

    /** Unwraps keySafes, one batch request per provider; the result follows the input's order. */
    private Map<String, SecretBytes> unwrapAll(String uuid, Map<String, KeySafe> safes) throws KmsException {
        Map<String, List<String>> byProvider = new LinkedHashMap<>();
        safes.forEach((comp, safe) -> byProvider.computeIfAbsent(safe.provider(), k -> new ArrayList<>()).add(comp));
        Map<String, SecretBytes> out = new LinkedHashMap<>();
        try {
            for (Map.Entry<String, List<String>> e : byProvider.entrySet()) {
                KeyProvider p = providers.get(e.getKey());
                List<KeyProvider.SafeItem> items = new ArrayList<>();
                e.getValue().forEach(c -> items.add(new KeyProvider.SafeItem(safes.get(c), VmAad.of(uuid, c))));
                List<SecretBytes> deks = p.unwrap(items);
                for (int i = 0; i < deks.size(); i++) {
                    out.put(e.getValue().get(i), deks.get(i));
                }
            }
        } catch (KmsException | RuntimeException e) {
            out.values().forEach(SecretBytes::close);
            throw e;
        }
        Map<String, SecretBytes> ordered = new LinkedHashMap<>();
        safes.keySet().forEach(c -> ordered.put(c, out.get(c)));
        return ordered;
    }

    // ------------------------------------------------------------------ jobs

    /** The body of a job: runs with the VM owned by this host and closed. */
    @FunctionalInterface
    private interface JobBody {
        void run(Job job, VmFolder f) throws IOException, KmsException;
    }

    /**
     * Starts a job on the VM: checks ({@code precheck}, synchronously, so refusals are immediate),
     * then owns the VM (closing it here if it was open) and runs {@code body} on a virtual thread;
     * afterwards the VM is reopened if it was open, else released.
     */
    private Job startJob(String kind, String vm, JobBody precheck, JobBody body) throws IOException, KmsException {
        VmFolder f = VmFolder.of(settings.datastore(), vm);
        Slot s = slot(vm);
        Job job;
        boolean wasOpen;
        synchronized (s) {
            if (s.busy != null) {
                throw busy(vm, s);
            }
            VmxFile vmx = f.readVmx();
            wasOpen = s.open != null;
            if (!wasOpen) {
                String owner = vmx.get(VmFolder.OPEN_ON);
                if (owner != null && !owner.equals(settings.id())) {
                    throw new WrongStateException(ResultReason.ILLEGAL_OPERATION,
                            "VM '" + vm + "' is open on host " + owner, null);
                }
                claim(f, vmx, false);
            }
            job = new Job(settings.id() + "-" + jobSeq.incrementAndGet() + "-" + UUID.randomUUID().toString().substring(0, 8), kind, vm);
            try {
                precheck.run(job, f);
            } catch (IOException | KmsException | RuntimeException e) {
                if (!wasOpen) {
                    release(f);
                }
                throw e;
            }
            if (wasOpen) {
                s.open.close();
                s.open = null;
            }
            s.busy = job;
            jobs.put(job.id(), job);
            pruneJobs();
        }
        LOG.info("event=job_started host={} job={} kind={} vm={}", settings.id(), job.id(), kind, vm);
        final boolean reopen = wasOpen;
        Thread.ofVirtual().name("job-" + job.id()).start(() -> {
            KmsException failure = null;
            try {
                body.run(job, f);
            } catch (KmsException e) {
                failure = e;
            } catch (IOException | RuntimeException e) {
                String ref = UUID.randomUUID().toString().substring(0, 8);
                LOG.error("event=job_error host={} job={} ref={}", settings.id(), job.id(), ref, e);
                failure = new GeneralFailureException(ResultReason.GENERAL_FAILURE,
                        kind + " failed: " + e.getMessage() + " (see host log ref=" + ref + ")", e);
            }
            synchronized (s) {
                try {
                    if (reopen) {
                        s.open = openKeys(f);
                    } else {
                        release(f);
                    }
                } catch (IOException | KmsException | RuntimeException e) {
                    LOG.error("event=job_cleanup_failed host={} job={} error=\"{}\"", settings.id(), job.id(), e.getMessage());
                    try {
                        release(f);
                    } catch (IOException ignored) {
                        // the next open recovers
                    }
                    if (failure == null) {
                        failure = e instanceof KmsException k ? k
                                : new GeneralFailureException(ResultReason.GENERAL_FAILURE, "reopen failed: " + e.getMessage(), e);
                    }
                }
                s.busy = null;
            }
            if (failure == null) {
                job.succeed();
                LOG.info("event=job_succeeded host={} job={} kind={} vm={}", settings.id(), job.id(), kind, vm);
            } else {
                job.fail(failure);
                LOG.warn("event=job_failed host={} job={} kind={} vm={} code={} detail=\"{}\"", settings.id(), job.id(),
                        kind, vm, failure.errorCode(), failure.getMessage());
            }
        });
        return job;
    }

    /** Keeps the most recent finished jobs only (running ones always stay). */
    private void pruneJobs() {
        int excess = jobs.size() - MAX_JOBS;
        if (excess > 0) {
            jobs.values().stream().filter(j -> j.state() != Job.State.RUNNING)
                    .sorted(java.util.Comparator.comparing(Job::created)).limit(excess)
                    .forEach(j -> jobs.remove(j.id()));
        }
    }

    /** Encrypts the VM's plaintext components ({@code components} null = all) under {@code kekId}. */
    public Job encrypt(String vm, String provider, String kekId, List<String> components) throws IOException, KmsException {
        requireKek(provider, kekId);
        Set<String> targets = new LinkedHashSet<>();
        JobBody check = (job, f) -> {
            targets.clear();
            VmxFile vmx = f.readVmx();
            boolean homeEncrypted = vmx.get(VmFolder.KEY_SAFE) != null;
            List<String> disks = VmFolder.disks(vmx);
            List<String> wanted = components == null ? allComponents(disks) : components;
            for (String c : wanted) {
                requireComponent(f.name(), disks, c);
                boolean enc = c.equals(HOME) ? homeEncrypted : f.readDescriptor(c).encrypted();
                if (enc) {
                    if (components != null) {
                        throw new WrongStateException(ResultReason.ILLEGAL_OPERATION, c + " of VM '" + f.name() + "' is already encrypted", null);
                    }
                    continue;
                }
                targets.add(c);
            }
            if (!homeEncrypted && !targets.contains(HOME) && !targets.isEmpty()) {
                throw new WrongStateException(ResultReason.ILLEGAL_OPERATION,
                        "encrypt the VM home too: a disk of a VM whose home is not encrypted cannot be encrypted", null);
            }
            providers.get(provider);
        };
        return startJob("encrypt", vm, check, (job, f) -> {
            VmxFile vmx = f.readVmx();
            String uuid = VmFolder.uuid(vmx);
            List<String> order = new ArrayList<>(targets);
            List<SecretBytes> deks = new ArrayList<>();
            try {
                List<KeyProvider.WrapItem> items = new ArrayList<>();
                for (String c : order) {
                    SecretBytes k = XtsKeys.generate(drbg);
                    deks.add(k);
                    items.add(new KeyProvider.WrapItem(k, VmAad.of(uuid, c)));
                }
                List<KeySafe> safes = order.isEmpty() ? List.of() : providers.get(provider).wrap(kekId, items);
                probe.step(job.kind(), f.name(), "*", JobProbe.Step.KEYS_WRAPPED);
                Progress progress = new Progress(job, f, order);
                for (int i = 0; i < order.size(); i++) {
                    String c = order.get(i);
                    if (c.equals(HOME)) {
                        VmxFile v = f.readVmx();
                        Map<String, String> sensitive = v.removeIf(VmFolder.SENSITIVE);
                        v.set(VmFolder.KEY_SAFE, safes.get(i).encode()).set(VmFolder.DATA, HomeData.seal(sensitive, deks.get(i), uuid, drbg));
                        v.save(f.vmx());
                        probe.step(job.kind(), f.name(), HOME, JobProbe.Step.HOME_WRITTEN);
                    } else {
                        transformDisk(job, f, c, DiskForm.plain(), DiskForm.xts(deks.get(i)), safes.get(i),
                                XtsKeys.checkValue(deks.get(i)), progress);
                    }
                }
            } finally {
                deks.forEach(SecretBytes::close);
            }
        });
    }

    /** Decrypts one disk. */
    public Job decryptDisk(String vm, String disk) throws IOException, KmsException {
        return startJob("decrypt", vm, (job, f) -> {
            List<String> disks = VmFolder.disks(f.readVmx());
            if (!disks.contains(disk)) {
                throw new NotFoundException(ResultReason.ITEM_NOT_FOUND, "VM '" + vm + "' has no disk '" + disk + "'", null);
            }
            if (!f.readDescriptor(disk).encrypted()) {
                throw new WrongStateException(ResultReason.ILLEGAL_OPERATION, "disk " + disk + " is not encrypted", null);
            }
        }, (job, f) -> {
            String uuid = VmFolder.uuid(f.readVmx());
            DiskDescriptor d = f.readDescriptor(disk);
            Map<String, SecretBytes> keys = unwrapAll(uuid, Map.of(disk, d.keySafe()));
            try (SecretBytes dek = keys.get(disk)) {
                transformDisk(job, f, disk, DiskForm.xts(dek, d.checkValue()), DiskForm.plain(), null, null,
                        new Progress(job, f, List.of(disk)));
            }
        });
    }

    /** Decrypts the VM home; refused while any disk is encrypted. */
    public Job decryptHome(String vm) throws IOException, KmsException {
        JobBody noEncryptedDisk = (job, f) -> {
            VmxFile vmx = f.readVmx();
            if (vmx.get(VmFolder.KEY_SAFE) == null) {
                throw new WrongStateException(ResultReason.ILLEGAL_OPERATION, "the home of VM '" + vm + "' is not encrypted", null);
            }
            for (String d : VmFolder.disks(vmx)) {
                if (f.readDescriptor(d).encrypted()) {
                    throw new WrongStateException(ResultReason.WRONG_KEY_LIFECYCLE_STATE,
                            "disk " + d + " of VM '" + vm + "' is still encrypted: decrypt the disks first", null);
                }
            }
        };
        return startJob("decrypt-home", vm, noEncryptedDisk, (job, f) -> {
            noEncryptedDisk.run(job, f);
            VmxFile vmx = f.readVmx();
            String uuid = VmFolder.uuid(vmx);
            Map<String, SecretBytes> keys = unwrapAll(uuid, Map.of(HOME, KeySafe.parse(vmx.get(VmFolder.KEY_SAFE))));
            try (SecretBytes home = keys.get(HOME)) {
                Map<String, String> sensitive = HomeData.open(vmx.get(VmFolder.DATA), home, uuid);
                vmx.remove(VmFolder.KEY_SAFE).remove(VmFolder.DATA);
                sensitive.forEach(vmx::set);
                vmx.save(f.vmx());
                probe.step(job.kind(), f.name(), HOME, JobProbe.Step.HOME_WRITTEN);
            }
        });
    }

    /**
     * Rekeys the VM's encrypted components ({@code components} null = all) to {@code kekId}:
     * shallow = DEKs re-wrapped (by the KMS's rewrap when the provider stays the same), data and
     * check values untouched; deep = new DEKs and every data unit re-encrypted.
     */
    public Job rekey(String vm, String provider, String kekId, boolean deep, List<String> components)
            throws IOException, KmsException {
        requireKek(provider, kekId);
        Set<String> targets = new LinkedHashSet<>();
        JobBody check = (job, f) -> {
            targets.clear();
            VmxFile vmx = f.readVmx();
            List<String> disks = VmFolder.disks(vmx);
            List<String> wanted = components == null ? allComponents(disks) : components;
            for (String c : wanted) {
                requireComponent(f.name(), disks, c);
                boolean enc = c.equals(HOME) ? vmx.get(VmFolder.KEY_SAFE) != null : f.readDescriptor(c).encrypted();
                if (!enc) {
                    if (components != null) {
                        throw new WrongStateException(ResultReason.ILLEGAL_OPERATION, c + " of VM '" + f.name() + "' is not encrypted", null);
                    }
                    continue;
                }
                targets.add(c);
            }
            providers.get(provider);
        };
        return startJob(deep ? "deep-rekey" : "shallow-rekey", vm, check,
                (job, f) -> {
                    if (deep) {
                        deepRekey(job, f, provider, kekId, new ArrayList<>(targets));
                    } else {
                        shallowRekey(job, f, provider, kekId, new ArrayList<>(targets));
                    }
                });
    }

    private void shallowRekey(Job job, VmFolder f, String provider, String kekId, List<String> order)
            throws IOException, KmsException {
        VmxFile vmx = f.readVmx();
        String uuid = VmFolder.uuid(vmx);
        Map<String, KeySafe> old = currentSafes(f, vmx, order);
        KeyProvider target = providers.get(provider);
        Map<String, KeySafe> fresh = new LinkedHashMap<>();
        // Same provider: the KMS re-wraps and the DEKs never come to the host. Another provider:
        // unwrap from the old one and wrap at the new one.
        List<String> same = order.stream().filter(c -> old.get(c).provider().equals(provider)).toList();
        List<String> other = order.stream().filter(c -> !old.get(c).provider().equals(provider)).toList();
        if (!same.isEmpty()) {
            List<KeyProvider.SafeItem> items = same.stream().map(c -> new KeyProvider.SafeItem(old.get(c), VmAad.of(uuid, c))).toList();
            List<KeySafe> re = target.rewrap(kekId, items);
            for (int i = 0; i < same.size(); i++) {
                fresh.put(same.get(i), re.get(i));
            }
        }
        if (!other.isEmpty()) {
            Map<String, KeySafe> sub = new LinkedHashMap<>();
            other.forEach(c -> sub.put(c, old.get(c)));
            Map<String, SecretBytes> keys = unwrapAll(uuid, sub);
            try {
                List<KeyProvider.WrapItem> items = other.stream().map(c -> new KeyProvider.WrapItem(keys.get(c), VmAad.of(uuid, c))).toList();
                List<KeySafe> re = target.wrap(kekId, items);
                for (int i = 0; i < other.size(); i++) {
                    fresh.put(other.get(i), re.get(i));
                }
            } finally {
                keys.values().forEach(SecretBytes::close);
            }
        }
        probe.step(job.kind(), f.name(), "*", JobProbe.Step.KEYS_WRAPPED);
        int done = 0;
        for (String c : order) {
            if (c.equals(HOME)) {
                VmxFile v = f.readVmx();
                v.set(VmFolder.KEY_SAFE, fresh.get(c).encode()).save(f.vmx());
            } else {
                f.readDescriptor(c).setKeySafe(fresh.get(c)).save(f.descriptor(c));
            }
            probe.step(job.kind(), f.name(), c, JobProbe.Step.KEY_SAFE_WRITTEN);
            job.progress(++done / (double) order.size());
        }
    }

    private void deepRekey(Job job, VmFolder f, String provider, String kekId, List<String> order)
            throws IOException, KmsException {
        VmxFile vmx = f.readVmx();
        String uuid = VmFolder.uuid(vmx);
        Map<String, KeySafe> old = currentSafes(f, vmx, order);
        Map<String, SecretBytes> oldKeys = unwrapAll(uuid, old);
        List<SecretBytes> deks = new ArrayList<>();
        try {
            List<KeyProvider.WrapItem> items = new ArrayList<>();
            for (String c : order) {
                SecretBytes k = XtsKeys.generate(drbg);
                deks.add(k);
                items.add(new KeyProvider.WrapItem(k, VmAad.of(uuid, c)));
            }
            List<KeySafe> safes = order.isEmpty() ? List.of() : providers.get(provider).wrap(kekId, items);
            probe.step(job.kind(), f.name(), "*", JobProbe.Step.KEYS_WRAPPED);
            Progress progress = new Progress(job, f, order);
            for (int i = 0; i < order.size(); i++) {
                String c = order.get(i);
                if (c.equals(HOME)) {
                    VmxFile v = f.readVmx();
                    Map<String, String> sensitive = HomeData.open(v.get(VmFolder.DATA), oldKeys.get(HOME), uuid);
                    v.set(VmFolder.KEY_SAFE, safes.get(i).encode()).set(VmFolder.DATA, HomeData.seal(sensitive, deks.get(i), uuid, drbg));
                    v.save(f.vmx());
                    probe.step(job.kind(), f.name(), HOME, JobProbe.Step.HOME_WRITTEN);
                } else {
                    DiskDescriptor d = f.readDescriptor(c);
                    transformDisk(job, f, c, DiskForm.xts(oldKeys.get(c), d.checkValue()), DiskForm.xts(deks.get(i)),
                            safes.get(i), XtsKeys.checkValue(deks.get(i)), progress);
                }
            }
        } finally {
            deks.forEach(SecretBytes::close);
            oldKeys.values().forEach(SecretBytes::close);
        }
    }

    private Map<String, KeySafe> currentSafes(VmFolder f, VmxFile vmx, List<String> order) throws IOException, KmsException {
        Map<String, KeySafe> old = new LinkedHashMap<>();
        for (String c : order) {
            KeySafe k = c.equals(HOME) ? KeySafe.parse(vmx.get(VmFolder.KEY_SAFE)) : f.readDescriptor(c).keySafe();
            if (k == null) {
                throw new WrongStateException(ResultReason.ILLEGAL_OPERATION, c + " is not encrypted", null);
            }
            old.put(c, k);
        }
        return old;
    }

    /**
     * One crash-safe disk transform: pending target recorded, data rewritten (temp + journal +
     * rename), descriptor promoted, journal removed. See {@link VmRecovery} for the recovery side.
     */
    private void transformDisk(Job job, VmFolder f, String disk, DiskForm from, DiskForm to, KeySafe targetSafe,
                               String targetCheck, Progress progress) throws IOException, KmsException {
        Path descPath = f.descriptor(disk);
        DiskDescriptor d = f.readDescriptor(disk);
        Path flat = f.flat(d);
        d.setPending(targetSafe, targetCheck).save(descPath);
        String kind = job.kind();
        probe.step(kind, f.name(), disk, JobProbe.Step.PENDING_WRITTEN);
        DiskProgress listener = new DiskProgress() {
            @Override
            public void progress(long done, long total) {
                progress.disk(disk, done);
                probe.progress(kind, f.name(), disk, done, total);
            }

            @Override
            public void phase(Phase phase) {
                switch (phase) {
                    case TEMP_CREATED -> probe.step(kind, f.name(), disk, JobProbe.Step.TEMP_CREATED);
                    case JOURNAL_WRITTEN -> probe.step(kind, f.name(), disk, JobProbe.Step.JOURNAL_WRITTEN);
                    case DATA_SYNCED -> probe.step(kind, f.name(), disk, JobProbe.Step.DATA_SYNCED);
                    case RENAMED -> probe.step(kind, f.name(), disk, JobProbe.Step.RENAMED);
                    default -> {
                    }
                }
            }
        };
        try {
            transformer.transform(flat, from, to, true, listener);
        } catch (IOException | KmsException | RuntimeException e) {
            // The transformer discarded its temporary file unless it had renamed it; recovery
            // settles the descriptor either way.
            try {
                VmRecovery.recover(f);
            } catch (IOException | KmsException | RuntimeException re) {
                e.addSuppressed(re);
            }
            throw e;
        }
        DiskDescriptor after = f.readDescriptor(disk);
        after.promotePending().save(descPath);
        probe.step(kind, f.name(), disk, JobProbe.Step.DESCRIPTOR_UPDATED);
        DiskTransformer.finish(flat);
        probe.step(kind, f.name(), disk, JobProbe.Step.FINISHED);
        progress.diskDone(disk);
    }

    /** Job progress over the bytes of the disks it rewrites. */
    private static final class Progress {
        private final Job job;
        private final Map<String, Long> sizes = new LinkedHashMap<>();
        private final Map<String, Long> done = new ConcurrentHashMap<>();
        private final long total;

        Progress(Job job, VmFolder f, List<String> components) throws IOException {
            this.job = job;
            long t = 0;
            for (String c : components) {
                if (!c.equals(HOME)) {
                    long size = f.readDescriptor(c).sizeBytes();
                    sizes.put(c, size);
                    t += size;
                }
            }
            this.total = t;
        }

        void disk(String disk, long bytes) {
            done.put(disk, bytes);
            update();
        }

        void diskDone(String disk) {
            done.put(disk, sizes.getOrDefault(disk, 0L));
            update();
        }

        private void update() {
            if (total > 0) {
                long sum = done.values().stream().mapToLong(Long::longValue).sum();
                job.progress(Math.min(0.999, sum / (double) total));
            }
        }
    }

    private static List<String> allComponents(List<String> disks) {
        List<String> all = new ArrayList<>();
        all.add(HOME);
        all.addAll(disks);
        return all;
    }

    private static void requireComponent(String vm, List<String> disks, String c) throws NotFoundException {
        if (!c.equals(HOME) && !disks.contains(c)) {
            throw new NotFoundException(ResultReason.ITEM_NOT_FOUND, "VM '" + vm + "' has no component '" + c + "'", null);
        }
    }

    private static void requireKek(String provider, String kekId) throws InvalidRequestException {
        if (provider == null || provider.isBlank() || kekId == null || kekId.isBlank()) {
            throw new InvalidRequestException(ResultReason.MISSING_DATA, "provider and kekId are required", null);
        }
    }

    /** Closes every VM open on this host (DEKs zeroized) and releases it. */
    @Override
    public void close() {
        for (Map.Entry<String, Slot> e : slots.entrySet()) {
            Slot s = e.getValue();
            synchronized (s) {
                if (s.open != null) {
                    s.open.close();
                    s.open = null;
                    try {
                        release(VmFolder.of(settings.datastore(), e.getKey()));
                    } catch (IOException | KmsException ex) {
                        LOG.warn("event=vm_release_failed host={} vm={} error=\"{}\"", settings.id(), e.getKey(), ex.getMessage());
                    }
                }
            }
        }
    }
}
