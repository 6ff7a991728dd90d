package io.kekvault.pki.tls;

import io.kekvault.pki.Identity;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;

/**
 * A mutual-TLS server on loopback: for each connection it completes the handshake, then writes
 * {@code hello <identity> <protocol> <suite>\n} and closes. Each connection's outcome (identity or
 * error) is queued, so tests can wait for the server's view of a handshake.
 */
final class TlsTestServer implements AutoCloseable {

    /** What the server saw for one connection: a greeting line, or the error that ended it. */
    record Outcome(String greeting, Throwable error) {
        boolean succeeded() {
            return error == null;
        }
    }

    private final SSLServerSocket serverSocket;
    private final BlockingQueue<Outcome> outcomes = new LinkedBlockingQueue<>();
    private final Thread acceptor;

    TlsTestServer(TlsContext context) throws IOException {
        serverSocket = context.serverSocket(InetAddress.getLoopbackAddress(), 0, 16);
        acceptor = Thread.ofVirtual().name("tls-test-acceptor").start(this::acceptLoop);
    }

    SSLServerSocket socket() {
        return serverSocket;
    }

    int port() {
        return serverSocket.getLocalPort();
    }

    private void acceptLoop() {
        while (!serverSocket.isClosed()) {
            Socket accepted;
            try {
                accepted = serverSocket.accept();
            } catch (IOException e) {
                return;
            }
            Thread.ofVirtual().start(() -> serve((SSLSocket) accepted));
        }
    }

    private void serve(SSLSocket socket) {
        try (socket) {
            socket.setSoTimeout(30_000);
            socket.startHandshake();
            Identity identity = Identity.fromSession(socket.getSession());
            String greeting = "hello " + identity + " " + socket.getSession().getProtocol() + " "
                    + socket.getSession().getCipherSuite();
            OutputStream out = socket.getOutputStream();
            out.write((greeting + "\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            outcomes.add(new Outcome(greeting, null));
        } catch (Exception e) {
            outcomes.add(new Outcome(null, e));
        }
    }

    /** The next connection outcome; fails if none arrives within 30 s. */
    Outcome nextOutcome() throws InterruptedException {
        Outcome outcome = outcomes.poll(30, TimeUnit.SECONDS);
        if (outcome == null) {
            throw new AssertionError("the server saw no connection within 30 s");
        }
        return outcome;
    }

    @Override
    public void close() throws Exception {
        serverSocket.close();
        acceptor.join();
    }
}
