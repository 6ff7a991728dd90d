package io.kekvault.kmip.client;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs Debian's PyKMIP server ({@code /usr/bin/pykmip-server}, package python3-pykmip) on a free
 * loopback port with its own configuration, certificates and SQLite database in {@code dir}.
 */
final class PyKmipServer implements AutoCloseable {
    static final String PYTHON = "/usr/bin/python3";
    static final String SERVER = "/usr/bin/pykmip-server";

    final int port;
    final Path log;
    private final Process process;

    private PyKmipServer(int port, Path log, Process process) {
        this.port = port;
        this.log = log;
        this.process = process;
    }

    static PyKmipServer start(Path dir, TestPki pki) throws IOException, InterruptedException {
        if (!Files.isExecutable(Path.of(SERVER)) || !Files.isExecutable(Path.of(PYTHON))) {
            throw new IllegalStateException("PyKMIP is required for this test: apt-get install python3-pykmip");
        }
        int port = freePort();
        Path policies = Files.createDirectories(dir.resolve("policies"));
        Path config = dir.resolve("server.conf");
        Path log = dir.resolve("server.log");
        Files.writeString(config, """
                [server]
                hostname=127.0.0.1
                port=%d
                certificate_path=%s
                key_path=%s
                ca_path=%s
                auth_suite=TLS1.2
                policy_path=%s
                enable_tls_client_auth=True
                logging_level=DEBUG
                database_path=%s
                """.formatted(port, pki.serverCert, pki.serverKey, pki.caCert, policies, dir.resolve("pykmip.db")));
        Process p = new ProcessBuilder(PYTHON, SERVER, "-f", config.toString(), "-l", log.toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("server.out").toFile())
                .start();
        PyKmipServer s = new PyKmipServer(port, log, p);
        s.awaitListening(Duration.ofSeconds(30), dir);
        return s;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Waits until the port accepts TCP connections (and fails at once if the server exits). */
    private void awaitListening(Duration timeout, Path dir) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                if (process.waitFor(100, TimeUnit.MILLISECONDS)) {
                    throw new IllegalStateException("pykmip-server exited with " + process.exitValue() + ": "
                            + Files.readString(dir.resolve("server.out")));
                }
            }
        }
        close();
        throw new IllegalStateException("pykmip-server did not listen on port " + port + " within " + timeout);
    }

    KmipEndpoint endpoint() {
        return new KmipEndpoint("127.0.0.1", port);
    }

    /**
     * Stops the server and its children: PyKMIP forks a policy-monitor process (multiprocessing)
     * that outlives its parent if only the parent is killed.
     */
    @Override
    public void close() throws InterruptedException {
        List<ProcessHandle> children = process.descendants().toList();
        process.destroy();
        children.forEach(ProcessHandle::destroy);
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
        for (ProcessHandle c : children) {
            try {
                c.onExit().get(10, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                c.destroyForcibly();
            }
        }
    }

    /** The server process and its children, for checks that nothing is left running. */
    List<ProcessHandle> processes() {
        List<ProcessHandle> all = new java.util.ArrayList<>(process.descendants().toList());
        all.add(process.toHandle());
        return all;
    }
}
