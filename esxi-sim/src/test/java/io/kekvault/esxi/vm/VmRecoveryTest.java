package io.kekvault.esxi.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kekvault.esxi.crypto.XtsEngines;
import io.kekvault.esxi.crypto.XtsKeys;
import io.kekvault.esxi.disk.DiskForm;
import io.kekvault.esxi.disk.DiskProgress;
import io.kekvault.esxi.disk.DiskTransformer;
import io.kekvault.esxi.disk.EncryptedDisk;
import io.kekvault.esxi.disk.Recovery;
import io.kekvault.secret.SecretBytes;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The states a host killed during a disk transform can leave, rebuilt with the real transformer on
 * real files, and what {@link VmRecovery} makes of each.
 */
class VmRecoveryTest {
    private static final int SIZE = 256 << 10;
    private final SecureRandom random = new SecureRandom();
    private final DiskTransformer transformer = new DiskTransformer(XtsEngines.jce(), 1, 64 << 10);
    private VmFolder folder;
    private Path desc;
    private Path flat;
    private byte[] data;
    private SecretBytes key;
    private KeySafe safe;

    @BeforeEach
    void vm(@TempDir Path ds) throws Exception {
        long seed = System.nanoTime();
        System.out.println("VmRecoveryTest seed=" + seed);
        folder = new VmFolder(ds, "vm1");
        Files.createDirectories(folder.dir());
        new VmxFile().set(VmFolder.UUID_KEY, "uuid-1").set("scsi0:0.fileName", "disk0.vmdk").save(folder.vmx());
        desc = folder.descriptor("disk0");
        DiskDescriptor.create("disk0-flat.vmdk", SIZE, "d-1", "00000001").save(desc);
        flat = folder.dir().resolve("disk0-flat.vmdk");
        data = new byte[SIZE];
        new Random(seed).nextBytes(data);
        Files.write(flat, data);
        key = XtsKeys.generate(random);
        safe = new KeySafe("default", "kek-1", new byte[] {1, 2, 3});
    }

    private void pending() throws IOException {
        DiskDescriptor.read(desc).setPending(safe, XtsKeys.checkValue(key)).save(desc);
    }

    private byte[] readEncrypted() throws Exception {
        DiskDescriptor d = DiskDescriptor.read(desc);
        try (EncryptedDisk disk = EncryptedDisk.open(flat, key, d.checkValue(), XtsEngines.jce())) {
            ByteBuffer b = ByteBuffer.allocate(SIZE);
            disk.read(0, b);
            return b.array();
        }
    }

    private List<String> hidden() throws IOException {
        try (var s = Files.list(folder.dir())) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".")).toList();
        }
    }

    @Test
    void killedBeforeTheTransformStarted_pendingIsDropped() throws Exception {
        pending();
        Files.writeString(folder.dir().resolve(".vm1.vmx.kvwrite"), "half a vmx");
        List<VmRecovery.DiskOutcome> out = VmRecovery.recover(folder);
        assertThat(out).containsExactly(new VmRecovery.DiskOutcome("disk0", Recovery.Outcome.CLEAN, VmRecovery.Action.DROPPED_PENDING));
        assertThat(DiskDescriptor.read(desc).encrypted()).isFalse();
        assertThat(DiskDescriptor.read(desc).pendingLabel()).isNull();
        assertThat(Files.readAllBytes(flat)).isEqualTo(data);
        assertThat(hidden()).isEmpty();
    }

    @Test
    void killedWhileWritingTheNewFile_oldFileStands() throws Exception {
        pending();
        Path temp = folder.dir().resolve(".disk0-flat.vmdk.kvtmp");
        Path journal = folder.dir().resolve(".disk0-flat.vmdk.kvjournal");
        Path keepTemp = folder.dir().resolve("keep-temp");
        Path keepJournal = folder.dir().resolve("keep-journal");
        // Copy what a dying process would leave at DATA_SYNCED, then let the transform abort.
        assertThatThrownBy(() -> transformer.transform(flat, DiskForm.plain(), DiskForm.xts(key), true, new DiskProgress() {
            @Override
            public void progress(long done, long total) {
            }

            @Override
            public void phase(Phase phase) {
                if (phase == Phase.DATA_SYNCED) {
                    try {
                        Files.copy(temp, keepTemp);
                        Files.copy(journal, keepJournal);
                    } catch (IOException e) {
                        throw new IllegalStateException(e);
                    }
                    throw new IllegalStateException("simulated death");
                }
            }
        })).hasMessageContaining("simulated death");
        Files.move(keepTemp, temp, StandardCopyOption.ATOMIC_MOVE);
        Files.move(keepJournal, journal, StandardCopyOption.ATOMIC_MOVE);
        List<VmRecovery.DiskOutcome> out = VmRecovery.recover(folder);
        assertThat(out.getFirst().transform()).isEqualTo(Recovery.Outcome.ROLLED_BACK);
        assertThat(out.getFirst().action()).isEqualTo(VmRecovery.Action.DROPPED_PENDING);
        assertThat(Files.readAllBytes(flat)).isEqualTo(data);
        assertThat(DiskDescriptor.read(desc).encrypted()).isFalse();
        assertThat(hidden()).isEmpty();
    }

    @Test
    void killedAfterTheRenameBeforeTheDescriptor_pendingIsPromoted() throws Exception {
        pending();
        transformer.transform(flat, DiskForm.plain(), DiskForm.xts(key), true, null);
        List<VmRecovery.DiskOutcome> out = VmRecovery.recover(folder);
        assertThat(out.getFirst().action()).isEqualTo(VmRecovery.Action.PROMOTED_PENDING);
        DiskDescriptor d = DiskDescriptor.read(desc);
        assertThat(d.keySafe()).isEqualTo(safe);
        assertThat(d.checkValue()).isEqualTo(XtsKeys.checkValue(key));
        assertThat(readEncrypted()).isEqualTo(data);
        assertThat(hidden()).isEmpty();
    }

    @Test
    void killedAfterTheDescriptorBeforeTheJournalWent_journalIsRemoved() throws Exception {
        pending();
        transformer.transform(flat, DiskForm.plain(), DiskForm.xts(key), true, null);
        DiskDescriptor.read(desc).promotePending().save(desc);
        List<VmRecovery.DiskOutcome> out = VmRecovery.recover(folder);
        assertThat(out.getFirst().action()).isEqualTo(VmRecovery.Action.FINISHED_JOURNAL);
        assertThat(readEncrypted()).isEqualTo(data);
        assertThat(hidden()).isEmpty();
    }

    @Test
    void dataTransformedToAFormTheDescriptorDoesNotKnow_isRefused() throws Exception {
        try (SecretBytes stranger = XtsKeys.generate(random)) {
            pending();
            transformer.transform(flat, DiskForm.plain(), DiskForm.xts(stranger), true, null);
            assertThatThrownBy(() -> VmRecovery.recover(folder)).isInstanceOf(IOException.class)
                    .hasMessageContaining("refusing to guess");
        }
    }

    @Test
    void leftoverStagingOfThisHost_isRemoved_othersKept(@TempDir Path ds) throws Exception {
        Files.createDirectories(ds.resolve(".vm9.kvcreate-1/sub"));
        Files.writeString(ds.resolve(".vm9.kvcreate-1/sub/x"), "x");
        Files.createDirectories(ds.resolve(".vm9.kvcreate-2"));
        assertThat(VmRecovery.cleanStaging(ds, "1")).isEqualTo(1);
        assertThat(ds.resolve(".vm9.kvcreate-1")).doesNotExist();
        assertThat(ds.resolve(".vm9.kvcreate-2")).exists();
    }
}
