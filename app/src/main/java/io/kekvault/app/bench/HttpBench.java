package io.kekvault.app.bench;

import io.kekvault.pki.Identity;
import io.kekvault.pki.PkiDirectory;
import io.kekvault.pki.tls.TlsMaterial;
import io.kekvault.pki.tls.TlsPolicy;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.TrustOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * Load over HTTPS against a KMS dev node in its own process: wrap and unwrap with keep-alive
 * connections at several concurrency levels and batch sizes, with throughput and p50/p99, next to
 * the in-process vault rate measured in the same run on the same token.
 */
public final class HttpBench {

    public record Options(int seconds, int warmupSeconds, List<Integer> concurrency, List<Integer> batches, Path dir) {
    }

    /** One point; {@code reference} is the in-process rate paired with it (mean of the samples around it). */
    public record Row(String op, int concurrency, int batch, double requestsPerSecond, double deksPerSecond,
                      double p50ms, double p99ms, long errors, double reference) {
        Row withReference(double r) {
            return new Row(op, concurrency, batch, requestsPerSecond, deksPerSecond, p50ms, p99ms, errors, r);
        }

        double ratio() {
            return deksPerSecond / reference;
        }
    }

    public static void run(Options o) throws Exception {
        Path dir = o.dir() != null ? o.dir() : Files.createTempDirectory("kekvault-bench-http-");
        System.out.println("bench http: KMS dev node under " + dir);
        Path log = dir.resolveSibling(dir.getFileName() + "-kms.log");
        Process kms = DevNode.start(dir, log);
        try {
            int port = DevNode.readyPort(kms, "https://127\\.0\\.0\\.1:(\\d+)", log);
            Vertx vertx = Vertx.vertx();
            try {
                TlsMaterial admin = TlsMaterial.client(new PkiDirectory(dir.resolve("pki")), Identity.parse("admin"));
                HttpClient probe = client(vertx, admin, port, 1);
                String keyId = call(probe, "/v1/keys", new JsonObject().put("name", "bench-" + UUID.randomUUID())).getString("id");
                List<Row> rows = new ArrayList<>();
                JsonObject recorded = null;
                try (InProcessReference ref = InProcessReference.open(dir)) {
                    ref.warmUp(InProcessReference.Call.WRAP, 2, 3);
                    // The first sample can read low while the node's JIT settles after its start;
                    // it is paired only with the first point (c=1, not a target).
                    InProcessReference.Series series = ref.series(InProcessReference.Call.WRAP, 2, o.seconds());
                    for (int batch : o.batches()) {
                        JsonObject wrapBody = wrapBody(keyId, batch);
                        JsonObject wrapped = call(probe, "/v1/wrap", wrapBody);
                        if (batch == 1) {
                            recorded = wrapped;
                        }
                        JsonObject unwrapBody = unwrapBody(wrapped, batch);
                        for (int c : o.concurrency()) {
                            HttpClient http = client(vertx, admin, port, c);
                            rows.add(pair(series, () -> load(http, "wrap", "/v1/wrap", wrapBody.toBuffer(), c, batch, o)));
                            rows.add(pair(series, () -> load(http, "unwrap", "/v1/unwrap", unwrapBody.toBuffer(), c, batch, o)));
                            http.close();
                        }
                    }
                    Row floor = null;
                    Row floorWorker = null;
                    if (recorded != null) { // the floor replays the batch-1 point's answer
                        JsonObject answer = recorded;
                        floor = pair(series, () -> floorRate(vertx, dir, admin, wrapBody(keyId, 1), answer, false, o));
                        floorWorker = pair(series, () -> floorRate(vertx, dir, admin, wrapBody(keyId, 1), answer, true, o));
                    }
                    print(rows, ref.samples());
                    if (floor != null) {
                        printFloor(floor, floorWorker);
                    }
                }
            } finally {
                vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            }
        } finally {
            kms.destroy();
            kms.waitFor(60, TimeUnit.SECONDS);
        }
    }

