package io.kekvault.esxi.vm;

import io.kekvault.esxi.crypto.XtsEngine;
import io.kekvault.kmip.error.InvalidRequestException;
import io.kekvault.kmip.error.KmsException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A VMDK text descriptor ({@code <disk>.vmdk}) for a monolithic flat extent:
 * <pre>
 * # Disk DescriptorFile
 * version=1
 * CID=...
 * createType="vmfs"
 * RW 2048 VMFS "disk0-flat.vmdk"
 * ddb.uuid = "..."
 * ddb.keySafe = "kekvault:keysafe/v1/(...)"
 * ddb.encryption = "cipher=xts-aes-256;dataUnit=4096;check=kcv1:..."
 * </pre>
 * {@code ddb.encryption}'s check is {@link io.kekvault.esxi.crypto.XtsKeys#checkValue}, so a
 * host refuses a DEK that is not the disk's before touching data. While a transform of the flat
 * file runs, {@code ddb.kekvault.pending} (the target form's label) and
 * {@code ddb.kekvault.pendingKeySafe} (the target DEK, wrapped) record where it is going, so a
 * restarted host can finish or forget it without asking anyone (see {@link VmRecovery}).
 * Mutable, not thread-safe; {@link #save} replaces the file atomically.
 */
public final class DiskDescriptor {
    public static final String CIPHER = "xts-aes-256";
    public static final String PLAIN = "plain";
    static final String KEY_SAFE = "ddb.keySafe";
    static final String ENCRYPTION = "ddb.encryption";
    static final String PENDING = "ddb.kekvault.pending";
    static final String PENDING_KEY_SAFE = "ddb.kekvault.pendingKeySafe";
    private static final Pattern EXTENT = Pattern.compile("^(RW|RDONLY|NOACCESS)\\s+(\\d+)\\s+(\\w+)\\s+\"([^\"]+)\"(?:\\s+\\d+)?$");
    private static final Pattern CHECK = Pattern.compile("kcv1:[0-9a-f]{16}");

    private final LinkedHashMap<String, String> header = new LinkedHashMap<>();
    private final LinkedHashMap<String, String> ddb = new LinkedHashMap<>();
    private long sectors;
    private String extentFile;

    private DiskDescriptor() {
    }

    /** A new descriptor for a flat extent of {@code sizeBytes} named {@code extentFile}. */
    public static DiskDescriptor create(String extentFile, long sizeBytes, String uuid, String cid) {
        DiskDescriptor d = new DiskDescriptor();
        d.header.put("version", "1");
        d.header.put("encoding", "\"UTF-8\"");
        d.header.put("CID", cid);
        d.header.put("parentCID", "ffffffff");
        d.header.put("createType", "\"vmfs\"");
        d.sectors = sizeBytes / 512;
        d.extentFile = extentFile;
        d.ddb.put("ddb.adapterType", "lsilogic");
        d.ddb.put("ddb.virtualHWVersion", "19");
        d.ddb.put("ddb.uuid", uuid);
        return d;
    }

    public static DiskDescriptor read(Path file) throws IOException {
        return parse(Files.readString(file, StandardCharsets.UTF_8));
    }

    public static DiskDescriptor parse(String text) throws IOException {
        DiskDescriptor d = new DiskDescriptor();
        for (String raw : text.split("\n")) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            Matcher m = EXTENT.matcher(line);
            if (m.matches()) {
                if (d.extentFile != null) {
                    throw new IOException("descriptor has more than one extent (only monolithic flat disks are supported)");
                }
                if (!m.group(3).equals("VMFS") && !m.group(3).equals("FLAT")) {
                    throw new IOException("unsupported extent type " + m.group(3));
                }
                d.sectors = Long.parseLong(m.group(2));
                d.extentFile = m.group(4);
                continue;
            }
            int eq = line.indexOf('=');
            if (eq <= 0) {
                throw new IOException("unreadable descriptor line");
            }
            String key = line.substring(0, eq).strip();
            String value = line.substring(eq + 1).strip();
            if (key.startsWith("ddb.")) {
                if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
                    value = VmxFile.unescape(value.substring(1, value.length() - 1));
                }
                d.ddb.put(key, value);
            } else {
                d.header.put(key, value);
            }
        }
        if (d.extentFile == null) {
            throw new IOException("descriptor has no extent line");
        }
        return d;
    }

    public String format() {
        StringBuilder b = new StringBuilder("# Disk DescriptorFile\n");
        header.forEach((k, v) -> b.append(k).append('=').append(v).append('\n'));
        b.append("\n# Extent description\n");
        b.append("RW ").append(sectors).append(" VMFS \"").append(extentFile).append("\"\n");
        b.append("\n# The Disk Data Base\n#DDB\n\n");
        ddb.forEach((k, v) -> b.append(k).append(" = \"").append(VmxFile.escape(v)).append("\"\n"));
        return b.toString();
    }

    public void save(Path file) throws IOException {
        AtomicFiles.write(file, format().getBytes(StandardCharsets.UTF_8));
    }

    public String extentFile() {
        return extentFile;
    }

    public long sizeBytes() {
        return sectors * 512;
    }

    public String uuid() {
        return ddb.get("ddb.uuid");
    }

    public boolean encrypted() {
        return ddb.containsKey(ENCRYPTION);
    }

    /** The wrapped DEK, or null for a plaintext disk. */
    public KeySafe keySafe() throws KmsException {
        String v = ddb.get(KEY_SAFE);
        return v == null ? null : KeySafe.parse(v);
    }

    /** The key check value of the disk's DEK, or null for a plaintext disk. */
    public String checkValue() throws KmsException {
        String enc = ddb.get(ENCRYPTION);
        if (enc == null) {
            return null;
        }
        Map<String, String> f = fields(enc);
        if (!CIPHER.equals(f.get("cipher")) || !String.valueOf(XtsEngine.DISK_DATA_UNIT).equals(f.get("dataUnit"))) {
            throw new InvalidRequestException("unsupported disk encryption \"" + enc + "\" (this host does "
                    + CIPHER + " with " + XtsEngine.DISK_DATA_UNIT + "-byte data units)");
        }
        String check = f.get("check");
        if (check == null || !CHECK.matcher(check).matches()) {
            throw new InvalidRequestException("disk encryption has no valid key check value");
        }
        return check;
    }

    /** The form the descriptor says the flat file is in ({@link io.kekvault.esxi.disk.DiskForm#label()} syntax). */
    public String formLabel() throws KmsException {
        String check = checkValue();
        return check == null ? PLAIN : xtsLabel(check);
    }

    public static String xtsLabel(String check) {
        return CIPHER + "/" + XtsEngine.DISK_DATA_UNIT + "/" + check;
    }

    /** Marks the disk plaintext (drops key safe and encryption). */
    public DiskDescriptor setPlain() {
        ddb.remove(KEY_SAFE);
        ddb.remove(ENCRYPTION);
        return this;
    }

    /** Marks the disk encrypted under the DEK in {@code safe} whose check value is {@code check}. */
    public DiskDescriptor setEncrypted(KeySafe safe, String check) {
        ddb.put(KEY_SAFE, safe.encode());
        ddb.put(ENCRYPTION, "cipher=" + CIPHER + ";dataUnit=" + XtsEngine.DISK_DATA_UNIT + ";check=" + check);
        return this;
    }

    /** Replaces only the wrapped key (shallow rekey), keeping cipher and check value. */
    public DiskDescriptor setKeySafe(KeySafe safe) {
        if (!encrypted()) {
            throw new IllegalStateException("plaintext disk has no key safe");
        }
        ddb.put(KEY_SAFE, safe.encode());
        return this;
    }

    /** Records the target of a transform about to start: plaintext ({@code safe == null}) or XTS. */
    public DiskDescriptor setPending(KeySafe safe, String check) {
        if (safe == null) {
            ddb.put(PENDING, PLAIN);
            ddb.remove(PENDING_KEY_SAFE);
        } else {
            ddb.put(PENDING, xtsLabel(check));
            ddb.put(PENDING_KEY_SAFE, safe.encode());
        }
        return this;
    }

    /** The pending transform's target label, or null. */
    public String pendingLabel() {
        return ddb.get(PENDING);
    }

    public DiskDescriptor clearPending() {
        ddb.remove(PENDING);
        ddb.remove(PENDING_KEY_SAFE);
        return this;
    }

    /** Makes the pending target the current form (the flat file has been transformed). */
    public DiskDescriptor promotePending() throws KmsException {
        String target = ddb.get(PENDING);
        if (target == null) {
            throw new IllegalStateException("no pending transform");
        }
        if (target.equals(PLAIN)) {
            setPlain();
        } else {
            String check = target.substring(target.lastIndexOf('/') + 1);
            setEncrypted(KeySafe.parse(ddb.get(PENDING_KEY_SAFE)), check);
        }
        return clearPending();
    }

    private static Map<String, String> fields(String v) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String part : v.split(";")) {
            int eq = part.indexOf('=');
            if (eq > 0) {
                m.put(part.substring(0, eq).strip(), part.substring(eq + 1).strip());
            }
        }
        return m;
    }
}
