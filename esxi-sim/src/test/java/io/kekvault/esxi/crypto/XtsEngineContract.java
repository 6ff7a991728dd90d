package io.kekvault.esxi.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kekvault.secret.SecretBytes;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** What every {@link XtsEngine} must do; one subclass per implementation. */
abstract class XtsEngineContract {

    abstract XtsEngineFactory factory();

    static List<XtsVectors> ieee1619() throws Exception {
        List<XtsVectors> v = XtsVectors.load("/xts/ieee1619-xts-aes256.rsp");
        assertThat(v).hasSize(5);
        return v;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("ieee1619")
    void ieee1619Vector_encryptsAndDecryptsExactly(XtsVectors v) {
        try (SecretBytes key = SecretBytes.copyOf(v.key());
             XtsEngine engine = factory().create(key, v.dataUnitBytes())) {
            byte[] out = new byte[v.plaintext().length];
            engine.encrypt(v.unitNumber(), v.plaintext(), 0, out, 0, out.length);
            assertThat(out).isEqualTo(v.ciphertext());

            byte[] back = new byte[out.length];
            engine.decrypt(v.unitNumber(), out, 0, back, 0, out.length);
            assertThat(back).isEqualTo(v.plaintext());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("ieee1619")
    void ieee1619Vector_inPlaceAndDirectBuffers_matchToo(XtsVectors v) {
        try (SecretBytes key = SecretBytes.copyOf(v.key());
             XtsEngine engine = factory().create(key, v.dataUnitBytes())) {
            byte[] buf = v.plaintext().clone();
            engine.encrypt(v.unitNumber(), buf, 0, buf.length);
            assertThat(buf).isEqualTo(v.ciphertext());

            ByteBuffer direct = ByteBuffer.allocateDirect(buf.length + 32);
            direct.position(16);
            direct.put(v.ciphertext()).flip().position(16);
            engine.decryptInPlace(v.unitNumber(), direct);
            assertThat(direct.position()).isEqualTo(16 + buf.length);
            byte[] back = new byte[buf.length];
            direct.get(16, back);
            assertThat(back).isEqualTo(v.plaintext());

            ByteBuffer heapDst = ByteBuffer.allocate(buf.length);
            engine.encrypt(v.unitNumber(), ByteBuffer.wrap(v.plaintext()), heapDst);
            assertThat(heapDst.array()).isEqualTo(v.ciphertext());
        }
    }

    @Test
    void manyUnitsInOneCall_equalOneCallPerUnit() {
        long seed = System.nanoTime();
        System.out.println("manyUnitsInOneCall seed=" + seed);
        Random rnd = new Random(seed);
        byte[] data = new byte[16 * 4096];
        rnd.nextBytes(data);
        long first = rnd.nextLong(1L << 50);
        try (SecretBytes key = randomKey(rnd); XtsEngine engine = factory().create(key)) {
            byte[] whole = new byte[data.length];
            engine.encrypt(first, data, 0, whole, 0, data.length);
            for (int u = 0; u < 16; u++) {
                byte[] one = new byte[4096];
                engine.encrypt(first + u, data, u * 4096, one, 0, 4096);
                assertThat(one).isEqualTo(Arrays.copyOfRange(whole, u * 4096, u * 4096 + 4096));
            }
            assertThat(whole).isNotEqualTo(data);
            engine.decrypt(first, whole, 0, whole.length);
            assertThat(whole).isEqualTo(data);
        }
    }

    @Test
    void sameDataInDifferentUnits_givesDifferentCiphertext() {
        Random rnd = new Random(7);
        byte[] data = new byte[4096];
        try (SecretBytes key = randomKey(rnd); XtsEngine engine = factory().create(key)) {
            byte[] a = new byte[4096];
            byte[] b = new byte[4096];
            engine.encrypt(0, data, 0, a, 0, 4096);
            engine.encrypt(1, data, 0, b, 0, 4096);
            assertThat(a).isNotEqualTo(b);
        }
    }

    @Test
    void keyWithEqualHalves_isRefused() {
        byte[] k = new byte[64];
        Arrays.fill(k, (byte) 0x42);
        try (SecretBytes key = SecretBytes.copyOf(k)) {
            assertThatThrownBy(() -> factory().create(key)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("halves");
        }
    }

    @Test
    void keyOfWrongLength_isRefused() {
        try (SecretBytes key = SecretBytes.random(32, new java.security.SecureRandom())) {
            assertThatThrownBy(() -> factory().create(key)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("64 bytes");
        }
    }

    @Test
    void badLengthsOverlapAndNegativeUnits_areRefused() {
        try (SecretBytes key = randomKey(new Random(3)); XtsEngine engine = factory().create(key)) {
            byte[] buf = new byte[3 * 4096];
            assertThatThrownBy(() -> engine.encrypt(0, buf, 0, buf, 0, 4000))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> engine.encrypt(0, buf, 0, buf, 16, 4096))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("overlap");
            assertThatThrownBy(() -> engine.encrypt(-1, buf, 0, buf, 0, 4096))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> engine.encrypt(0, buf, 8192, buf, 8192, 8192))
                    .isInstanceOf(IndexOutOfBoundsException.class);
            assertThatThrownBy(() -> engine.encrypt(0, ByteBuffer.allocate(8192), ByteBuffer.allocate(4096)))
                    .isInstanceOf(IllegalArgumentException.class);
            ByteBuffer direct = ByteBuffer.allocateDirect(3 * 4096);
            assertThatThrownBy(() -> engine.encrypt(0, direct.slice(0, 8192), direct.slice(4096, 8192)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("overlap");
            ByteBuffer heap = ByteBuffer.allocate(3 * 4096);
            assertThatThrownBy(() -> engine.decrypt(0, heap.slice(16, 8192), heap.slice(0, 8192)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("overlap");
        }
    }

    @Test
    void closedEngine_refusesWork() {
        XtsEngine engine;
        try (SecretBytes key = randomKey(new Random(5))) {
            engine = factory().create(key);
        }
        byte[] buf = new byte[4096];
        engine.encrypt(0, buf, 0, 4096);
        engine.close();
        engine.close();
        assertThatThrownBy(() -> engine.encrypt(0, buf, 0, 4096)).isInstanceOf(IllegalStateException.class);
    }

    static SecretBytes randomKey(Random rnd) {
        byte[] k = new byte[64];
        rnd.nextBytes(k);
        return SecretBytes.adopt(k);
    }
}
