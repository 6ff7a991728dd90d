package io.kekvault.app.bench;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code kekvault bench ...}: benchmarks whose output goes into docs/benchmarks.md. */
@Command(name = "bench", description = "Run a benchmark (results belong in docs/benchmarks.md).",
        subcommands = {BenchCommand.Vault.class, BenchCommand.Http.class, BenchCommand.Xts.class, BenchCommand.Kmip.class})
public final class BenchCommand {

    /** JVM flags the forked benchmark JVMs need, same as the launcher's. */
    static final String[] FORK_FLAGS = {
        "--add-exports", "jdk.crypto.cryptoki/sun.security.pkcs11.wrapper=ALL-UNNAMED",
        "--add-opens", "jdk.crypto.cryptoki/sun.security.pkcs11.wrapper=ALL-UNNAMED",
        "--enable-native-access=ALL-UNNAMED", "-Dlogback.configurationFile=logback-bench.xml"};

    @Command(name = "xts", mixinStandardHelpOptions = true,
            description = {"XTS-AES-256 on 4096-byte data units through each engine, next to `openssl speed`,",
                "and full-file encryption with 1 and 2 workers.",
                "Options pass through: --engines=openssl,jce --iterations=5 --file-size=1g --workers=1,2 --dir=PATH"})
    static final class Xts implements Callable<Integer> {
        @picocli.CommandLine.Unmatched
        List<String> args = new java.util.ArrayList<>();

        @Override
        public Integer call() throws Exception {
            io.kekvault.esxi.bench.XtsBench.run(System.out, io.kekvault.esxi.bench.XtsBench.Options.parse(args.toArray(String[]::new)));
            return 0;
        }
    }

    @Command(name = "http", mixinStandardHelpOptions = true,
            description = "Wrap/unwrap over HTTPS with keep-alive against a KMS dev node in its own process.")
    static final class Http implements Callable<Integer> {
        @Option(names = "--seconds", defaultValue = "10", description = "measured seconds per point (default ${DEFAULT-VALUE})")
        int seconds;

        @Option(names = "--warmup", defaultValue = "3", description = "warm-up seconds per point (default ${DEFAULT-VALUE})")
        int warmup;

        @Option(names = "--concurrency", split = ",", defaultValue = "1,16,64")
        List<Integer> concurrency;

        @Option(names = "--batch", split = ",", defaultValue = "1,100")
        List<Integer> batch;

        @Option(names = "--dir", description = "work directory (default: a new temporary directory)")
        java.nio.file.Path dir;

        @Override
        public Integer call() throws Exception {
            HttpBench.run(new HttpBench.Options(seconds, warmup, concurrency, batch, dir));
            return 0;
        }
    }

    @Command(name = "kmip", mixinStandardHelpOptions = true,
            description = {"KMIP Encrypt (32-byte DEK) on 1 and 16 persistent connections and Create on new connections,",
                "against a KMS dev node and against pykmip-server in the same run, next to the in-process vault rate."})
    static final class Kmip implements Callable<Integer> {
        @Option(names = "--seconds", defaultValue = "10", description = "measured seconds per point (default ${DEFAULT-VALUE})")
        int seconds;

        @Option(names = "--warmup", defaultValue = "3", description = "warm-up seconds per point (default ${DEFAULT-VALUE})")
        int warmup;

        @Option(names = "--connections", split = ",", defaultValue = "1,16")
        List<Integer> connections;

        @Option(names = "--create-threads", defaultValue = "1", description = "clients creating keys on new connections")
        int createThreads;

        @Option(names = "--no-pykmip", description = "skip the pykmip-server comparison")
        boolean noPykmip;

        @Option(names = "--dir", description = "work directory (default: a new temporary directory)")
        java.nio.file.Path dir;

        @Override
        public Integer call() throws Exception {
            KmipBench.run(new KmipBench.Options(seconds, warmup, connections, createThreads, dir, !noPykmip));
            return 0;
        }
    }

    @Command(name = "vault", mixinStandardHelpOptions = true,
            description = "JMH: in-process wrap/unwrap of 32- and 64-byte DEKs through each HSM backend, 1 and 2 threads.")
    static final class Vault implements Callable<Integer> {
        @Option(names = "--backend", description = "pkcs11, sunpkcs11 or both (default: both)")
        String backend;

        @Option(names = "--threads", split = ",", description = "thread counts (default: 1,2)")
        List<Integer> threads = List.of(1, 2);

        @Option(names = "--quick", description = "short warm-up and measurement, for a smoke run")
        boolean quick;

        @Option(names = "--shared-token", description = "also measure a vault on a token other processes share "
                + "(hsm.shared-token: SoftHSM2 object calls serialized)")
        boolean sharedToken;

        @Override
        public Integer call() throws Exception {
            List<String> lines = new ArrayList<>();
            for (int t : threads) {
                ChainedOptionsBuilder opts = new OptionsBuilder()
                        .include(VaultBenchmark.class.getName())
                        .forks(1)
                        .jvmArgsAppend(FORK_FLAGS)
                        .threads(t)
                        .warmupIterations(quick ? 1 : 3)
                        .warmupTime(TimeValue.seconds(quick ? 1 : 3))
                        .measurementIterations(quick ? 2 : 5)
                        .measurementTime(TimeValue.seconds(quick ? 1 : 4));
                if (backend != null) {
                    opts.param("backend", backend);
                }
                if (sharedToken) {
                    opts.param("sharedToken", "false", "true");
                }
                Collection<RunResult> results = new Runner(opts.build()).run();
                for (RunResult r : results) {
                    var p = r.getParams();
                    var s = r.getPrimaryResult();
                    lines.add(String.format(Locale.ROOT, "| %-9s | %-6s | %-6s | %3s | %d | %,10.0f ± %,.0f |",
                            p.getParam("backend"), p.getBenchmark().replaceAll(".*\\.", ""), p.getParam("sharedToken"),
                            p.getParam("dekBytes"), t, s.getScore(), s.getScoreError()));
                }
            }
            System.out.println();
            System.out.println("| backend   | op     | shared | DEK | threads | ops/s (99.9% CI) |");
            System.out.println("|-----------|--------|--------|-----|---------|------------------|");
            lines.forEach(System.out::println);
            return 0;
        }
    }
}
