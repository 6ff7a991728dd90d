package io.kekvault.kms.testkit;

import io.kekvault.kms.config.KmsConfig;
import io.kekvault.kms.server.KmsServer;
import io.kekvault.kms.server.kmip.KmipListener;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;

/**
 * A KMS node in its own process for kill -9, leak and multi-node tests: prints
 * "ready HTTPS_PORT HEALTH_PORT KMIP_PORT" and serves until SIGTERM.
 */
public final class KmsChildMain {
    public static void main(String[] args) throws Exception {
        KmsServer server = KmsServer.start(KmsConfig.load(Path.of(args[0])), Clock.systemUTC(), List.of(KmipListener.factory()));
        Runtime.getRuntime().addShutdownHook(new Thread(server::close));
        System.out.println("ready " + server.httpsPort() + " " + server.healthPort() + " " + server.extraPorts().getFirst());
        System.out.flush();
        Thread.currentThread().join();
    }
}
