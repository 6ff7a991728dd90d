package io.kekvault.esxi.bench;

import io.kekvault.esxi.crypto.XtsEngine;
import io.kekvault.esxi.crypto.XtsEngineFactory;
import io.kekvault.esxi.crypto.XtsEngines;
import io.kekvault.esxi.crypto.XtsKeys;
import io.kekvault.esxi.disk.DiskTransformer;
import io.kekvault.esxi.disk.TransformResult;
import io.kekvault.secret.SecretBytes;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Benchmark of the XTS engines and of whole-file disk encryption (not a test: it asserts
 * nothing). Prints, for each engine, the single-thread throughput of XTS-AES-256 over 4096-byte
 * data units (one call per unit on one in-cache buffer, like {@code openssl speed}) with its ratio
 * to {@code openssl speed -evp aes-256-xts -bytes 4096} measured in the same run; then the
 * throughput of encrypting a whole file with 1 and 2 crypto workers and its ratio to the
 * single-thread engine rate.
 *
 * <p>Called by {@code ./kekvault bench xts} through {@link #run(PrintStream, Options)}, or run
 * alone through {@link #main(String[])} with the same options.
 */
public final class XtsBench {
    private static final Pattern OPENSSL_LINE =
            Pattern.compile("(?i)^aes-256-xts\\s+(?:\\S+\\s+){0,8}?([0-9.]+)k\\s*$");

    private XtsBench() {
    }

    /**
     * Benchmark options.
     *
     * @param engines       engine names to measure ({@code openssl}, {@code jce})
     * @param warmups       warm-up iterations per engine
     * @param iterations    measured iterations per engine
     * @param iterationMillis length of one iteration
     * @param openssl       also run {@code openssl speed}
     * @param opensslSeconds seconds given to {@code openssl speed}
     * @param fileBytes     size of the file for the full-file benchmark (0 skips it)
     * @param workerCounts  worker counts for the full-file benchmark
     * @param tempDir       where the file goes ({@code null}: a new temporary directory)
     */
    public record Options(List<String> engines, int warmups, int iterations, long iterationMillis, boolean openssl,
                          int opensslSeconds, long fileBytes, List<Integer> workerCounts, Path tempDir) {

        public static Options defaults() {
            return new Options(List.of("openssl", "jce"), 2, 5, 1000, true, 1, 1L << 30, List.of(1, 2), null);
        }

        /** Parses {@code --engines=a,b --warmups=N --iterations=N --iteration-ms=N --no-openssl
         *  --openssl-seconds=N --file-size=SIZE (e.g. 1g, 256m, 0) --workers=1,2 --dir=PATH}. */
        public static Options parse(String... args) {
            Options o = defaults();
            for (String a : args) {
                String[] kv = a.split("=", 2);
                String v = kv.length > 1 ? kv[1] : "";
                o = switch (kv[0]) {
                    case "--engines" -> new Options(List.of(v.split(",")), o.warmups, o.iterations, o.iterationMillis,
                            o.openssl, o.opensslSeconds, o.fileBytes, o.workerCounts, o.tempDir);
                    case "--warmups" -> new Options(o.engines, Integer.parseInt(v), o.iterations, o.iterationMillis,
                            o.openssl, o.opensslSeconds, o.fileBytes, o.workerCounts, o.tempDir);
                    case "--iterations" -> new Options(o.engines, o.warmups, Integer.parseInt(v), o.iterationMillis,
                            o.openssl, o.opensslSeconds, o.fileBytes, o.workerCounts, o.tempDir);
                    case "--iteration-ms" -> new Options(o.engines, o.warmups, o.iterations, Long.parseLong(v),
                            o.openssl, o.opensslSeconds, o.fileBytes, o.workerCounts, o.tempDir);
                    case "--no-openssl" -> new Options(o.engines, o.warmups, o.iterations, o.iterationMillis,
                            false, o.opensslSeconds, o.fileBytes, o.workerCounts, o.tempDir);
                    case "--openssl-seconds" -> new Options(o.engines, o.warmups, o.iterations, o.iterationMillis,
                            o.openssl, Integer.parseInt(v), o.fileBytes, o.workerCounts, o.tempDir);
                    case "--file-size" -> new Options(o.engines, o.warmups, o.iterations, o.iterationMillis,
                            o.openssl, o.opensslSeconds, parseSize(v), o.workerCounts, o.tempDir);
                    case "--workers" -> new Options(o.engines, o.warmups, o.iterations, o.iterationMillis,
                            o.openssl, o.opensslSeconds, o.fileBytes,
                            java.util.Arrays.stream(v.split(",")).map(Integer::valueOf).toList(), o.tempDir);
                    case "--dir" -> new Options(o.engines, o.warmups, o.iterations, o.iterationMillis,
                            o.openssl, o.opensslSeconds, o.fileBytes, o.workerCounts, Path.of(v));
                    default -> throw new IllegalArgumentException("unknown option " + a
                            + " (--engines= --warmups= --iterations= --iteration-ms= --no-openssl --openssl-seconds="
                            + " --file-size= --workers= --dir=)");
                };
            }
            if (o.fileBytes % XtsEngine.DISK_DATA_UNIT != 0) {
                throw new IllegalArgumentException("--file-size must be a multiple of 4096");
            }
            return o;
        }

        static long parseSize(String v) {
            String s = v.strip().toLowerCase(Locale.ROOT);
            long mult = 1;
            if (s.endsWith("g")) {
                mult = 1L << 30;
            } else if (s.endsWith("m")) {
                mult = 1L << 20;
            } else if (s.endsWith("k")) {
                mult = 1L << 10;
            }
            if (mult != 1) {
                s = s.substring(0, s.length() - 1);
            }
            return Long.parseLong(s) * mult;
        }
    }

    /** One engine's single-thread result. */
    public record EngineResult(String engine, String description, double meanGbps, double stddevGbps,
                               double minGbps, double maxGbps, double wallGbps) {
    }

    /** One full-file run. */
    public record FileResult(int workers, long bytes, double totalGbps, double pipelineGbps, double gbPerCpuSecond) {
    }

    /** Everything measured; {@code opensslGbps} is empty when openssl speed was skipped or failed. */
    public record Report(List<EngineResult> engines, Optional<Double> opensslGbps, List<FileResult> files,
                         String fileEngine) {
    }

    public static void main(String[] args) throws Exception {
        run(System.out, Options.parse(args));
    }

    /** Runs the benchmark, printing a human-readable report to {@code out}, and returns the numbers. */
    public static Report run(PrintStream out, Options opts) throws IOException, InterruptedException {
        out.printf(Locale.ROOT, "XTS-AES-256 benchmark: 4096-byte data units, one thread; %d warm-up + %d x %d ms iterations%n",
                opts.warmups(), opts.iterations(), opts.iterationMillis());
        out.printf(Locale.ROOT, "cpus=%d java=%s%n", Runtime.getRuntime().availableProcessors(), Runtime.version());

        List<XtsEngineFactory> factories = new ArrayList<>();
        for (String name : opts.engines()) {
            try {
                factories.add(XtsEngines.byName(name));
            } catch (UnsupportedOperationException e) {
                out.printf(Locale.ROOT, "%-8s unavailable: %s%n", name, e.getMessage());
            }
        }
        // Rounds interleave the engines and openssl speed, so load from other processes on a
        // shared machine hits all of them alike and the ratios stay meaningful.
        SecureRandom rnd = new SecureRandom();
        byte[] buf = new byte[XtsEngine.DISK_DATA_UNIT];
        rnd.nextBytes(buf);
        List<SecretBytes> keys = new ArrayList<>();
        List<XtsEngine> engines = new ArrayList<>();
        double[][] gbps = new double[factories.size()][opts.iterations()];
        double[][] wall = new double[factories.size()][opts.iterations()];
        double[] ossl = new double[opts.iterations()];
        boolean opensslOk = opts.openssl();
        try {
            for (XtsEngineFactory f : factories) {
                SecretBytes key = XtsKeys.generate(rnd);
                keys.add(key);
                engines.add(f.create(key));
            }
            for (int round = 0; round < opts.warmups() + opts.iterations(); round++) {
                boolean measured = round >= opts.warmups();
                for (int e = 0; e < engines.size(); e++) {
                    double[] v = measureOnce(engines.get(e), buf, opts.iterationMillis());
                    if (measured) {
                        gbps[e][round - opts.warmups()] = v[0];
                        wall[e][round - opts.warmups()] = v[1];
                    }
                }
                if (measured && opensslOk) {
                    Optional<Double> o = opensslSpeed(out, opts.opensslSeconds());
                    if (o.isPresent()) {
                        ossl[round - opts.warmups()] = o.get();
                    } else {
                        opensslOk = false;
                    }
                }
            }
        } finally {
            engines.forEach(XtsEngine::close);
            keys.forEach(SecretBytes::close);
        }
        List<EngineResult> results = new ArrayList<>();
        for (int e = 0; e < factories.size(); e++) {
            double[] g = gbps[e];
            results.add(new EngineResult(factories.get(e).name(), factories.get(e).description(), mean(g), stddev(g),
                    min(g), max(g), mean(wall[e])));
        }
        Optional<Double> openssl = opensslOk ? Optional.of(mean(ossl)) : Optional.empty();

        out.println();
        out.println("GB/s = 10^9 bytes per second of thread CPU time (openssl speed divides by user CPU time);"
                + " wall = per second of wall-clock time");
        out.printf(Locale.ROOT, "%-8s %8s %7s %7s %7s %8s %8s  %s%n", "engine", "GB/s", "+-sd", "min", "max", "wall",
                "vs-ossl", "implementation");
        for (EngineResult r : results) {
            String ratio = openssl.map(o -> String.format(Locale.ROOT, "%.2fx", r.meanGbps() / o)).orElse("n/a");
            out.printf(Locale.ROOT, "%-8s %8.3f %7.3f %7.3f %7.3f %8.3f %8s  %s%n", r.engine(), r.meanGbps(),
                    r.stddevGbps(), r.minGbps(), r.maxGbps(), r.wallGbps(), ratio, r.description());
        }
        if (opensslOk) {
            out.printf(Locale.ROOT, "%-8s %8.3f %7.3f %7.3f %7.3f %8s %8s  %s%n", "ossl-cli", mean(ossl), stddev(ossl),
                    min(ossl), max(ossl), "", "1.00x", "openssl speed -seconds " + opts.opensslSeconds()
                            + " -evp aes-256-xts -bytes 4096");
        }

        List<FileResult> files = new ArrayList<>();
        String fileEngine = XtsEngines.best().name();
        if (opts.fileBytes() > 0) {
            double engineRate = results.stream().filter(r -> r.engine().equals(fileEngine)).findFirst()
                    .map(EngineResult::meanGbps).orElse(Double.NaN);
            files = fileBench(out, opts, engineRate);
        }
        return new Report(results, openssl, files, fileEngine);
    }

    /**
     * One iteration: encrypt one 4096-byte buffer in place, unit after unit, for {@code millis} of
     * wall time. Returns {cpu-time rate, wall-time rate} in GB/s: the first divides by the
     * thread's CPU time, as {@code openssl speed} divides by user CPU time (without
     * {@code -elapsed}), so both stay comparable when other processes share the cores.
     */
    private static double[] measureOnce(XtsEngine engine, byte[] buf, long millis) {
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        long unit = 0;
        long calls = 0;
        long cpu0 = mx.getCurrentThreadCpuTime();
        long start = System.nanoTime();
        long deadline = start + TimeUnit.MILLISECONDS.toNanos(millis);
        long now;
        do {
            for (int k = 0; k < 256; k++) {
                engine.encrypt(unit++, buf, 0, buf.length);
            }
            calls += 256;
            now = System.nanoTime();
        } while (now < deadline);
        long cpu = mx.getCurrentThreadCpuTime() - cpu0;
        double bytes = calls * (double) buf.length;
        return new double[] {bytes / cpu, bytes / (now - start)};
    }

    /** Runs openssl speed and returns its 4096-byte figure in GB/s (it prints 1000s of bytes per second). */
    static Optional<Double> opensslSpeed(PrintStream out, int seconds) throws InterruptedException {
        List<String> cmd = List.of("openssl", "speed", "-seconds", String.valueOf(seconds), "-evp", "aes-256-xts",
                "-bytes", "4096");
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            p.getOutputStream().close();
            List<String> lines = new ArrayList<>();
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String l;
                while ((l = r.readLine()) != null) {
                    lines.add(l);
                }
            }
            int rc = p.waitFor();
            Optional<Double> v = parseOpensslSpeed(lines);
            if (rc != 0 || v.isEmpty()) {
                out.printf(Locale.ROOT, "openssl speed failed (exit %d): %s%n", rc, String.join(" | ", lines));
            }
            return v;
        } catch (IOException e) {
            out.println("openssl speed could not run: " + e.getMessage() + " (install the openssl package)");
            return Optional.empty();
        }
    }

    /** The GB/s of the last {@code aes-256-xts} result line of {@code openssl speed} output. */
    public static Optional<Double> parseOpensslSpeed(List<String> lines) {
        Optional<Double> v = Optional.empty();
        for (String l : lines) {
            Matcher m = OPENSSL_LINE.matcher(l.strip());
            if (m.matches()) {
                v = Optional.of(Double.parseDouble(m.group(1)) * 1000.0 / 1e9);
            }
        }
        return v;
    }

    private static List<FileResult> fileBench(PrintStream out, Options opts, double engineRate) throws IOException {
        Path dir = opts.tempDir() != null ? Files.createDirectories(opts.tempDir())
                : Files.createTempDirectory("kekvault-xts-bench");
        Path file = dir.resolve("bench-flat.vmdk");
        List<FileResult> results = new ArrayList<>();
        XtsEngineFactory f = XtsEngines.best();
        out.println();
        out.printf(Locale.ROOT, "full-file encryption: %d MiB in %s, engine %s (plaintext -> XTS, temp file, fsync, rename);"
                + " ratios to the engine's single-thread rate above%n", opts.fileBytes() >> 20, dir, f.name());
        try {
            fill(file, opts.fileBytes());
            SecureRandom rnd = new SecureRandom();
            // Warm-up round (JIT, and the page cache's first use of fresh memory), not reported.
            try (SecretBytes key = XtsKeys.generate(rnd)) {
                DiskTransformer t = new DiskTransformer(f, 2, chunkBytes());
                t.encrypt(file, key, null);
                t.decrypt(file, key, null);
            } catch (io.kekvault.kmip.error.KmsException e) {
                throw new IOException(e);
            }
            for (int workers : opts.workerCounts()) {
                try (SecretBytes key = XtsKeys.generate(rnd)) {
                    DiskTransformer t = new DiskTransformer(f, workers, chunkBytes());
                    long cpu0 = processCpuNanos();
                    TransformResult enc = t.encrypt(file, key, null);
                    long cpu = processCpuNanos() - cpu0;
                    // Back to plaintext so every run starts from the same form; only the encrypt is reported.
                    t.decrypt(file, key, null);
                    double total = enc.bytes() / (double) enc.totalNanos();
                    double pipe = enc.bytes() / (double) enc.pipelineNanos();
                    double perCpu = cpu > 0 ? enc.bytes() / (double) cpu : Double.NaN;
                    results.add(new FileResult(workers, enc.bytes(), total, pipe, perCpu));
                    out.printf(Locale.ROOT,
                            "workers=%d  %6.3f GB/s end-to-end incl. fsync (%.2fx engine)  %6.3f GB/s read+encrypt+write"
                                    + " (%.2fx engine)  %6.3f GB per CPU-second (all threads, kernel I/O included)%n",
                            workers, total, total / engineRate, pipe, pipe / engineRate, perCpu);
                } catch (io.kekvault.kmip.error.KmsException e) {
                    throw new IOException(e);
                }
            }
            if (results.size() >= 2) {
                out.printf(Locale.ROOT, "speed-up from %d to %d workers: %.2fx (pipeline), %.2fx (end-to-end)%n",
                        results.get(0).workers(), results.get(1).workers(),
                        results.get(1).pipelineGbps() / results.get(0).pipelineGbps(),
                        results.get(1).totalGbps() / results.get(0).totalGbps());
            }
        } finally {
            Files.deleteIfExists(file);
            if (opts.tempDir() == null) {
                Files.deleteIfExists(dir);
            }
        }
        return results;
    }

    /** CPU time of the whole process, user and system (so kernel copies for file I/O count). */
    private static long processCpuNanos() {
        if (java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return -1;
    }

    private static int chunkBytes() {
        return Integer.getInteger("kekvault.bench.chunk", DiskTransformer.DEFAULT_CHUNK_BYTES);
    }

    private static void fill(Path file, long bytes) throws IOException {
        SplittableRandom rnd = new SplittableRandom(1);
        ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            long pos = 0;
            while (pos < bytes) {
                buf.clear();
                while (buf.hasRemaining()) {
                    buf.putLong(rnd.nextLong());
                }
                buf.flip().limit((int) Math.min(buf.capacity(), bytes - pos));
                while (buf.hasRemaining()) {
                    pos += ch.write(buf, pos);
                }
            }
            ch.force(true);
        }
    }

    private static double mean(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return s / v.length;
    }

    private static double stddev(double[] v) {
        if (v.length < 2) {
            return 0;
        }
        double m = mean(v);
        double s = 0;
        for (double x : v) {
            s += (x - m) * (x - m);
        }
        return Math.sqrt(s / (v.length - 1));
    }

    private static double min(double[] v) {
        double m = Double.MAX_VALUE;
        for (double x : v) {
            m = Math.min(m, x);
        }
        return m;
    }

    private static double max(double[] v) {
        double m = 0;
        for (double x : v) {
            m = Math.max(m, x);
        }
        return m;
    }
}
