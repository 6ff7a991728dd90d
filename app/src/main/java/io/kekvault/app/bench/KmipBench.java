package io.kekvault.app.bench;

import io.kekvault.kmip.client.ConnectionMode;
import io.kekvault.kmip.client.KmipClient;
import io.kekvault.kmip.client.KmipClientConfig;
import io.kekvault.kmip.client.KmipEndpoint;
import io.kekvault.kmip.message.CryptographicParameters;
import io.kekvault.kmip.message.ProtocolVersion;
import io.kekvault.pki.Identity;
import io.kekvault.pki.PkiDirectory;
import io.kekvault.pki.tls.TlsContext;
import io.kekvault.pki.tls.TlsMaterial;
import io.kekvault.kmip.error.KmsException;
import io.kekvault.kmip.message.RequestBatchItem;
import io.kekvault.kmip.message.RequestMessage;
import io.kekvault.kmip.message.ResponseBatchItem;
import io.kekvault.kmip.message.ResponseHeader;
import io.kekvault.kmip.message.ResponseMessage;
import io.kekvault.kmip.ttlv.Tag;
import io.kekvault.kmip.ttlv.TtlvEncoder;
import io.kekvault.kmip.ttlv.TtlvItem;
import io.kekvault.kmip.ttlv.TtlvLimits;
import io.kekvault.kmip.ttlv.TtlvStreamReader;
import io.kekvault.kmip.ttlv.TtlvStructure;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLServerSocket;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * KMIP load in one run, on one machine: the Kekvault KMS (dev node in its own process) and
 * PyKMIP's {@code pykmip-server} (same certificates), each driven by the project's KMIP client
 * over mutual TLS: Encrypt of a 32-byte DEK (AES-256-GCM, server-chosen IV) on 1 and 16
 * persistent connections, and Create on a new TLS connection per request (as vCenter does). Next
 * to them, the in-process vault rate of the same Encrypt on the same SoftHSM2 token.
 */
public final class KmipBench {

    public record Options(int seconds, int warmupSeconds, List<Integer> connections, int createThreads, Path dir,
                          boolean pykmip) {
    }

    /** One point; {@code reference} is the in-process Encrypt rate paired with it (NaN when not compared). */
    record Row(String server, String op, int connections, double opsPerSecond, double p50ms, double p99ms, long errors,
               double reference) {
        Row withReference(double r) {
            return new Row(server, op, connections, opsPerSecond, p50ms, p99ms, errors, r);
        }
    }

    public static void run(Options o) throws Exception {
        Path dir = o.dir() != null ? o.dir() : Files.createTempDirectory("kekvault-bench-kmip-");
        System.out.println("bench kmip: work directory " + dir);
        System.out.println("load before: " + loadAverage());
        Files.createDirectories(dir.resolve("kms"));
        Process kms = DevNode.start(dir.resolve("kms"), dir.resolve("kms.log"));
        List<Row> rows = new ArrayList<>();
        List<Double> samples;
        try {
            int kmipPort = DevNode.readyPort(kms, "kmip=127\\.0\\.0\\.1:(\\d+)", dir.resolve("kms.log"));
            try (InProcessReference ref = InProcessReference.open(dir.resolve("kms"))) {
                ref.warmUp(InProcessReference.Call.ENCRYPT, 2, 3);
                rows.addAll(measure("kekvault", new KmipEndpoint("127.0.0.1", kmipPort), dir.resolve("kms/pki"), "kmip-client", o,
                        ref));
                try (FloorServer floor = new FloorServer(dir.resolve("kms/pki"))) {
                    rows.add(measureFloor(floor, dir.resolve("kms/pki"), o, ref));
                }
                samples = ref.samples();
            }
        } finally {
            kms.destroy();
            kms.waitFor(60, TimeUnit.SECONDS);
        }
        if (o.pykmip()) {
            try (PyKmip py = PyKmip.start(dir.resolve("pykmip"), dir.resolve("kms/pki"))) {
                rows.addAll(measure("pykmip-server", new KmipEndpoint("127.0.0.1", py.port), dir.resolve("kms/pki"), "kmip-client", o,
                        null));
            }
        }
        System.out.println("load after: " + loadAverage());
        print(rows, samples);
        printFloor(rows);
    }

    // ------------------------------------------------------------------ servers

    /** PyKMIP's server on a free loopback port with the KMS's certificates and its own SQLite file. */
    static final class PyKmip implements AutoCloseable {
        final int port;
        private final Process process;

