package io.kekvault.kms.server.kmip;

import io.kekvault.kmip.error.GeneralFailureException;
import io.kekvault.kmip.error.InvalidRequestException;
import io.kekvault.kmip.error.KmsException;
import io.kekvault.kmip.error.ResultReason;
import io.kekvault.kmip.message.MessageEncoding;
import io.kekvault.kmip.message.ProtocolVersion;
import io.kekvault.kmip.message.ResponseMessage;
import io.kekvault.kms.access.Caller;
import io.kekvault.kms.access.ClientAuthenticator;
import io.kekvault.kms.access.Role;
import io.kekvault.kms.config.KmsConfig;
import io.kekvault.kms.server.KmsServer;
import io.kekvault.secret.SecretBytes;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The KMIP front end: binary TTLV over mutual TLS (port 5696 by default), one virtual thread per
 * connection that reads a message, runs it and writes the answer, with no hand-off between threads.
 *
 * <p>Guarantees:
 * <ul>
 *   <li>TLS 1.2/1.3 with the KMS's suites ({@link KmsServer#tlsServerContext}); the client
 *       certificate is checked by {@link ClientAuthenticator} on every request, and a client
 *       without a valid certificate (or without a role) gets one KMIP failure response
 *       (Authentication Not Successful) and the connection is closed. TLS sessions are resumed
 *       (the JDK's server session cache and TLS 1.3 tickets), which matters for clients such as
 *       vCenter that open a new connection per operation.</li>
 *   <li>Framing reads the 8-byte header first and checks the item type and the declared length
 *       against {@code kmip.max-message-bytes} before anything is allocated for the body; a
 *       message over the limit or not a Structure is answered and the connection closed (the
 *       stream is out of step). A message that does not arrive whole within
 *       {@code kmip.idle-timeout-seconds} of its first byte closes the connection, and so does a
 *       connection idle that long between messages, or a TLS handshake that takes that long.</li>
 *   <li>One request at a time per connection, answered in order; at most
 *       {@code kmip.max-connections} connections, later ones are closed at once.</li>
 * </ul>
 */
public final class KmipListener implements KmsServer.Listener {
    private static final Logger log = LoggerFactory.getLogger(KmipListener.class);

    private final KmipProcessor processor;
    private final ClientAuthenticator auth;
    private final KmsConfig.Resolved config;
    private final SSLContext ssl;
    private final int maxMessageBytes;
    private final int timeoutMillis;
    private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
    private final Counter accepted;
    private SSLServerSocket server;
    private Thread acceptor;
    private volatile boolean stopping;

    /** The factory {@code KmsListeners} hands to the server; null when {@code kmip.enabled} is false. */
    public static KmsServer.ListenerFactory factory() {
        return server -> server.config().kmipEnabled() ? new KmipListener(server) : null;
    }

    public KmipListener(KmsServer server) throws Exception {
        this.processor = server.kmipProcessor();
        this.auth = server.authenticator();
        this.config = server.config();
        this.ssl = server.tlsServerContext();
        this.maxMessageBytes = config.kmipMaxMessageBytes();
        this.timeoutMillis = (int) TimeUnit.SECONDS.toMillis(config.kmipIdleTimeoutSeconds());
        Gauge.builder("kms.kmip.connections", connections, Set::size).description("open KMIP connections")
                .register(server.registry());
        this.accepted = Counter.builder("kms.kmip.connections.accepted").description("KMIP connections accepted")
                .register(server.registry());
    }

    @Override
    public Future<Integer> start() {
        try {
            server = (SSLServerSocket) ssl.getServerSocketFactory().createServerSocket();
            server.setReuseAddress(true);
            server.setSSLParameters(KmsServer.tlsServerParameters());
            server.bind(new InetSocketAddress(InetAddress.getByName(config.kmipHost()), config.kmipPort()), 256);
        } catch (IOException e) {
            return Future.failedFuture(e);
        }
        acceptor = Thread.ofPlatform().name("kmip-accept").daemon(true).start(this::acceptLoop);
        log.info("event=kmip_listening host={} port={} max_message_bytes={} idle_timeout_s={} max_connections={}",
                config.kmipHost(), server.getLocalPort(), maxMessageBytes, config.kmipIdleTimeoutSeconds(),
                config.kmipMaxConnections());
        return Future.succeededFuture(server.getLocalPort());
    }

    private void acceptLoop() {
        while (!stopping) {
            SSLSocket s;
            try {
                s = (SSLSocket) server.accept();
            } catch (IOException e) {
                if (!stopping) {
                    log.warn("event=kmip_accept_failed error={}", e.toString());
                }
                continue;
            }
            accepted.increment();
            if (connections.size() >= config.kmipMaxConnections()) {
                log.warn("event=kmip_connection_refused remote={} reason=max_connections", s.getRemoteSocketAddress());
                closeQuietly(s);
                continue;
            }
            Connection c = new Connection(s);
            connections.add(c);
            Thread.ofVirtual().name("kmip-conn").start(c::serve);
        }
    }

    /**
     * Stops accepting, hangs up on connections waiting for a request, lets the ones running a
     * request answer it (within the grace period), then closes what is left.
     */
    @Override
    public Future<Void> shutdown(long graceMillis) {
        stopping = true;
        Promise<Void> done = Promise.promise();
        Thread.ofPlatform().name("kmip-shutdown").start(() -> {
            closeQuietly(server);
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(graceMillis);
            for (Connection c : connections) {
                c.stopWhenIdle();
            }
            while (!connections.isEmpty() && System.nanoTime() < deadline) {
                synchronized (connections) {
                    try {
                        connections.wait(50);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        break;
                    }
                }
            }
            for (Connection c : connections) {
                c.close();
            }
            done.complete();
        });
        return done.future();
    }

    private static void closeQuietly(java.io.Closeable c) {
        try {
            if (c != null) {
                c.close();
            }
        } catch (IOException ignored) {
            // closing is best effort
        }
    }

    /** One client connection, served by its own virtual thread. */
    private final class Connection {
        private final SSLSocket socket;
        private final Object state = new Object();
        private boolean busy;
        private boolean stop;

        Connection(SSLSocket socket) {
            this.socket = socket;
        }

        void serve() {
            try {
                socket.setTcpNoDelay(true);
                socket.setSoTimeout(timeoutMillis);
                socket.startHandshake();
                InputStream in = socket.getInputStream();
                OutputStream out = socket.getOutputStream();
                byte[] header = new byte[8];
                while (!stopping) {
                    if (!readFirstByte(in, header)) {
                        return; // idle timeout or the client closed the connection
                    }
                    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
                    if (!readFully(in, header, 1, 7, deadline)) {
                        return;
                    }
                    synchronized (state) {
                        busy = true;
                    }
                    int type = header[3] & 0xFF;
                    long length = ((long) (header[4] & 0xFF) << 24) | ((header[5] & 0xFF) << 16) | ((header[6] & 0xFF) << 8)
                            | (header[7] & 0xFF);
                    if (type != 0x01) {
                        answerAndClose(out, processor.refuse(KmipProcessor.FALLBACK_VERSION, anonymous(),
                                new InvalidRequestException(ResultReason.INVALID_MESSAGE, "a message must be a Structure, the"
                                        + " header announces type 0x" + Integer.toHexString(type), null)));
                        return;
                    }
                    if (length + 8 > maxMessageBytes) {
                        answerAndClose(out, processor.tooLong(length + 8, anonymous()));
                        return;
                    }
                    byte[] message = new byte[(int) length + 8];
                    System.arraycopy(header, 0, message, 0, 8);
                    if (!readFully(in, message, 8, (int) length, deadline)) {
                        return;
                    }
                    Reply r = handle(message);
                    try {
                        out.write(r.bytes());
                        out.flush();
                    } finally {
                        SecretBytes.wipe(r.bytes()); // a Get answer carries key material
                    }
                    if (r.close()) {
                        return;
                    }
                    synchronized (state) {
                        busy = false;
                        if (stop) {
                            return;
                        }
                    }
                }
            } catch (SocketTimeoutException e) {
                log.debug("event=kmip_timeout remote={}", socket.getRemoteSocketAddress());
            } catch (SSLException | SocketException e) {
                log.debug("event=kmip_connection_ended remote={} error={}", socket.getRemoteSocketAddress(), e.toString());
            } catch (IOException | RuntimeException e) {
                log.warn("event=kmip_connection_failed remote={} error={}", socket.getRemoteSocketAddress(), e.toString());
            } finally {
                close();
            }
        }

        /** Waits (up to the idle timeout) for the first byte of the next message. */
        private boolean readFirstByte(InputStream in, byte[] header) throws IOException {
            socket.setSoTimeout(timeoutMillis);
            try {
                int b = in.read();
                if (b < 0) {
                    return false;
                }
                header[0] = (byte) b;
                return true;
            } catch (SocketTimeoutException idle) {
                log.debug("event=kmip_idle_closed remote={}", socket.getRemoteSocketAddress());
                return false;
            }
        }

        /** Reads exactly {@code len} bytes before {@code deadline}; false when the stream ends or time runs out. */
        private boolean readFully(InputStream in, byte[] buf, int off, int len, long deadline) throws IOException {
            int done = 0;
            while (done < len) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0) {
                    log.info("event=kmip_message_timeout remote={} received={}", socket.getRemoteSocketAddress(), off + done);
                    return false;
                }
                socket.setSoTimeout((int) Math.max(1, left));
                int n;
                try {
                    n = in.read(buf, off + done, len - done);
                } catch (SocketTimeoutException slow) {
                    log.info("event=kmip_message_timeout remote={} received={}", socket.getRemoteSocketAddress(), off + done);
                    return false;
                }
                if (n < 0) {
                    return false;
                }
                done += n;
            }
            return true;
        }

        private void answerAndClose(OutputStream out, ResponseMessage m) throws IOException {
            out.write(MessageEncoding.TTLV.encode(m));
            out.flush();
        }

        /** Authenticates the peer, then runs the message; a refused peer gets one answer and is hung up on. */
        private Reply handle(byte[] message) {
            String rid = UUID.randomUUID().toString();
            try {
                Caller caller;
                try {
                    caller = auth.authenticate(socket.getSession(), rid, "kmip");
                } catch (KmsException e) {
                    log.info("event=kmip_client_refused remote={} code={} msg=\"{}\"", socket.getRemoteSocketAddress(),
                            e.errorCode(), e.getMessage());
                    ProtocolVersion v = KmipProcessor.peekVersion(message).orElse(KmipProcessor.FALLBACK_VERSION);
                    return new Reply(MessageEncoding.TTLV.encode(processor.refuse(v,
                            new Caller("unauthenticated", Role.AUDITOR, rid, "kmip"), e)), true);
                }
                return new Reply(processor.handle(message, MessageEncoding.TTLV, caller), false);
            } catch (RuntimeException e) {
                log.error("event=kmip_request_failed remote={} request={}", socket.getRemoteSocketAddress(), rid, e);
                return new Reply(MessageEncoding.TTLV.encode(processor.refuse(KmipProcessor.FALLBACK_VERSION, anonymous(),
                        new GeneralFailureException(ResultReason.GENERAL_FAILURE, "general failure, see server log ref=" + rid,
                                null))), true);
            } finally {
                SecretBytes.wipe(message); // a Register request carries key material
            }
        }

        private Caller anonymous() {
            return new Caller("unauthenticated", Role.AUDITOR, UUID.randomUUID().toString(), "kmip");
        }

        /** Shutdown: a connection waiting for a request closes now, a busy one after its answer. */
        void stopWhenIdle() {
            synchronized (state) {
                stop = true;
                if (!busy) {
                    closeQuietly(socket);
                }
            }
        }

        void close() {
            closeQuietly(socket);
            if (connections.remove(this)) {
                synchronized (connections) {
                    connections.notifyAll();
                }
            }
        }
    }

    /** The response bytes, and whether to hang up after them. */
    private record Reply(byte[] bytes, boolean close) {
    }
}
