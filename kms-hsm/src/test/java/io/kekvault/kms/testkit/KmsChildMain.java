package io.kekvault.kms.testkit;

import io.kekvault.kms.config.KmsConfig;
import io.kekvault.kms.server.KmsServer;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;

/** A KMS node in its own process for kill -9 and leak tests: prints "ready HTTPS_PORT" and serves. */
public final class KmsChildMain {
    public static void main(String[] args) throws Exception {
        KmsServer server = KmsServer.start(KmsConfig.load(Path.of(args[0])), Clock.systemUTC(), List.of());
        Runtime.getRuntime().addShutdownHook(new Thread(server::close));
        System.out.println("ready " + server.httpsPort());
        System.out.flush();
        Thread.currentThread().join();
    }
}
