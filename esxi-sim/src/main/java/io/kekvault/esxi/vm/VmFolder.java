package io.kekvault.esxi.vm;

import io.kekvault.kmip.error.InvalidRequestException;
import io.kekvault.kmip.error.KmsException;
import io.kekvault.kmip.error.NotFoundException;
import io.kekvault.kmip.error.ResultReason;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A VM folder in a datastore ({@code DATASTORE/<vm>/}): {@code <vm>.vmx}, and per disk
 * {@code <disk>.vmdk} (descriptor) and {@code <disk>-flat.vmdk} (data). Names are checked so a
 * request can never reach outside the folder.
 */
public record VmFolder(Path datastore, String name) {
    /** VM and disk names: letters, digits, dot, dash, underscore; no leading dot. */
    public static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    public static final String UUID_KEY = "uuid.bios";
    public static final String OPEN_ON = "kekvault.openOn";
    public static final String KEY_SAFE = "encryption.keySafe";
    public static final String DATA = "encryption.data";
    private static final Pattern DISK_KEY = Pattern.compile("scsi0:(\\d+)\\.fileName");

    /** Settings that go into {@code encryption.data} when the VM home is encrypted. */
    public static final Predicate<String> SENSITIVE = k -> k.equals("annotation") || k.startsWith("guestinfo.");

    public static VmFolder of(Path datastore, String name) throws InvalidRequestException {
        checkName("VM", name);
        return new VmFolder(datastore, name);
    }

    public static void checkName(String what, String name) throws InvalidRequestException {
        if (name == null || !NAME.matcher(name).matches() || name.contains("..")) {
            throw new InvalidRequestException(ResultReason.INVALID_FIELD, what + " name must match " + NAME.pattern(), null);
        }
    }

    public Path dir() {
        return datastore.resolve(name);
    }

    public Path vmx() {
        return dir().resolve(name + ".vmx");
    }

    public Path descriptor(String disk) {
        return dir().resolve(disk + ".vmdk");
    }

    public boolean exists() {
        return Files.isRegularFile(vmx());
    }

    /** The vmx, or 404 when there is no such VM. */
    public VmxFile readVmx() throws IOException, KmsException {
        if (!exists()) {
            throw new NotFoundException(ResultReason.ITEM_NOT_FOUND, "no VM '" + name + "' in this datastore", null);
        }
        return VmxFile.read(vmx());
    }

    public DiskDescriptor readDescriptor(String disk) throws IOException {
        return DiskDescriptor.read(descriptor(disk));
    }

    /** The flat data file of {@code disk}, as its descriptor names it (must stay in the folder). */
    public Path flat(DiskDescriptor d) throws IOException {
        String f = d.extentFile();
        if (f.contains("/") || f.startsWith(".")) {
            throw new IOException("extent file name must be a plain file name in the VM folder");
        }
        return dir().resolve(f);
    }

    /** Disk names in slot order, from {@code scsi0:N.fileName} entries. */
    public static List<String> disks(VmxFile vmx) {
        Map<Integer, String> bySlot = new TreeMap<>();
        vmx.entries().forEach((k, v) -> {
            Matcher m = DISK_KEY.matcher(k);
            // a disk name from the file must be a plain name too: a .vmx cannot point outside its folder
            if (m.matches() && v.endsWith(".vmdk") && NAME.matcher(v.substring(0, v.length() - 5)).matches()
                    && !"FALSE".equalsIgnoreCase(vmx.getOrDefault("scsi0:" + m.group(1) + ".present", "TRUE"))) {
                bySlot.put(Integer.parseInt(m.group(1)), v.substring(0, v.length() - ".vmdk".length()));
            }
        });
        return new ArrayList<>(bySlot.values());
    }

    public static String uuid(VmxFile vmx) throws IOException {
        String u = vmx.get(UUID_KEY);
        if (u == null) {
            throw new IOException(".vmx has no " + UUID_KEY);
        }
        return u;
    }
}
