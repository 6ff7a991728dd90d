package io.kekvault.app.cli;

import io.kekvault.kmip.client.KmipEndpoint;
import io.kekvault.kmip.vectors.ConformanceRunner;
import io.kekvault.pki.tls.TlsContext;
import io.kekvault.pki.tls.TlsMaterial;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code kekvault kmip ...}: KMIP tools. */
@Command(name = "kmip", description = "KMIP tools.", subcommands = {KmipCommand.Conformance.class})
public final class KmipCommand {

    @Command(name = "conformance", mixinStandardHelpOptions = true,
            description = {"Replay OASIS KMIP XML test vectors against a KMIP server and compare every response.",
                "One line per file (pass, FAIL with the first difference, skip with its reason), then",
                "'N passed, N failed, N skipped'. Exits 1 if a file failed."})
    public static final class Conformance implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--dir", required = true, description = "directory of vector files (searched recursively)")
        Path dir;

        @Option(names = "--server", required = true, description = "KMIP server HOST:PORT (binary TTLV over mutual TLS)")
        String server;

        @Option(names = "--https", description = "KMS HTTPS HOST:PORT: the MSGENC files then go to POST /kmip in their encoding")
        String https;

        @Option(names = "--ca", required = true, description = "CA certificate (PEM) the server certificate must chain to")
        Path ca;

        @Option(names = "--cert", required = true, description = "client certificate (PEM)")
        Path cert;

        @Option(names = "--key", required = true, description = "client private key (PEM)")
        Path key;

        @Option(names = "--skip-list", description = "skip list (FILE reason per line); default: the list shipped with Kekvault")
        Path skipList;

        @Option(names = "--timeout-seconds", defaultValue = "30", description = "connect and read timeout (default ${DEFAULT-VALUE})")
        int timeoutSeconds;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            Map<String, String> skips = skipList == null ? ConformanceRunner.defaultSkips()
                    : ConformanceRunner.parseSkips(Files.readString(skipList));
            TlsContext tls = TlsContext.client(TlsMaterial.load(cert, key, ca));
            ConformanceRunner runner = new ConformanceRunner(new ConformanceRunner.Options(dir, KmipEndpoint.parse(server),
                    https == null ? null : KmipEndpoint.parse(https), tls.sslContext(), skips,
                    Duration.ofSeconds(timeoutSeconds), Clock.systemUTC()));
            ConformanceRunner.Summary s = runner.run(r -> {
                out.println(r.line());
                out.flush();
            });
            out.println(s.line());
            out.flush();
            return s.failed() > 0 || s.passed() + s.skipped() == 0 ? 1 : 0;
        }
    }
}
