package io.kekvault.app.bench;

import io.kekvault.kms.dev.DevEnvironment;
import io.kekvault.kms.vault.CipherParams;
import io.kekvault.kms.vault.KeySpec;
import io.kekvault.kms.vault.KeyVault;
import io.kekvault.kms.vault.KeyVaults;
import io.kekvault.kms.vault.PinSource;
import io.kekvault.kms.vault.VaultConfig;
import io.kekvault.kms.vault.softhsm.SoftHsm;
import io.kekvault.secret.SecretBytes;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The in-process vault rate that the network benchmarks compare against, sampled around every
 * point. On this shared VM the same in-process loop measured anywhere from 25,000 to 68,000
 * wraps/s from one minute to the next, so one sample at the end of a run made every ratio a
 * lottery; pairing each point with the samples just before and after it compares like with like.
 * Runs in the benchmark's JVM on the node's token (SoftHSM2 state is per process), while the node
 * is idle between points.
 */
final class InProcessReference implements AutoCloseable {

    /** What one in-process call does. */
    enum Call { WRAP, ENCRYPT }

    private final KeyVault vault;
    private final String keyId;
    private final SecretBytes dek;
    private final byte[] aad = "bench".getBytes(StandardCharsets.UTF_8);
    private final CipherParams gcm = new CipherParams(CipherParams.CipherMode.GCM, null, null, 128, null);
    private final List<Double> samples = new ArrayList<>();

    private InProcessReference(KeyVault vault, String keyId, SecretBytes dek) {
        this.vault = vault;
        this.keyId = keyId;
        this.dek = dek;
    }

    /** Opens the dev node's token in this process and makes one KEK for the samples. */
    static InProcessReference open(Path devDir) throws Exception {
        SoftHsm.useConfig(devDir.resolve("softhsm2.conf"));
        VaultConfig cfg = new VaultConfig(KeyVaults.PKCS11, SoftHsm.MODULE, DevEnvironment.TOKEN_LABEL,
                new PinSource.File(devDir.resolve("token-pin")), 4, Map.of());
        KeyVault vault = KeyVaults.open(cfg);
        String id = UUID.randomUUID().toString();
        vault.generate(id, KeySpec.kek());
        return new InProcessReference(vault, id, SecretBytes.random(32, new SecureRandom()));
    }

    /** Calls per second of {@code call} on {@code threads} threads for {@code seconds}; recorded. */
    private double sample(Call call, int threads, double seconds) throws InterruptedException {
        double rate = run(call, threads, seconds);
        samples.add(rate);
        return rate;
    }

    /** What a benchmark point measures. */
    @FunctionalInterface
    interface Measurement<T> {
        T run() throws Exception;
    }

    /** A point's result and the mean of the in-process samples just before and just after it. */
    record Paired<T>(T result, double reference) {
    }

    /** Points measured one after another with {@code call} on {@code threads} threads. */
    Series series(Call call, int threads, double seconds) {
        return new Series(call, threads, seconds);
    }

    /**
     * Points measured one after another, each between two in-process samples; the sample after
     * one point is the sample before the next, since nothing runs in between.
     */
    final class Series {
        private final Call call;
        private final int threads;
        private final double seconds;
        private double last = Double.NaN;

        private Series(Call call, int threads, double seconds) {
            this.call = call;
            this.threads = threads;
            this.seconds = seconds;
        }

        <T> Paired<T> around(Measurement<T> point) throws Exception {
            double before = Double.isNaN(last) ? sample(call, threads, seconds) : last;
            T result = point.run();
            last = sample(call, threads, seconds);
            return new Paired<>(result, (before + last) / 2);
        }
    }

    /** Runs the loop without recording it, so the JIT has compiled it before the first sample. */
    void warmUp(Call call, int threads, double seconds) throws InterruptedException {
        run(call, threads, seconds);
    }

    private double run(Call call, int threads, double seconds) throws InterruptedException {
        AtomicLong n = new AtomicLong();
        List<Thread> ts = new ArrayList<>();
        long t0 = System.nanoTime();
        long end = t0 + (long) (seconds * 1e9);
        for (int t = 0; t < threads; t++) {
            ts.add(Thread.ofPlatform().start(() -> {
                try {
                    while (System.nanoTime() < end) {
                        if (call == Call.WRAP) {
                            vault.wrap(keyId, dek, aad);
                        } else {
                            vault.encrypt(keyId, gcm, dek.expose());
                        }
                        n.incrementAndGet();
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        for (Thread t : ts) {
            t.join();
        }
        return n.get() / ((System.nanoTime() - t0) / 1e9);
    }

    /** Every recorded sample, in order. */
    List<Double> samples() {
        return List.copyOf(samples);
    }

    static double median(List<Double> values) {
        double[] s = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        if (s.length == 0) {
            return Double.NaN;
        }
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    static String describe(List<Double> values) {
        double[] s = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        if (s.length == 0) {
            return "no samples";
        }
        return String.format(Locale.ROOT, "%d samples, min %,.0f, median %,.0f, max %,.0f", s.length, s[0], median(values),
                s[s.length - 1]);
    }

    @Override
    public void close() {
        try {
            vault.destroy(keyId);
        } catch (Exception e) {
            // the token is a benchmark's throw-away; a key left on it does no harm
        } finally {
            dek.close();
            vault.close();
        }
    }
}
