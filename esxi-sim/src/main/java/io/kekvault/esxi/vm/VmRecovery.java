package io.kekvault.esxi.vm;

import io.kekvault.esxi.disk.DiskTransformer;
import io.kekvault.esxi.disk.Recovery;
import io.kekvault.kmip.error.KmsException;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings a VM folder back to a consistent state after a host died during a job, without keys and
 * without the KMS: only form labels and key check values are compared.
 *
 * <p>The write order of every disk transform (encrypt, decrypt, deep rekey) is: descriptor gets
 * {@code pending} = target form and wrapped target DEK (atomic rewrite), then
 * {@link DiskTransformer} writes the new flat file under a temporary name with a journal and
 * renames it, then the descriptor's pending target becomes its current form (atomic), then the
 * journal goes. So, for each disk:
 * <ul>
 * <li>temporary file left (rename never happened) or no journal: the flat file is in the
 *     descriptor's current form; a pending target is dropped;</li>
 * <li>journal without temporary file (renamed): if its target is the pending one, the pending
 *     target is promoted; if it is already the current form, the journal is just removed;</li>
 * <li>anything else is refused (the folder was edited by hand): the disk is not opened.</li>
 * </ul>
 * Leftover atomic-write temporaries ({@code .*.kvwrite}) are deleted. Call it only while this host
 * owns the VM ({@code kekvault.openOn}), never while another host may be transforming it.
 */
public final class VmRecovery {
    private static final Logger LOG = LoggerFactory.getLogger(VmRecovery.class);

    /** What was done to one disk. */
    public enum Action { NONE, DROPPED_PENDING, PROMOTED_PENDING, FINISHED_JOURNAL }

    public record DiskOutcome(String disk, Recovery.Outcome transform, Action action) {
    }

    private VmRecovery() {
    }

    public static List<DiskOutcome> recover(VmFolder folder) throws IOException, KmsException {
        AtomicFiles.cleanLeftovers(folder.dir());
        VmxFile vmx = folder.readVmx();
        List<DiskOutcome> out = new ArrayList<>();
        for (String disk : VmFolder.disks(vmx)) {
            out.add(recoverDisk(folder, disk));
        }
        return out;
    }

    static DiskOutcome recoverDisk(VmFolder folder, String disk) throws IOException, KmsException {
        Path descPath = folder.descriptor(disk);
        DiskDescriptor d = DiskDescriptor.read(descPath);
        Path flat = folder.flat(d);
        Recovery r = DiskTransformer.recover(flat);
        String pending = d.pendingLabel();
        Action action = Action.NONE;
        if (r.outcome() == Recovery.Outcome.COMPLETED) {
            String to = r.toLabel();
            if (pending != null && pending.equals(to)) {
                d.promotePending().save(descPath);
                action = Action.PROMOTED_PENDING;
            } else if (to.equals(d.formLabel())) {
                if (pending != null) {
                    d.clearPending().save(descPath);
                }
                action = Action.FINISHED_JOURNAL;
            } else {
                throw new IOException("disk " + disk + " of VM " + folder.name() + ": its data was transformed to "
                        + kind(to) + " but its descriptor says " + kind(d.formLabel())
                        + (pending == null ? "" : " (pending " + kind(pending) + ")") + "; refusing to guess");
            }
            DiskTransformer.finish(flat);
        } else if (pending != null) {
            d.clearPending().save(descPath);
            action = Action.DROPPED_PENDING;
        }
        if (action != Action.NONE || r.outcome() != Recovery.Outcome.CLEAN) {
            LOG.warn("event=disk_recovered vm={} disk={} transform={} action={} form={}", folder.name(), disk,
                    r.outcome(), action, kind(DiskDescriptor.read(descPath).formLabel()));
        }
        return new DiskOutcome(disk, r.outcome(), action);
    }

    /** Staging folders of VM creations this host did not finish ({@code .<vm>.kvcreate-<host>}). */
    public static int cleanStaging(Path datastore, String hostId) throws IOException {
        int n = 0;
        if (!Files.isDirectory(datastore)) {
            return 0;
        }
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(datastore, ".*.kvcreate-" + hostId)) {
            for (Path d : dirs) {
                deleteTree(d);
                n++;
            }
        }
        if (n > 0) {
            AtomicFiles.fsyncDirectory(datastore);
            LOG.warn("event=staging_removed datastore={} count={}", datastore, n);
        }
        return n;
    }

    static void deleteTree(Path dir) throws IOException {
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static String kind(String label) {
        if (label == null) {
            return "unknown";
        }
        return label.equals(DiskDescriptor.PLAIN) ? "plain" : label.replace("xts-aes-256/4096/", "xts ");
    }
}
