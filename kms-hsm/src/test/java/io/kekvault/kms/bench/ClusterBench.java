package io.kekvault.kms.bench;

import io.kekvault.kmip.http.KmsHttpClient;
import io.kekvault.kms.dev.PostgresDatabase;
import io.kekvault.kms.dev.PostgresServer;
import io.kekvault.kms.testkit.ClusterLoad;
import io.kekvault.kms.testkit.KmsCluster;
import io.kekvault.kms.testkit.SoftHsmToken;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

/**
 * Sustained, bounded load on the scale-out set-up: a real PostgreSQL (fsync on), one SoftHSM2
 * token directory, two KMS nodes in their own JVMs (production log level). The same closed-loop
 * load (a fixed number of clients, each sending its next request when the previous one is
 * answered) runs against one node, then against both; it prints throughput, errors and latency
 * percentiles as a Markdown table for docs/benchmarks.md.
 *
 * <p>Not a test. Run it from the repository root (see docs/benchmarks.md, "Scale-out"):
 * <pre>
 * java [kekvault JVM flags] -cp kms-hsm/target/test-classes:kms-hsm/target/classes:$(cat kms-hsm/target/bench.classpath) \
 *      io.kekvault.kms.bench.ClusterBench [--seconds 60] [--clients 8] [--warmup 20] [--rounds 1] [--seed N]
 * </pre>
 */
public final class ClusterBench {

    private record Result(String setup, int clients, double seconds, long ops, long errors, long mismatches,
                          long p50, long p99, long max, String perOp, int failovers) {
    }

