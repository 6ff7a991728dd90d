package io.kekvault.esxi.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import io.kekvault.secret.SecretBytes;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The two engines against each other, and against Debian's python3-cryptography (not written here). */
class XtsCrossCheckTest {
    private static final String PYTHON = "/usr/bin/python3";

    @Test
    void randomInputs_giveIdenticalOutputFromBothEngines() {
        long seed = System.nanoTime();
        System.out.println("randomInputs_giveIdenticalOutputFromBothEngines seed=" + seed);
        Random rnd = new Random(seed);
        for (int round = 0; round < 40; round++) {
            int unitSize = round % 4 == 0 ? 16 * (1 + rnd.nextInt(64)) : 4096;
            int units = 1 + rnd.nextInt(8);
            long first = switch (round % 3) {
                case 0 -> rnd.nextInt(1000);
                case 1 -> rnd.nextLong() >>> 1 >>> rnd.nextInt(63);
                default -> Long.MAX_VALUE - units;
            };
            byte[] data = new byte[unitSize * units];
            rnd.nextBytes(data);
            try (SecretBytes key = XtsEngineContract.randomKey(rnd);
                 XtsEngine ossl = XtsEngines.openssl().create(key, unitSize);
                 XtsEngine jce = XtsEngines.jce().create(key, unitSize)) {
                byte[] a = new byte[data.length];
                byte[] b = new byte[data.length];
                ossl.encrypt(first, data, 0, a, 0, data.length);
                jce.encrypt(first, data, 0, b, 0, data.length);
                assertThat(a).as("round %d unit %d first %d", round, unitSize, first).isEqualTo(b);

                ByteBuffer direct = ByteBuffer.allocateDirect(data.length).put(a).flip();
                jce.decryptInPlace(first, direct);
                byte[] back = new byte[data.length];
                direct.flip().get(back);
                assertThat(back).isEqualTo(data);
                ossl.decrypt(first, b, 0, b.length);
                assertThat(b).isEqualTo(data);
            }
        }
    }

    @Test
    void bothEngines_agreeWithPythonCryptography(@TempDir Path dir) throws Exception {
        long seed = System.nanoTime();
        System.out.println("bothEngines_agreeWithPythonCryptography seed=" + seed);
        Random rnd = new Random(seed);
        int units = 24;
        long first = (1L << 40) + rnd.nextInt(1 << 20);
        byte[] plain = new byte[units * 4096];
        rnd.nextBytes(plain);
        Path plainFile = Files.write(dir.resolve("plain.bin"), plain);
        Path pyCipherFile = dir.resolve("py-cipher.bin");
        try (SecretBytes key = XtsEngineContract.randomKey(rnd);
             XtsEngine ossl = XtsEngines.openssl().create(key);
             XtsEngine jce = XtsEngines.jce().create(key)) {
            byte[] viaOpenssl = new byte[plain.length];
            ossl.encrypt(first, plain, 0, viaOpenssl, 0, plain.length);
            byte[] viaJce = new byte[plain.length];
            jce.encrypt(first, plain, 0, viaJce, 0, plain.length);
            Path cipherFile = Files.write(dir.resolve("cipher.bin"), viaOpenssl);

            // Python decrypts our ciphertext and encrypts our plaintext, unit by unit.
            String out = python(key, """
                    import sys
                    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
                    key = bytes.fromhex(sys.stdin.readline().strip())
                    first, units, cfile, pfile, outfile = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
                    ct = open(cfile, 'rb').read(); pt = open(pfile, 'rb').read()
                    dec = bytearray(); enc = bytearray()
                    for u in range(units):
                        tweak = (first + u).to_bytes(16, 'little')
                        d = Cipher(algorithms.AES(key), modes.XTS(tweak)).decryptor()
                        dec += d.update(ct[u*4096:(u+1)*4096]) + d.finalize()
                        e = Cipher(algorithms.AES(key), modes.XTS(tweak)).encryptor()
                        enc += e.update(pt[u*4096:(u+1)*4096]) + e.finalize()
                    open(outfile, 'wb').write(bytes(enc))
                    print('decrypted-matches' if bytes(dec) == pt else 'decrypted-differs')
                    """, String.valueOf(first), String.valueOf(units), cipherFile.toString(), plainFile.toString(),
                    pyCipherFile.toString());
            assertThat(out.strip()).isEqualTo("decrypted-matches");
            byte[] viaPython = Files.readAllBytes(pyCipherFile);
            assertThat(viaPython).isEqualTo(viaOpenssl).isEqualTo(viaJce);
        }
    }

    /** Runs a script with Debian's python3 (python3-cryptography); the key goes through stdin. */
    static String python(SecretBytes key, String script, String... args) throws IOException, InterruptedException {
        if (!Files.isExecutable(Path.of(PYTHON))) {
            throw new AssertionError(PYTHON + " missing: apt-get install python3 python3-cryptography");
        }
        var cmd = new java.util.ArrayList<String>(java.util.List.of(PYTHON, "-c", script));
        cmd.addAll(java.util.List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try (OutputStream stdin = p.getOutputStream()) {
            stdin.write((HexFormat.of().formatHex(key.expose()) + "\n").getBytes(StandardCharsets.US_ASCII));
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        p.getInputStream().transferTo(out);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String text = out.toString(StandardCharsets.UTF_8);
        if (text.contains("No module named 'cryptography'")) {
            throw new AssertionError("python3-cryptography missing: apt-get install python3-cryptography\n" + text);
        }
        assertThat(p.exitValue()).as("python output: %s", text).isZero();
        return text;
    }
}