        private PyKmip(int port, Process process) {
            this.port = port;
            this.process = process;
        }

        static PyKmip start(Path dir, Path pki) throws Exception {
            if (!Files.isExecutable(Path.of("/usr/bin/pykmip-server"))) {
                throw new IllegalStateException("pykmip-server is missing: apt-get install python3-pykmip (or run with --no-pykmip)");
            }
            Files.createDirectories(dir.resolve("policies"));
            int port;
            try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
                port = s.getLocalPort();
            }
            Path conf = dir.resolve("server.conf");
            Files.writeString(conf, String.join("\n", "[server]", "hostname=127.0.0.1", "port=" + port,
                    "certificate_path=" + pki.resolve("server.pem"), "key_path=" + pki.resolve("server.key"),
                    "ca_path=" + pki.resolve("ca.pem"), "auth_suite=TLS1.2", "policy_path=" + dir.resolve("policies"),
                    "enable_tls_client_auth=True", "logging_level=WARNING", "database_path=" + dir.resolve("pykmip.db"), ""));
            Process p = new ProcessBuilder("/usr/bin/python3", "/usr/bin/pykmip-server", "-f", conf.toString(), "-l",
                    dir.resolve("server.log").toString()).redirectErrorStream(true).redirectOutput(dir.resolve("server.out").toFile())
                    .start();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (System.nanoTime() < deadline) {
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                    return new PyKmip(port, p);
                } catch (IOException notYet) {
                    if (p.waitFor(100, TimeUnit.MILLISECONDS)) {
                        throw new IllegalStateException("pykmip-server exited: " + Files.readString(dir.resolve("server.out")));
                    }
                }
            }
            p.destroyForcibly();
            throw new IllegalStateException("pykmip-server did not listen within 60 s");
        }

        @Override
        public void close() throws InterruptedException {
            List<ProcessHandle> children = process.descendants().toList();
            process.destroy();
            children.forEach(ProcessHandle::destroy);
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    // ------------------------------------------------------------------ floor

    /**
     * Bare KMIP over TLS on this machine, to bound what any KMIP server can reach here: like the
     * KMS's listener, a virtual thread per connection reads each message and decodes it, then
     * answers every batch item with an Encrypt response of the real shape (Unique Identifier, 32
     * bytes of data, IV, tag) under the request's batch item id. No vault, access check or audit.
     */
    static final class FloorServer implements AutoCloseable {
        final int port;
        private final SSLServerSocket server;
        private volatile boolean stopping;

        FloorServer(Path pki) throws Exception {
            server = TlsContext.server(TlsMaterial.server(new PkiDirectory(pki)))
                    .serverSocket(InetAddress.getLoopbackAddress(), 0, 256);
            port = server.getLocalPort();
            Thread.ofPlatform().name("floor-accept").daemon(true).start(this::accept);
        }

        private void accept() {
            while (!stopping) {
                try {
                    Socket s = server.accept();
                    Thread.ofVirtual().name("floor-conn").start(() -> serve(s));
                } catch (IOException e) {
                    if (stopping) {
                        return;
                    }
                }
            }
        }

        private static void serve(Socket s) {
            byte[] data = new byte[32];
            byte[] iv = new byte[12];
            byte[] tag = new byte[16];
            try (s) {
                s.setTcpNoDelay(true);
                TtlvStreamReader reader = new TtlvStreamReader(s.getInputStream(), TtlvLimits.DEFAULT);
                OutputStream out = s.getOutputStream();
                for (Optional<TtlvItem> m; (m = reader.readMessage()).isPresent(); ) {
                    RequestMessage req = RequestMessage.fromTtlv(m.get());
                    List<ResponseBatchItem> items = new ArrayList<>();
                    for (RequestBatchItem item : req.batchItems()) {
                        TtlvStructure payload = TtlvStructure.builder(Tag.RESPONSE_PAYLOAD)
                                .text(Tag.UNIQUE_IDENTIFIER, item.payloadOrEmpty().text(Tag.UNIQUE_IDENTIFIER))
                                .bytes(Tag.DATA, data).bytes(Tag.IV_COUNTER_NONCE, iv)
                                .bytes(Tag.AUTHENTICATED_ENCRYPTION_TAG, tag).build();
                        items.add(ResponseBatchItem.success(item.operation(), item.uniqueBatchItemId(), payload));
                    }
                    ResponseMessage resp = new ResponseMessage(ResponseHeader.of(req.header().protocolVersion(), Instant.now()), items);
                    out.write(TtlvEncoder.encode(resp.toTtlv()));
                    out.flush();
                }
            } catch (IOException | KmsException e) {
                // the client hung up, or sent something this stand-in does not answer: the connection ends
            }
        }

        @Override
        public void close() throws IOException {
            stopping = true;
            server.close();
        }
    }

    private static Row measureFloor(FloorServer floor, Path pki, Options o, InProcessReference ref) throws Exception {
        TlsContext tls = TlsContext.client(TlsMaterial.client(new PkiDirectory(pki), Identity.parse("kmip-client")));
        int c = o.connections().stream().mapToInt(Integer::intValue).max().orElse(1);
        byte[] dek = new byte[32];
        String keyId = UUID.randomUUID().toString();
        try (KmipClient client = client(tls, new KmipEndpoint("127.0.0.1", floor.port), ConnectionMode.POOLED, c)) {
            return paired(ref, Math.min(c, 2), o,
                    () -> load("floor", "Encrypt 32 B", c, o, () -> client.encrypt(keyId, dek, CryptographicParameters.aesGcm(), null, null)));
        }
    }

    // ------------------------------------------------------------------ KMIP load

    /**
     * Encrypt on each connection count, then Create on new connections. With {@code ref}, each
     * Encrypt point is paired with in-process samples (as many threads as connections, at most
     * two: the cores) taken just before and after it.
     */
    private static List<Row> measure(String server, KmipEndpoint ep, Path pki, String identity, Options o,
                                     InProcessReference ref) throws Exception {
        TlsContext tls = TlsContext.client(TlsMaterial.client(new PkiDirectory(pki), Identity.parse(identity)));
        List<Row> rows = new ArrayList<>();
        int maxConnections = o.connections().stream().mapToInt(Integer::intValue).max().orElse(1);
        try (KmipClient setup = client(tls, ep, ConnectionMode.POOLED, 1)) {
            String keyId = setup.createAes256(List.of());
            setup.activate(keyId);
            byte[] dek = new byte[32];
            new SecureRandom().nextBytes(dek);
            for (int c : o.connections()) {
                try (KmipClient client = client(tls, ep, ConnectionMode.POOLED, Math.max(c, maxConnections))) {
                    rows.add(paired(ref, Math.min(c, 2), o, () -> load(server, "Encrypt 32 B", c, o,
                            () -> client.encrypt(keyId, dek, CryptographicParameters.aesGcm(), null, null))));
                }
            }
        }
        try (KmipClient perRequest = client(tls, ep, ConnectionMode.PER_REQUEST, 1)) {
            rows.add(load(server, "Create, new connection", o.createThreads(), o, () -> perRequest.createAes256(List.of())));
        }
        return rows;
    }

    private static Row paired(InProcessReference ref, int threads, Options o, InProcessReference.Measurement<Row> point)
            throws Exception {
        if (ref == null) {
            return point.run();
        }
        InProcessReference.Paired<Row> around = ref.series(InProcessReference.Call.ENCRYPT, threads, o.seconds()).around(point);
        Row p = around.result().withReference(around.reference());
        System.out.printf(Locale.ROOT, "    in-process around it (%d thread%s) %,.0f/s%s%n", threads, threads == 1 ? "" : "s",
                p.reference(), p.server().equals("floor") ? "" : String.format(Locale.ROOT, " -> %.2f", p.opsPerSecond() / p.reference()));
        return p;
    }

    private static KmipClient client(TlsContext tls, KmipEndpoint ep, ConnectionMode mode, int pool) {
        return new KmipClient(KmipClientConfig.builder(tls.sslContext()).endpoint(ep).protocolVersion(ProtocolVersion.V1_4)
                .connectionMode(mode).poolSize(pool).idleTimeout(Duration.ofSeconds(30)).readTimeout(Duration.ofSeconds(60)).build());
    }

    @FunctionalInterface
    interface Call {
        Object call() throws Exception;
    }

    /** {@code threads} loops of {@code call}: warm-up, then the measured window, with latency percentiles. */
    private static Row load(String server, String op, int threads, Options o, Call call) throws Exception {
        Histogram hist = new ConcurrentHistogram(TimeUnit.SECONDS.toNanos(60), 3);
        AtomicLong done = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        AtomicBoolean measuring = new AtomicBoolean();
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> ts = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            ts.add(Thread.ofPlatform().start(() -> {
                while (!stop.get()) {
                    long start = System.nanoTime();
                    try {
                        call.call();
                        if (measuring.get()) {
                            hist.recordValue(Math.min(System.nanoTime() - start, TimeUnit.SECONDS.toNanos(60)));
                            done.incrementAndGet();
                        }
                    } catch (Exception e) {
                        if (measuring.get() && errors.getAndIncrement() == 0) {
                            System.out.println("  first error (" + server + " " + op + "): " + e);
                        }
                    }
                }
            }));
        }
        Thread.sleep(o.warmupSeconds() * 1000L); // benchmark warm-up window
        measuring.set(true);
        long t0 = System.nanoTime();
        Thread.sleep(o.seconds() * 1000L);
        long n = done.get();
        double secs = (System.nanoTime() - t0) / 1e9;
        measuring.set(false);
        stop.set(true);
        for (Thread t : ts) {
            t.join(120_000);
        }
        Row r = new Row(server, op, threads, n / secs, hist.getValueAtPercentile(50) / 1e6, hist.getValueAtPercentile(99) / 1e6,
                errors.get(), Double.NaN);
        System.out.printf(Locale.ROOT, "  %-14s %-24s c=%-3d %,10.0f ops/s  p50 %7.2f ms  p99 %7.2f ms  errors %d%n",
                server, op, threads, r.opsPerSecond(), r.p50ms(), r.p99ms(), r.errors());
        return r;
    }

    private static void print(List<Row> rows, List<Double> samples) {
        System.out.println();
        System.out.printf(Locale.ROOT, "In-process vault Encrypt, same token, same run, sampled before and after every Kekvault Encrypt"
                + " point (1 thread for 1 connection, 2 otherwise): %s/s%n%n", InProcessReference.describe(samples));
        System.out.println("| server | operation | connections | ops/s | p50 ms | p99 ms | errors | vs PyKMIP | in-process around it |"
                + " vs in-process vault |");
        System.out.println("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        for (Row r : rows) {
            String vsPy = "";
            if (r.server().equals("kekvault")) {
                for (Row p : rows) {
                    if (p.server().equals("pykmip-server") && p.op().equals(r.op()) && p.connections() == r.connections()
                            && p.opsPerSecond() > 0) {
                        double x = r.opsPerSecond() / p.opsPerSecond();
                        vsPy = String.format(Locale.ROOT, x < 10 ? "%.2f x" : "%.0f x", x);
                    }
                }
            }
            String ref = Double.isNaN(r.reference()) ? "" : String.format(Locale.ROOT, "%,.0f", r.reference());
            String vsVault = r.server().equals("kekvault") && !ref.isEmpty()
                    ? String.format(Locale.ROOT, "%.2f", r.opsPerSecond() / r.reference()) : "";
            System.out.printf(Locale.ROOT, "| %s | %s | %d | %,.0f | %.2f | %.2f | %d | %s | %s | %s |%n", r.server(), r.op(),
                    r.connections(), r.opsPerSecond(), r.p50ms(), r.p99ms(), r.errors(), vsPy, ref, vsVault);
        }
    }

    /**
     * With F requests/s of bare KMIP over TLS and V vault Encrypts/s on the same two cores, an
     * Encrypt request costs at least 1/F + 1/V seconds of the machine.
     */
    private static void printFloor(List<Row> rows) {
        for (Row r : rows) {
            if (r.server().equals("floor")) {
                double best = 1 / (1 / r.opsPerSecond() + 1 / r.reference());
                System.out.printf(Locale.ROOT, "%nFloor (same client, %d connections, a KMIP-over-TLS server that decodes each request and"
                                + " answers a canned Encrypt response; no vault, access check or audit): %,.0f ops/s, p50 %.2f ms,"
                                + " p99 %.2f ms; in-process around it %,.0f/s.%nWith one vault Encrypt per request at most %,.0f/s here"
                                + " = %.2f of the in-process rate.%n",
                        r.connections(), r.opsPerSecond(), r.p50ms(), r.p99ms(), r.reference(), best, best / r.reference());
            }
        }
    }

    static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).strip() + " (" + Runtime.getRuntime().availableProcessors() + " CPUs)";
        } catch (IOException e) {
            return "unknown";
        }
    }
}
