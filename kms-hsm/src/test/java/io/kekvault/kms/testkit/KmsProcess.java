package io.kekvault.kms.testkit;

import io.kekvault.kmip.http.KmsHttpClient;
import io.kekvault.pki.Identity;
import io.kekvault.pki.PkiDirectory;
import io.kekvault.pki.tls.TlsContext;
import io.kekvault.pki.tls.TlsMaterial;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A KMS node in a child JVM, its stderr logged to a file, stoppable with SIGTERM or kill -9, and
 * freezable with SIGSTOP (a node that hangs without closing its connections).
 */
public final class KmsProcess implements AutoCloseable {
    private final Process process;
    private final int httpsPort;
    private final int healthPort;
    private final int kmipPort;
    private final Path pki;

    private KmsProcess(Process process, int httpsPort, int healthPort, int kmipPort, Path pki) {
        this.process = process;
        this.httpsPort = httpsPort;
        this.healthPort = healthPort;
        this.kmipPort = kmipPort;
        this.pki = pki;
    }

    /** Starts the environment's config and waits (bounded) for its ready line. */
    public static KmsProcess start(KmsTestEnv env, SoftHsmToken token, Path log) throws Exception {
        return start(env.configFile(), env.pki(), token, log);
    }

    /** Starts the node configured in {@code config} (PKI in {@code pki}) and waits for its ready line. */
    public static KmsProcess start(Path config, Path pki, SoftHsmToken token, Path log) throws Exception {
        return start(config, pki, token, log, List.of("-Dlogback.configurationFile=logback-child.xml"));
    }

    /** As {@link #start(Path, Path, SoftHsmToken, Path)} with these JVM options (log configuration, heap). */
    public static KmsProcess start(Path config, Path pki, SoftHsmToken token, Path log, List<String> jvmOptions)
            throws Exception {
        ProcessBuilder pb = ChildJvm.builder(jvmOptions, KmsChildMain.class, token.env(), config.toString());
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
        String line;
        try {
            line = ready.get(120, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            p.destroyForcibly();
            throw new AssertionError("KMS child not ready within 120 s; see " + log);
        }
        if (line == null) {
            p.destroyForcibly();
            throw new AssertionError("KMS child exited before it was ready; see " + log);
        }
        String[] ports = line.substring(6).trim().split(" ");
        return new KmsProcess(p, Integer.parseInt(ports[0]), ports.length > 1 ? Integer.parseInt(ports[1]) : -1,
                ports.length > 2 ? Integer.parseInt(ports[2]) : -1, pki);
    }

    public URI uri() {
        return URI.create("https://127.0.0.1:" + httpsPort);
    }

    /** Plain-HTTP health listener ({@code /health}, {@code /ready}, {@code /metrics}). */
    public URI healthUri() {
        return URI.create("http://127.0.0.1:" + healthPort);
    }

    /** The KMIP (TTLV over mutual TLS) listener's port. */
    public int kmipPort() {
        return kmipPort;
    }

    public long pid() {
        return process.pid();
    }

    public KmsHttpClient client(String identity) throws Exception {
        TlsContext t = TlsContext.client(TlsMaterial.client(new PkiDirectory(pki), Identity.parse(identity)));
        return new KmsHttpClient(List.of(uri()), t.sslContext(), t.sslParameters(), Duration.ofSeconds(30), null);
    }

    public void kill9() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** SIGSTOP: the process keeps its sockets but answers nothing until {@link #resume()}. */
    public void suspend() throws IOException, InterruptedException {
        signal("STOP");
    }

    /** SIGCONT after {@link #suspend()}. */
    public void resume() throws IOException, InterruptedException {
        signal("CONT");
    }

    private void signal(String name) throws IOException, InterruptedException {
        Process k = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).redirectErrorStream(true).start();
        String out = new String(k.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!k.waitFor(10, TimeUnit.SECONDS) || k.exitValue() != 0) {
            throw new IllegalStateException("kill -" + name + " " + process.pid() + " failed: " + out);
        }
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