    /**
     * The same load (c=16, one DEK per request, same client, same mutual TLS and keep-alive)
     * against a Vert.x HTTPS server that does nothing but answer each request with a wrap
     * response recorded from the node, straight from its event loop: no vault, no JSON, no
     * access check, no audit; with {@code viaWorker}, the answer is sent after an empty task on
     * a worker thread, the one hand-off a server that keeps HSM calls off the event loop cannot
     * avoid. What it reaches bounds what any Vert.x server doing real work can reach here.
     */
    private static Row floorRate(Vertx clientVertx, Path dir, TlsMaterial client, JsonObject body, JsonObject recorded,
                                 boolean viaWorker, Options o) throws Exception {
        TlsMaterial server = TlsMaterial.server(new PkiDirectory(dir.resolve("pki")));
        HttpServerOptions so = new HttpServerOptions().setSsl(true)
                .setKeyCertOptions(KeyCertOptions.wrap(server.keyManager().orElseThrow()))
                .setTrustOptions(TrustOptions.wrap(server.trustManager()))
                .setClientAuth(ClientAuth.REQUIRED)
                .setEnabledSecureTransportProtocols(new LinkedHashSet<>(TlsPolicy.PROTOCOLS));
        TlsPolicy.CIPHER_SUITES.forEach(so::addEnabledCipherSuite);
        Buffer answer = recorded.toBuffer();
        Vertx serverVertx = Vertx.vertx();
        try {
            HttpServer s = serverVertx.createHttpServer(so)
                    .requestHandler(req -> req.body()
                            .compose(b -> viaWorker ? serverVertx.executeBlocking(() -> b, false) : Future.succeededFuture(b))
                            .onComplete(ar -> req.response().putHeader("Content-Type", "application/json").end(answer)))
                    .listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            HttpClient http = client(clientVertx, client, s.actualPort(), 16);
            try {
                return load(http, viaWorker ? "floor+worker" : "floor", "/v1/wrap", body.toBuffer(), 16, 1, o);
            } finally {
                http.close();
            }
        } finally {
            serverVertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
    }

    /**
     * With F requests/s of bare HTTPS and V vault calls/s on the same two cores, a request that
     * makes one vault call costs at least 1/F + 1/V seconds of the machine.
     */
    private static void printFloor(Row floor, Row floorWorker) {
        System.out.printf(Locale.ROOT, "%nFloor (same client, mutual TLS, keep-alive, c=16, a Vert.x HTTPS server answering a recorded"
                + " wrap response; no vault, JSON, access check or audit):%n");
        for (Row r : List.of(floor, floorWorker)) {
            double best = 1 / (1 / r.requestsPerSecond() + 1 / r.reference());
            System.out.printf(Locale.ROOT, "  %-13s %,7.0f req/s p50 %.2f ms p99 %.2f ms; in-process around it %,.0f -> with one vault call"
                            + " per request at most %,.0f/s = %.2f of the in-process rate%n",
                    r.op().equals("floor") ? "event loop" : "via a worker", r.requestsPerSecond(), r.p50ms(), r.p99ms(), r.reference(),
                    best, best / r.reference());
        }
    }

    /** Measures one point between two in-process samples and says how it compares. */
    private static Row pair(InProcessReference.Series series, InProcessReference.Measurement<Row> point) throws Exception {
        InProcessReference.Paired<Row> p = series.around(point);
        Row r = p.result().withReference(p.reference());
        System.out.printf(Locale.ROOT, "    in-process around it %,.0f wraps/s%s%n", r.reference(),
                r.op().startsWith("floor") ? "" : String.format(Locale.ROOT, " -> %.2f", r.ratio()));
        return r;
    }

    private static HttpClient client(Vertx vertx, TlsMaterial m, int port, int connections) throws Exception {
        HttpClientOptions o = new HttpClientOptions()
                .setSsl(true)
                .setKeyCertOptions(KeyCertOptions.wrap(m.keyManager().orElseThrow()))
                .setTrustOptions(TrustOptions.wrap(m.trustManager()))
                .setVerifyHost(true)
                .setDefaultHost("127.0.0.1")
                .setDefaultPort(port)
                .setKeepAlive(true)
                .setEnabledSecureTransportProtocols(new LinkedHashSet<>(TlsPolicy.PROTOCOLS));
        return vertx.createHttpClient(o, new PoolOptions().setHttp1MaxSize(connections));
    }

    private static JsonObject call(HttpClient http, String path, JsonObject body) throws Exception {
        Buffer b = http.request(new RequestOptions().setMethod(HttpMethod.POST).setURI(path)
                        .putHeader("Content-Type", "application/json"))
                .compose(req -> req.send(body.toBuffer()).compose(resp -> resp.body().map(x -> {
                    if (resp.statusCode() >= 300) {
                        throw new IllegalStateException(path + " answered " + resp.statusCode() + ": " + x);
                    }
                    return x;
                })))
                .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        return b.toJsonObject();
    }

    private static JsonObject wrapBody(String keyId, int batch) {
        SecureRandom r = new SecureRandom();
        JsonObject o = new JsonObject().put("keyId", keyId);
        if (batch == 1) {
            return o.put("dek", b64(r, 32)).put("aad", Base64.getEncoder().encodeToString("bench".getBytes()));
        }
        JsonArray items = new JsonArray();
        for (int i = 0; i < batch; i++) {
            items.add(new JsonObject().put("dek", b64(r, 32)).put("aad", Base64.getEncoder().encodeToString("bench".getBytes())));
        }
        return o.put("items", items);
    }

    private static JsonObject unwrapBody(JsonObject wrapped, int batch) {
        String aad = Base64.getEncoder().encodeToString("bench".getBytes());
        if (batch == 1) {
            return new JsonObject().put("wrapped", wrapped.getString("wrapped")).put("aad", aad);
        }
        JsonArray items = new JsonArray();
        for (Object w : wrapped.getJsonArray("items")) {
            items.add(new JsonObject().put("wrapped", ((JsonObject) w).getString("wrapped")).put("aad", aad));
        }
        return new JsonObject().put("items", items);
    }

    private static String b64(SecureRandom r, int n) {
        byte[] b = new byte[n];
        r.nextBytes(b);
        return Base64.getEncoder().encodeToString(b);
    }

    /** {@code c} request loops on keep-alive connections for warm-up plus the measured time. */
    private static Row load(HttpClient http, String op, String path, Buffer body, int c, int batch, Options o)
            throws Exception {
        Histogram hist = new ConcurrentHistogram(TimeUnit.SECONDS.toNanos(30), 3);
        AtomicLong done = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        AtomicBoolean measuring = new AtomicBoolean();
        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch finished = new CountDownLatch(c);
        for (int i = 0; i < c; i++) {
            loop(http, path, body, hist, done, errors, measuring, stop, finished);
        }
        Thread.sleep(o.warmupSeconds() * 1000L); // a benchmark's warm-up period, not a test wait
        hist.reset();
        done.set(0);
        errors.set(0);
        measuring.set(true);
        long t0 = System.nanoTime();
        Thread.sleep(o.seconds() * 1000L);
        long n = done.get();
        long errs = errors.get();
        double secs = (System.nanoTime() - t0) / 1e9;
        stop.set(true);
        finished.await(60, TimeUnit.SECONDS);
        double rps = n / secs;
        Row row = new Row(op, c, batch, rps, rps * batch, hist.getValueAtPercentile(50) / 1e6,
                hist.getValueAtPercentile(99) / 1e6, errs, Double.NaN);
        System.out.printf(Locale.ROOT, "  %-6s c=%-3d batch=%-3d %,9.0f req/s %,10.0f DEKs/s p50 %6.2f ms p99 %6.2f ms errors %d%n",
                op, c, batch, row.requestsPerSecond(), row.deksPerSecond(), row.p50ms(), row.p99ms(), errs);
        return row;
    }

    private static void loop(HttpClient http, String path, Buffer body, Histogram hist, AtomicLong done, AtomicLong errors,
                             AtomicBoolean measuring, AtomicBoolean stop, CountDownLatch finished) {
        if (stop.get()) {
            finished.countDown();
            return;
        }
        long start = System.nanoTime();
        Future<Integer> f = http.request(new RequestOptions().setMethod(HttpMethod.POST).setURI(path)
                        .putHeader("Content-Type", "application/json"))
                .compose(req -> req.send(body).compose(resp -> resp.body().map(x -> resp.statusCode())));
        f.onComplete(ar -> {
            if (ar.succeeded() && ar.result() == 200) {
                hist.recordValue(Math.min(System.nanoTime() - start, TimeUnit.SECONDS.toNanos(30)));
                done.incrementAndGet();
            } else {
                errors.incrementAndGet();
            }
            loop(http, path, body, hist, done, errors, measuring, stop, finished);
        });
    }

    private static void print(List<Row> rows, List<Double> samples) {
        System.out.println();
        System.out.printf(Locale.ROOT, "In-process vault rate (same run, same token, 2 threads, sampled for the same length before and"
                + " after every point): %s wraps/s; each ratio is against the mean of the two samples around its point%n%n",
                InProcessReference.describe(samples));
        System.out.println("| op | clients | batch | requests/s | DEKs/s | in-process around it | ratio | p50 ms | p99 ms | errors |");
        System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        for (Row r : rows) {
            System.out.printf(Locale.ROOT, "| %s | %d | %d | %,.0f | %,.0f | %,.0f | %.2f | %.2f | %.2f | %d |%n", r.op(), r.concurrency(),
                    r.batch(), r.requestsPerSecond(), r.deksPerSecond(), r.reference(), r.ratio(), r.p50ms(), r.p99ms(),
                    r.errors());
        }
    }
}
