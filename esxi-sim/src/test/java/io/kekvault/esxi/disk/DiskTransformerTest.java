package io.kekvault.esxi.disk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kekvault.esxi.crypto.XtsEngineFactory;
import io.kekvault.esxi.crypto.XtsEngines;
import io.kekvault.esxi.crypto.XtsKeys;
import io.kekvault.kmip.error.CryptographicFailureException;
import io.kekvault.kmip.error.InvalidRequestException;
import io.kekvault.kmip.error.WrongStateException;
import io.kekvault.secret.SecretBytes;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DiskTransformerTest {
    private static final int CHUNK = 16 << 10;

    @ParameterizedTest(name = "{0} engine, {1} workers")
    @CsvSource({"openssl,1", "openssl,2", "jce,1", "jce,3"})
    void encryptRekeyDecrypt_roundTripAndMatchDirectXts(String engine, int workers, @TempDir Path dir) throws Exception {
        long seed = System.nanoTime();
        System.out.println("roundTrip seed=" + seed);
        Random rnd = new Random(seed);
        byte[] original = new byte[CHUNK * 9 + 3 * 4096];
        rnd.nextBytes(original);
        Path file = Files.write(dir.resolve("vm-flat.vmdk"), original);
        XtsEngineFactory f = XtsEngines.byName(engine);
        DiskTransformer t = new DiskTransformer(f, workers, CHUNK);
        try (SecretBytes a = DiskTransformCrashTest.key(rnd); SecretBytes b = DiskTransformCrashTest.key(rnd)) {
            List<Long> done = new CopyOnWriteArrayList<>();
            List<DiskProgress.Phase> phases = new CopyOnWriteArrayList<>();
            DiskProgress progress = new DiskProgress() {
                @Override
                public void progress(long d, long total) {
                    assertThat(total).isEqualTo(original.length);
                    done.add(d);
                }

                @Override
                public void phase(Phase phase) {
                    phases.add(phase);
                }
            };
            TransformResult r = t.encrypt(file, a, progress);
            assertThat(r.bytes()).isEqualTo(original.length);
            assertThat(r.alreadyDone()).isFalse();
            assertThat(Files.readAllBytes(file)).isEqualTo(DiskTransformCrashTest.encrypt(XtsEngines.jce(), a, original));
            assertThat(done).isSorted().last().isEqualTo((long) original.length);
            assertThat(done).hasSize(10);
            assertThat(phases).containsExactly(DiskProgress.Phase.values());

            t.rekey(file, a, b, null);
            assertThat(Files.readAllBytes(file)).isEqualTo(DiskTransformCrashTest.encrypt(XtsEngines.jce(), b, original));

            Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r-----"));
            t.decrypt(file, b, null);
            assertThat(Files.readAllBytes(file)).isEqualTo(original);
            assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
                    .isEqualTo("rw-r-----");
            assertThat(siblings(dir)).containsExactly(file);
        }
    }

    @Test
    void manySmallChunks_withFourWorkers_writeEveryChunkOnce(@TempDir Path dir) throws Exception {
        long seed = System.nanoTime();
        System.out.println("manySmallChunks seed=" + seed);
        Random rnd = new Random(seed);
        byte[] original = new byte[600 * 4096];
        rnd.nextBytes(original);
        Path file = Files.write(dir.resolve("s-flat.vmdk"), original);
        DiskTransformer t = new DiskTransformer(XtsEngines.best(), 4, 4096);
        try (SecretBytes a = DiskTransformCrashTest.key(rnd); SecretBytes b = DiskTransformCrashTest.key(rnd)) {
            for (int round = 0; round < 3; round++) {
                List<Long> done = new CopyOnWriteArrayList<>();
                t.encrypt(file, a, (d, total) -> done.add(d));
                assertThat(done).hasSize(600).isSorted().doesNotHaveDuplicates().last().isEqualTo((long) original.length);
                t.rekey(file, a, b, null);
                assertThat(Files.readAllBytes(file)).isEqualTo(DiskTransformCrashTest.encrypt(XtsEngines.jce(), b, original));
                t.decrypt(file, b, null);
                assertThat(Files.readAllBytes(file)).isEqualTo(original);
            }
        }
    }

    @Test
    void encryptedDisk_decryptsWithPythonCryptography(@TempDir Path dir) throws Exception {
        long seed = System.nanoTime();
        System.out.println("python disk seed=" + seed);
        Random rnd = new Random(seed);
        byte[] original = new byte[64 * 4096];
        rnd.nextBytes(original);
        Path file = Files.write(dir.resolve("py-flat.vmdk"), original);
        Path plainCopy = Files.write(dir.resolve("plain.bin"), original);
        try (SecretBytes key = DiskTransformCrashTest.key(rnd)) {
            new DiskTransformer(XtsEngines.best(), 2, CHUNK).encrypt(file, key, null);
            String out = io.kekvault.esxi.crypto.PythonXts.run(key, """
                    import sys
                    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
                    key = bytes.fromhex(sys.stdin.readline().strip())
                    ct = open(sys.argv[1], 'rb').read(); pt = open(sys.argv[2], 'rb').read()
                    out = bytearray()
                    for u in range(len(ct) // 4096):
                        d = Cipher(algorithms.AES(key), modes.XTS(u.to_bytes(16, 'little'))).decryptor()
                        out += d.update(ct[u*4096:(u+1)*4096]) + d.finalize()
                    print('disk-matches' if bytes(out) == pt else 'disk-differs')
                    """, file.toString(), plainCopy.toString());
            assertThat(out.strip()).isEqualTo("disk-matches");
        }
    }

    @Test
    void wrongSourceKey_isRefusedBeforeAnythingIsWritten(@TempDir Path dir) throws Exception {
        Random rnd = new Random(11);
        byte[] original = new byte[8 * 4096];
        rnd.nextBytes(original);
        Path file = Files.write(dir.resolve("w-flat.vmdk"), original);
        DiskTransformer t = new DiskTransformer(XtsEngines.best(), 1, CHUNK);
        try (SecretBytes right = DiskTransformCrashTest.key(rnd); SecretBytes wrong = DiskTransformCrashTest.key(rnd)) {
            t.encrypt(file, right, null);
            byte[] encrypted = Files.readAllBytes(file);
            String recorded = XtsKeys.checkValue(right);
            assertThat(recorded).startsWith("kcv1:").hasSize(5 + 16).isNotEqualTo(XtsKeys.checkValue(wrong));

            assertThatThrownBy(() -> t.transform(file, DiskForm.xts(wrong, recorded), DiskForm.plain(), false, null))
                    .isInstanceOf(CryptographicFailureException.class).hasMessageContaining("check value");
            assertThat(Files.readAllBytes(file)).isEqualTo(encrypted);
            assertThat(siblings(dir)).containsExactly(file);

            t.transform(file, DiskForm.xts(right, recorded), DiskForm.plain(), false, null);
            assertThat(Files.readAllBytes(file)).isEqualTo(original);
        }
    }

    @Test
    void sizeNotMultipleOf4096_andSameForms_areRefused(@TempDir Path dir) throws Exception {
        Path file = Files.write(dir.resolve("odd-flat.vmdk"), new byte[4096 + 512]);
        DiskTransformer t = new DiskTransformer(XtsEngines.best(), 1, CHUNK);
        try (SecretBytes k = DiskTransformCrashTest.key(new Random(1))) {
            assertThatThrownBy(() -> t.encrypt(file, k, null)).isInstanceOf(InvalidRequestException.class)
                    .hasMessageContaining("multiple of 4096");
            assertThatThrownBy(() -> t.rekey(file, k, k, null)).isInstanceOf(InvalidRequestException.class);
            assertThat(Files.size(file)).isEqualTo(4096 + 512);
            assertThat(siblings(dir)).containsExactly(file);
        }
    }

    @Test
    void leftoverTempFileFromKilledRun_isDiscardedAndNextRunCompletes(@TempDir Path dir) throws Exception {
        Random rnd = new Random(21);
        byte[] original = new byte[16 * 4096];
        rnd.nextBytes(original);
        Path file = Files.write(dir.resolve("l-flat.vmdk"), original);
        Files.write(DiskTransformer.tempOf(file.toAbsolutePath()), new byte[12345]);
        try (SecretBytes k = DiskTransformCrashTest.key(rnd)) {
            TransformResult r = new DiskTransformer(XtsEngines.best(), 2, CHUNK).encrypt(file, k, null);
            assertThat(r.recovery().outcome()).isEqualTo(Recovery.Outcome.ROLLED_BACK);
            assertThat(r.recovery().formLabel()).isNull();
            assertThat(Files.readAllBytes(file)).isEqualTo(DiskTransformCrashTest.encrypt(XtsEngines.jce(), k, original));
            assertThat(siblings(dir)).containsExactly(file);
        }
    }

    @Test
    void keptJournal_reportsCompletedUntilFinished_andGuardsAgainstRedoingTheTransform(@TempDir Path dir)
            throws Exception {
        Random rnd = new Random(31);
        byte[] original = new byte[16 * 4096];
        rnd.nextBytes(original);
        Path file = Files.write(dir.resolve("j-flat.vmdk"), original);
        DiskTransformer t = new DiskTransformer(XtsEngines.best(), 1, CHUNK);
        try (SecretBytes a = DiskTransformCrashTest.key(rnd); SecretBytes b = DiskTransformCrashTest.key(rnd)) {
            t.transform(file, DiskForm.plain(), DiskForm.xts(a), true, null);
            byte[] underA = Files.readAllBytes(file);

            Recovery rec = DiskTransformer.recover(file);
            assertThat(rec.outcome()).isEqualTo(Recovery.Outcome.COMPLETED);
            assertThat(rec.formLabel()).isEqualTo(DiskForm.xts(a).label()).contains(XtsKeys.checkValue(a));
            assertThat(rec.fromLabel()).isEqualTo("plain");

            // The same request again: found done, nothing rewritten.
            TransformResult again = t.transform(file, DiskForm.plain(), DiskForm.xts(a), true, null);
            assertThat(again.alreadyDone()).isTrue();
            assertThat(Files.readAllBytes(file)).isEqualTo(underA);

            // A request that assumes another current form is refused.
            assertThatThrownBy(() -> t.transform(file, DiskForm.xts(b), DiskForm.plain(), false, null))
                    .isInstanceOf(WrongStateException.class);

            DiskTransformer.finish(file);
            assertThat(DiskTransformer.recover(file).outcome()).isEqualTo(Recovery.Outcome.CLEAN);
            assertThat(siblings(dir)).containsExactly(file);

            // Continuing from the completed form works.
            t.transform(file, DiskForm.xts(a), DiskForm.plain(), false, null);
            assertThat(Files.readAllBytes(file)).isEqualTo(original);
        }
    }

    @Test
    void emptyDisk_transformsToEmptyDisk(@TempDir Path dir) throws Exception {
        Path file = Files.write(dir.resolve("e-flat.vmdk"), new byte[0]);
        try (SecretBytes k = DiskTransformCrashTest.key(new Random(2))) {
            TransformResult r = new DiskTransformer(XtsEngines.best(), 2).encrypt(file, k, null);
            assertThat(r.bytes()).isZero();
            assertThat(Files.size(file)).isZero();
        }
    }

    static List<Path> siblings(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return new ArrayList<>(s.filter(p -> !p.getFileName().toString().endsWith(".bin")).toList());
        }
    }
}
