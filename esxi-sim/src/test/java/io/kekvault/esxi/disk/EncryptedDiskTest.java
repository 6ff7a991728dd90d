package io.kekvault.esxi.disk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kekvault.esxi.crypto.XtsEngineFactory;
import io.kekvault.esxi.crypto.XtsEngines;
import io.kekvault.esxi.crypto.XtsKeys;
import io.kekvault.kmip.error.CryptographicFailureException;
import io.kekvault.kmip.error.InvalidRequestException;
import io.kekvault.secret.SecretBytes;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EncryptedDiskTest {
    private static final int SIZE = 200 * 4096;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"openssl", "jce"})
    void unalignedReadsAndWrites_matchAPlainModel_andTheFileStaysValidXts(String engine, @TempDir Path dir)
            throws Exception {
        long seed = System.nanoTime();
        System.out.println("sector round trips seed=" + seed);
        Random rnd = new Random(seed);
        XtsEngineFactory f = XtsEngines.byName(engine);
        byte[] model = new byte[SIZE];
        rnd.nextBytes(model);
        Path file = Files.write(dir.resolve("rw-flat.vmdk"), model);
        try (SecretBytes key = DiskTransformCrashTest.key(rnd)) {
            new DiskTransformer(f, 1).encrypt(file, key, null);
            try (EncryptedDisk disk = EncryptedDisk.open(file, key, XtsKeys.checkValue(key), f)) {
                assertThat(disk.size()).isEqualTo(SIZE);
                for (int op = 0; op < 300; op++) {
                    int len = switch (rnd.nextInt(4)) {
                        case 0 -> 1 + rnd.nextInt(16);
                        case 1 -> 1 + rnd.nextInt(4096);
                        case 2 -> 1 + rnd.nextInt(3 * 4096);
                        default -> 1 + rnd.nextInt(80 * 4096); // spans more than one internal batch
                    };
                    long off = rnd.nextLong(SIZE - len + 1);
                    if (rnd.nextInt(8) == 0) {
                        off = (off / 4096) * 4096; // aligned start, sometimes aligned length too
                        if (rnd.nextBoolean()) {
                            len = Math.max(4096, (len / 4096) * 4096);
                            off = Math.min(off, SIZE - len);
                        }
                    }
                    if (rnd.nextBoolean()) {
                        byte[] data = new byte[len];
                        rnd.nextBytes(data);
                        if (rnd.nextBoolean()) {
                            disk.write(off, data, 0, len);
                        } else {
                            ByteBuffer direct = ByteBuffer.allocateDirect(len).put(data).flip();
                            disk.write(off, direct);
                            assertThat(direct.hasRemaining()).isFalse();
                        }
                        System.arraycopy(data, 0, model, (int) off, len);
                    } else {
                        byte[] got = new byte[len + 10];
                        disk.read(off, got, 5, len);
                        assertThat(Arrays.copyOfRange(got, 5, 5 + len)).as("read %d at %d", len, off)
                                .isEqualTo(Arrays.copyOfRange(model, (int) off, (int) off + len));
                    }
                }
                disk.flush();
            }
            // The file on disk is exactly XTS of the model, unit by unit: reopen, and decrypt independently.
            try (EncryptedDisk disk = EncryptedDisk.open(file, key, f)) {
                byte[] all = new byte[SIZE];
                disk.read(0, all, 0, SIZE);
                assertThat(all).isEqualTo(model);
            }
            assertThat(DiskTransformCrashTest.decryptWith(XtsEngines.jce(), key, Files.readAllBytes(file)))
                    .isEqualTo(model);
        }
    }

    @Test
    void wrongKey_outOfRange_andOddSize_areRefused(@TempDir Path dir) throws Exception {
        Random rnd = new Random(41);
        Path file = Files.write(dir.resolve("x-flat.vmdk"), new byte[8 * 4096]);
        Path odd = Files.write(dir.resolve("odd-flat.vmdk"), new byte[8 * 4096 + 1]);
        try (SecretBytes key = DiskTransformCrashTest.key(rnd); SecretBytes other = DiskTransformCrashTest.key(rnd)) {
            new DiskTransformer(XtsEngines.best(), 1).encrypt(file, key, null);
            assertThatThrownBy(() -> EncryptedDisk.open(file, other, XtsKeys.checkValue(key), XtsEngines.best()))
                    .isInstanceOf(CryptographicFailureException.class);
            assertThatThrownBy(() -> EncryptedDisk.open(odd, key, XtsEngines.best()))
                    .isInstanceOf(InvalidRequestException.class);
            try (EncryptedDisk disk = EncryptedDisk.open(file, key, XtsEngines.best())) {
                assertThatThrownBy(() -> disk.read(8 * 4096 - 10, new byte[11], 0, 11))
                        .isInstanceOf(IndexOutOfBoundsException.class);
                assertThatThrownBy(() -> disk.write(-1, new byte[1], 0, 1))
                        .isInstanceOf(IndexOutOfBoundsException.class);
                byte[] zeros = new byte[100];
                disk.read(8 * 4096 - 100, zeros, 0, 100);
                assertThat(zeros).containsOnly(0);
            }
            // Without a check value, a wrong key is not detectable by XTS: it reads garbage.
            try (EncryptedDisk disk = EncryptedDisk.open(file, other, XtsEngines.best())) {
                byte[] garbage = new byte[4096];
                disk.read(0, garbage, 0, 4096);
                assertThat(garbage).isNotEqualTo(new byte[4096]);
            }
        }
    }
}
