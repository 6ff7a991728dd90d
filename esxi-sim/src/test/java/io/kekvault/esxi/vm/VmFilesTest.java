package io.kekvault.esxi.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kekvault.esxi.crypto.XtsKeys;
import io.kekvault.esxi.disk.DiskForm;
import io.kekvault.kmip.error.CryptographicFailureException;
import io.kekvault.kmip.error.InvalidRequestException;
import io.kekvault.secret.SecretBytes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VmFilesTest {
    private static final SecureRandom RANDOM = new SecureRandom();

    @Test
    void vmx_roundTripsValuesWithQuotesBarsAndNewlines_andKeepsOrder(@TempDir Path dir) throws Exception {
        VmxFile vmx = new VmxFile().set("displayName", "vm \"one\" | two\nthree").set("a.b", "x\\y").set("uuid.bios", "u");
        Path file = dir.resolve("vm.vmx");
        vmx.save(file);
        String text = Files.readString(file);
        assertThat(text.lines()).hasSize(3);
        VmxFile back = VmxFile.read(file);
        assertThat(back.entries()).containsExactlyEntriesOf(vmx.entries());
        assertThat(back.keys()).containsExactly("displayName", "a.b", "uuid.bios");
        assertThat(dir.resolve(".vm.vmx.kvwrite")).doesNotExist();
    }

    @Test
    void vmx_diskListFollowsSlotsAndSkipsAbsentDisks() throws Exception {
        VmxFile vmx = VmxFile.parse("""
                scsi0:1.fileName = "b.vmdk"
                scsi0:0.fileName = "a.vmdk"
                scsi0:2.present = "FALSE"
                scsi0:2.fileName = "c.vmdk"
                """);
        assertThat(VmFolder.disks(vmx)).containsExactly("a", "b");
    }

    @Test
    void keySafe_roundTrips_andRefusesGarbage() throws Exception {
        KeySafe k = new KeySafe("prov one", "3f2a-kek", new byte[] {1, 2, 3, (byte) 0xff});
        String text = k.encode();
        assertThat(text).startsWith("kekvault:keysafe/v1/(provider/prov+one,kek/3f2a-kek,wrapped/");
        assertThat(KeySafe.parse(text)).isEqualTo(k);
        assertThat(k.toString()).doesNotContain("AQID");
        assertThatThrownBy(() -> KeySafe.parse("vmware:key/list/()")).isInstanceOf(InvalidRequestException.class);
    }

    @Test
    void descriptor_recordsEncryptionAndPendingTarget_andPromotesIt(@TempDir Path dir) throws Exception {
        try (SecretBytes k1 = XtsKeys.generate(RANDOM); SecretBytes k2 = XtsKeys.generate(RANDOM)) {
            DiskDescriptor d = DiskDescriptor.create("disk0-flat.vmdk", 1 << 20, "uuid-1", "0badcafe");
            assertThat(d.formLabel()).isEqualTo(DiskForm.plain().label());
            KeySafe s1 = new KeySafe("default", "kek-1", new byte[] {9, 9});
            d.setEncrypted(s1, XtsKeys.checkValue(k1));
            assertThat(d.formLabel()).isEqualTo(DiskForm.xts(k1).label());
            KeySafe s2 = new KeySafe("default", "kek-2", new byte[] {7});
            d.setPending(s2, XtsKeys.checkValue(k2));
            Path file = dir.resolve("disk0.vmdk");
            d.save(file);
            String text = Files.readString(file);
            assertThat(text).contains("RW 2048 VMFS \"disk0-flat.vmdk\"").contains("ddb.keySafe = \"kekvault:keysafe/v1/")
                    .contains("ddb.encryption = \"cipher=xts-aes-256;dataUnit=4096;check=kcv1:");
            DiskDescriptor back = DiskDescriptor.read(file);
            assertThat(back.sizeBytes()).isEqualTo(1 << 20);
            assertThat(back.keySafe()).isEqualTo(s1);
            assertThat(back.pendingLabel()).isEqualTo(DiskForm.xts(k2).label());
            back.promotePending();
            assertThat(back.keySafe()).isEqualTo(s2);
            assertThat(back.checkValue()).isEqualTo(XtsKeys.checkValue(k2));
            assertThat(back.pendingLabel()).isNull();
            back.setPending(null, null).promotePending();
            assertThat(back.encrypted()).isFalse();
            assertThat(back.keySafe()).isNull();
        }
    }

    @Test
    void homeData_opensWithItsKeyOnly_andOnlyForItsVm() throws Exception {
        try (SecretBytes home = XtsKeys.generate(RANDOM); SecretBytes other = XtsKeys.generate(RANDOM)) {
            Map<String, String> settings = new LinkedHashMap<>(Map.of("annotation", "payroll", "guestinfo.x", "y"));
            String sealed = HomeData.seal(settings, home, "uuid-a", RANDOM);
            assertThat(sealed).startsWith("v1:").doesNotContain("payroll");
            assertThat(HomeData.open(sealed, home, "uuid-a")).containsExactlyInAnyOrderEntriesOf(settings);
            assertThatThrownBy(() -> HomeData.open(sealed, other, "uuid-a")).isInstanceOf(CryptographicFailureException.class);
            assertThatThrownBy(() -> HomeData.open(sealed, home, "uuid-b")).isInstanceOf(CryptographicFailureException.class);
            char[] c = sealed.toCharArray();
            c[10] = c[10] == 'A' ? 'B' : 'A';
            assertThatThrownBy(() -> HomeData.open(new String(c), home, "uuid-a")).isInstanceOf(CryptographicFailureException.class);
        }
    }

    @Test
    void vmAad_bindsVmAndComponent() {
        assertThat(new String(VmAad.of("u-1", "disk0"))).isEqualTo("kekvault/vm/u-1/disk0");
        assertThat(VmAad.of("u-1", "home")).isNotEqualTo(VmAad.of("u-2", "home"));
        assertThat(List.of(VmFolder.NAME.matcher("../x").matches(), VmFolder.NAME.matcher(".hidden").matches()))
                .containsOnly(false);
    }
}
