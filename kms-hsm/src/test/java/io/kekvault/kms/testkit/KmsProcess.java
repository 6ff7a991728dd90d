package io.kekvault.kms.testkit;

import io.kekvault.kmip.http.KmsHttpClient;
import io.kekvault.pki.Identity;
import io.kekvault.pki.PkiDirectory;
import io.kekvault.pki.tls.TlsContext;
import io.kekvault.pki.tls.TlsMaterial;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** A KMS node in a child JVM, its stderr logged to a file, stoppable with SIGTERM or kill -9. */
public final class KmsProcess implements AutoCloseable {
    private final Process process;
    private final int httpsPort;
    private final Path pki;

    private KmsProcess(Process process, int httpsPort, Path pki) {
        this.process = process;
        this.httpsPort = httpsPort;
        this.pki = pki;
    }

    /** Starts {@code config} and waits (bounded) for its ready line. */
    public static KmsProcess start(KmsTestEnv env, SoftHsmToken token, Path log) throws Exception {
        ProcessBuilder pb = ChildJvm.builder(List.of("-Dlogback.configurationFile=logback-child.xml"), KmsChildMain.class,
                token.env(), env.configFile().toString());
        pb.redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
        Process p = pb.start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<String> ready = CompletableFuture.supplyAsync(() -> {
            try {
                String line;
                while ((line = out.readLine()) != null) {
                    if (line.startsWith("ready ")) {
                        return line;
                    }
                }
                return null;
            } catch (java.io.IOException e) {
                return null;
            }
        });
        String line = ready.get(120, TimeUnit.SECONDS);
        if (line == null) {
            p.destroyForcibly();
            throw new AssertionError("KMS child exited before it was ready; see " + log);
        }
        return new KmsProcess(p, Integer.parseInt(line.substring(6).trim()), env.pki());
    }

    public URI uri() {
        return URI.create("https://127.0.0.1:" + httpsPort);
    }

    public KmsHttpClient client(String identity) throws Exception {
        TlsContext t = TlsContext.client(TlsMaterial.client(new PkiDirectory(pki), Identity.parse(identity)));
        return new KmsHttpClient(List.of(uri()), t.sslContext(), t.sslParameters(), Duration.ofSeconds(30), null);
    }

    public void kill9() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** SIGTERM and wait for the clean shutdown. */
    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    static File devNull() {
        return new File("/dev/null");
    }
}