    public static void main(String[] args) throws Exception {
        if (System.getProperty("logback.configurationFile") == null) {
            System.setProperty("logback.configurationFile", "logback-bench-driver.xml");
        }
        int seconds = 60;
        int clients = 8;
        int warmup = 20;
        int rounds = 1;
        int keyCount = 100;
        long seed = System.nanoTime();
        // DEK traffic dominates a KMS serving VMs (power-on unwraps, new-disk wraps); keys are
        // created and rotated rarely. Key churn also makes SoftHSM2 slower as its object
        // directory grows, which would drift the comparison between phases.
        ClusterLoad.Mix mix = new ClusterLoad.Mix(1, 49, 49, 1);
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--seconds" -> seconds = Integer.parseInt(args[++i]);
                case "--clients" -> clients = Integer.parseInt(args[++i]);
                case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--seed" -> seed = Long.parseLong(args[++i]);
                case "--keys" -> keyCount = Integer.parseInt(args[++i]);
                case "--mix" -> {
                    String[] m = args[++i].split(",");
                    mix = new ClusterLoad.Mix(Integer.parseInt(m[0]), Integer.parseInt(m[1]), Integer.parseInt(m[2]),
                            Integer.parseInt(m[3]));
                }
                default -> {
                    System.err.println("usage: ClusterBench [--seconds 60] [--clients 8] [--warmup 20] [--rounds 1] "
                            + "[--keys 100] [--seed N] [--mix create,wrap,unwrap,rotate]");
                    System.exit(2);
                }
            }
        }
        if (seconds < 5 || seconds > 900 || clients < 1 || clients > 64) {
            throw new IllegalArgumentException("--seconds 5..900, --clients 1..64");
        }
        System.out.printf(Locale.ROOT, "cluster bench: seed=%d clients=%d seconds=%d warmup=%d rounds=%d keys=%d mix=%s cpus=%d%n",
                seed, clients, seconds, warmup, rounds, keyCount, mix, Runtime.getRuntime().availableProcessors());
        System.out.println("load before: " + loadAverage());
        Random random = new Random(seed);
        SoftHsmToken token = SoftHsmToken.createStandalone();
        List<Result> results = new ArrayList<>();
        try (PostgresServer pg = PostgresServer.launch(new PostgresServer.Options(true, 100))) {
            PostgresDatabase db = pg.createDatabase("bench");
            try (KmsCluster cluster = KmsCluster.prepare(token, db.storeYaml(8, 5), 2, null)
                    .nodeJvmOptions(List.of("-Dlogback.configurationFile=logback-bench-node.xml", "-Xmx512m"))
                    .startAll()) {
                KmsCluster.Node a = cluster.node(0);
                KmsCluster.Node b = cluster.node(1);
                KmsHttpClient admin = a.client("admin");
                List<String> keys = new ArrayList<>();
                for (int i = 0; i < keyCount; i++) {
                    keys.add(admin.createKey(new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode()
                            .put("activate", true)).get("id").asText());
                }
                // every node has used every key once (its HSM handle is cached), as in a running deployment
                for (KmsCluster.Node n : cluster.nodes()) {
                    KmsHttpClient c = n.client("admin");
                    for (String k : keys) {
                        try (var dek = io.kekvault.secret.SecretBytes.random(32, new java.security.SecureRandom())) {
                            c.wrap(k, List.of(new KmsHttpClient.WrapItem(dek, null)));
                        }
                    }
                }
                if (warmup > 0) {
                    run(cluster, "warm-up (both nodes)", clients, warmup, mix, random.nextLong(), keys, true, a, b);
                }
                // ABBA order (1, 2 | 2, 1 | ...): a drift over the run (token growing, other load on
                // the machine) weighs on both set-ups alike in the averages
                for (int r = 0; r < rounds; r++) {
                    boolean oneFirst = r % 2 == 0;
                    for (int k = 0; k < 2; k++) {
                        if ((k == 0) == oneFirst) {
                            results.add(run(cluster, "1 node", clients, seconds, mix, random.nextLong(), keys, true, a));
                        } else {
                            results.add(run(cluster, "2 nodes", clients, seconds, mix, random.nextLong(), keys, true, a, b));
                        }
                    }
                }
            }
        } finally {
            token.close();
            deleteTree(token.dir());
        }
        System.out.println("load after: " + loadAverage());
        System.out.println();
        System.out.println("| setup | clients | seconds | operations | ops/s | errors | fail-overs | p50 ms | p99 ms | max ms | per operation: count (p50, p99 ms) |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|---|");
        for (Result r : results) {
            System.out.printf(Locale.ROOT, "| %s | %d | %.0f | %d | %.0f | %d | %d | %.1f | %.1f | %.1f | %s |%n", r.setup(),
                    r.clients(), r.seconds(), r.ops(), r.ops() / r.seconds(), r.errors() + r.mismatches(), r.failovers(),
                    r.p50() / 1e6, r.p99() / 1e6, r.max() / 1e6, r.perOp());
        }
        if (rounds > 1) {
            System.out.println();
            for (String setup : List.of("1 node", "2 nodes")) {
                List<Result> rs = results.stream().filter(r -> r.setup().equals(setup)).toList();
                double ops = rs.stream().mapToLong(Result::ops).sum();
                double secs = rs.stream().mapToDouble(Result::seconds).sum();
                System.out.printf(Locale.ROOT, "%s, all rounds: %.0f ops/s, %d errors, worst p99 %.1f ms%n", setup, ops / secs,
                        rs.stream().mapToLong(r -> r.errors() + r.mismatches()).sum(),
                        rs.stream().mapToLong(Result::p99).max().orElse(0) / 1e6);
            }
        }
        System.exit(results.stream().anyMatch(r -> r.errors() + r.mismatches() > 0) ? 1 : 0);
    }

    private static Result run(KmsCluster cluster, String setup, int clients, int seconds, ClusterLoad.Mix mix, long seed,
                              List<String> keys, boolean verify, KmsCluster.Node... nodes) throws Exception {
        List<KmsHttpClient> cs = new ArrayList<>();
        List<String> moves = new java.util.concurrent.CopyOnWriteArrayList<>();
        for (int i = 0; i < clients; i++) {
            // each client starts on its own node (round robin) and fails over to the others
            List<KmsCluster.Node> order = new ArrayList<>();
            for (int j = 0; j < nodes.length; j++) {
                order.add(nodes[(i + j) % nodes.length]);
            }
            int client = i;
            cs.add(cluster.client("admin", Duration.ofSeconds(30),
                    (from, to, why) -> moves.add("client " + client + " " + from.getPort() + "->" + to.getPort() + ": " + why),
                    order.toArray(KmsCluster.Node[]::new)));
        }
        System.out.printf(Locale.ROOT, "%s: %d clients for %d s (%s)...%n", setup, clients, seconds, Instant.now());
        ClusterLoad load = new ClusterLoad(cs, mix, seed, keys, "bench-" + seed, verify);
        long start = System.nanoTime();
        load.start();
        long end = start + Duration.ofSeconds(seconds).toNanos();
        while (System.nanoTime() < end) {
            // a benchmark's clock, not a test's wait: the run lasts a fixed time
            LockSupport.parkNanos(Math.min(500_000_000L, end - System.nanoTime()));
        }
        load.stop();
        double elapsed = (System.nanoTime() - start) / 1e9;
        long[] lat = load.sortedLatencies();
        StringBuilder perOp = new StringBuilder();
        for (ClusterLoad.Op op : ClusterLoad.Op.values()) {
            long[] l = load.sortedLatencies(op);
            perOp.append(perOp.isEmpty() ? "" : "; ").append(String.format(Locale.ROOT, "%s %d (p50 %.1f, p99 %.1f)",
                    op.name().toLowerCase(Locale.ROOT), l.length, percentile(l, 0.5) / 1e6, percentile(l, 0.99) / 1e6));
        }
        Result r = new Result(setup, clients, elapsed, load.acks(), load.failures().size(), load.mismatches(),
                percentile(lat, 0.50), percentile(lat, 0.99), lat.length == 0 ? 0 : lat[lat.length - 1], perOp.toString(),
                moves.size());
        System.out.printf(Locale.ROOT, "%s: %.0f ops/s, %d errors, p99 %.1f ms; load %s%n", setup, r.ops() / elapsed,
                r.errors(), r.p99() / 1e6, loadAverage());
        moves.stream().limit(5).forEach(m -> System.out.println("  fail-over: " + m));
        if (!load.failures().isEmpty()) {
            load.failures().stream().limit(5).forEach(f -> System.out.println("  failure: " + f));
        }
        return r;
    }

    private static long percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        int i = (int) Math.ceil(p * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (Exception e) {
            return "unknown";
        }
    }

    private static void deleteTree(Path root) throws java.io.IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
