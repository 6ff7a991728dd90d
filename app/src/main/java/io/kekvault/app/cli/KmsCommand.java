package io.kekvault.app.cli;

import io.kekvault.kms.config.KmsConfig;
import io.kekvault.kms.dev.DevEnvironment;
import io.kekvault.kms.server.KmsServer;
import io.kekvault.kms.vault.softhsm.NativeEnv;
import io.kekvault.kms.vault.softhsm.SoftHsm;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code kekvault kms}: runs one KMS node until SIGTERM or Ctrl-C. */
@Command(name = "kms", mixinStandardHelpOptions = true,
        description = {"Run a KMS node.",
            "  kms --config FILE       from a config file (see docs/kms-config.md)",
            "  kms --dev DIR           a lab node: SoftHSM2 token, PKI and config under DIR, created or reused"})
public final class KmsCommand implements Callable<Integer> {

    static final class Mode {
        @Option(names = "--config", required = true, description = "KMS config file (YAML)")
        Path config;

        @Option(names = "--dev", required = true, description = "lab directory (created or reused)")
        Path dev;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Mode mode;

    @Option(names = "--https-port", defaultValue = "8443", description = "dev mode HTTPS port (0 = any free port; default ${DEFAULT-VALUE})")
    int httpsPort;

    @Option(names = "--kmip-port", defaultValue = "5696", description = "dev mode KMIP port (0 = any; default ${DEFAULT-VALUE})")
    int kmipPort;

    @Option(names = "--health-port", defaultValue = "8080", description = "dev mode health port (0 = any; default ${DEFAULT-VALUE})")
    int healthPort;

    @Option(names = "--node-id", defaultValue = "kms-dev", description = "dev mode node id (default ${DEFAULT-VALUE})")
    String nodeId;

    @Override
    public Integer call() throws Exception {
        Path configFile;
        if (mode.dev != null) {
            configFile = DevEnvironment.prepare(mode.dev.toAbsolutePath(),
                    new DevEnvironment.Ports(httpsPort, kmipPort, healthPort), nodeId);
        } else {
            configFile = mode.config;
            String conf = System.getenv(SoftHsm.CONF_ENV);
            if (conf != null) {
                NativeEnv.set(SoftHsm.CONF_ENV, conf);
            }
        }
        KmsConfig.Resolved config = KmsConfig.load(configFile);
        KmsServer server = KmsServer.start(config, Clock.systemUTC(), KmsListeners.factories());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "kms-shutdown"));
        List<Integer> extra = server.extraPorts();
        System.out.println("ready https=https://" + config.httpsHost() + ":" + server.httpsPort()
                + (extra.isEmpty() ? "" : " kmip=" + config.kmipHost() + ":" + extra.get(0))
                + " health=http://" + config.healthHost() + ":" + server.healthPort()
                + (mode.dev != null ? " dir=" + mode.dev.toAbsolutePath() : " config=" + configFile.toAbsolutePath()));
        System.out.flush();
        stopped.await();
        return 0;
    }
}
