package io.kekvault.kms.server.kmip;

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
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The KMIP front end: binary TTLV over mutual TLS (port 5696 by default).
 *
 * <p>Guarantees:
 * <ul>
 *   <li>TLS 1.2/1.3 with the KMS's suites ({@link KmsServer#tlsServerOptions}); the client
 *       certificate is checked by {@link ClientAuthenticator} on every request, and a client
 *       without a valid certificate (or without a role) gets one KMIP failure response
 *       (Authentication Not Successful) and the connection is closed. TLS sessions are resumed
 *       (the JDK's server session cache and TLS 1.3 tickets), which matters for clients such as
 *       vCenter that open a new connection per operation.</li>
 *   <li>Framing reads the 8-byte header first and checks the item type and the declared length
 *       against {@code kmip.max-message-bytes} before anything is allocated for the body; a
 *       message over the limit or not a Structure is answered and the connection closed (the
 *       stream is out of step). A message that does not arrive whole within
 *       {@code kmip.idle-timeout-seconds} closes the connection, and so does a connection idle
 *       that long.</li>
 *   <li>One request at a time per connection, answered in order; the socket is paused while the
 *       request runs on a worker thread, so a client cannot queue unbounded input. Operations never
 *       run on the event loop.</li>
 * </ul>
 */
public final class KmipListener implements KmsServer.Listener {
    private static final Logger log = LoggerFactory.getLogger(KmipListener.class);

    private final Vertx vertx;
    private final KmipProcessor processor;
    private final ClientAuthenticator auth;
    private final KmsConfig.Resolved config;
    private final NetServerOptions options;
    private final int maxMessageBytes;
    private final long messageDeadlineMillis;
    private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
    private final Counter accepted;
    private NetServer net;

    /** The factory {@code KmsListeners} hands to the server; null when {@code kmip.enabled} is false. */
    public static KmsServer.ListenerFactory factory() {
        return server -> server.config().kmipEnabled() ? new KmipListener(server) : null;
    }

    public KmipListener(KmsServer server) throws Exception {
        this.vertx = server.vertx();
        this.processor = server.kmipProcessor();
        this.auth = server.authenticator();
        this.config = server.config();
        this.maxMessageBytes = config.kmipMaxMessageBytes();
        this.messageDeadlineMillis = TimeUnit.SECONDS.toMillis(config.kmipIdleTimeoutSeconds());
        this.options = server.tlsServerOptions(new NetServerOptions())
                .setIdleTimeout(config.kmipIdleTimeoutSeconds())
                .setIdleTimeoutUnit(TimeUnit.SECONDS)
                .setTcpNoDelay(true)
                .setSslHandshakeTimeout(Math.max(1, Math.min(30, config.kmipIdleTimeoutSeconds())))
                .setSslHandshakeTimeoutUnit(TimeUnit.SECONDS);
        Gauge.builder("kms.kmip.connections", connections, Set::size).description("open KMIP connections")
                .register(server.registry());
        this.accepted = Counter.builder("kms.kmip.connections.accepted").description("KMIP connections accepted")
                .register(server.registry());
    }

    @Override
    public Future<Integer> start() {
        net = vertx.createNetServer(options).connectHandler(this::connected);
        return net.listen(config.kmipPort(), config.kmipHost()).map(s -> {
            log.info("event=kmip_listening host={} port={} max_message_bytes={} idle_timeout_s={}", config.kmipHost(),
                    s.actualPort(), maxMessageBytes, config.kmipIdleTimeoutSeconds());
            return s.actualPort();
        });
    }

    @Override
    public Future<Void> shutdown(long graceMillis) {
        if (net == null) {
            return Future.succeededFuture();
        }
        return net.shutdown(graceMillis, TimeUnit.MILLISECONDS);
    }

    private void connected(NetSocket socket) {
        accepted.increment();
        Connection c = new Connection(socket);
        connections.add(c);
        socket.handler(c::onData);
        socket.closeHandler(v -> c.closed());
        socket.exceptionHandler(e -> {
            log.debug("event=kmip_connection_error remote={} error={}", socket.remoteAddress(), e.toString());
            socket.close();
        });
        socket.shutdownHandler(v -> c.shutdown());
    }

    /** What a worker hands back to the event loop: the response bytes, and whether to hang up after them. */
    private record Reply(byte[] bytes, boolean close) {
    }

    /** One client connection; every field is touched on the connection's event loop only. */
    private final class Connection {
        private final NetSocket socket;
        private Buffer pending = Buffer.buffer();
        private boolean busy;
        private boolean closing;
        private long deadline = -1;

        Connection(NetSocket socket) {
            this.socket = socket;
        }

        void onData(Buffer b) {
            if (closing) {
                return;
            }
            pending.appendBuffer(b);
            if (!busy) {
                next();
            }
        }

        /** Frames the next message from what has arrived, or waits for more. */
        private void next() {
            if (closing || busy) {
                return;
            }
            if (pending.length() == 0) {
                cancelDeadline();
                return;
            }
            armDeadline();
            if (pending.length() < 8) {
                return;
            }
            int type = pending.getUnsignedByte(3);
            long length = pending.getUnsignedInt(4);
            if (type != 0x01) {
                refuseAndClose(new InvalidRequestException(ResultReason.INVALID_MESSAGE,
                        "a message must be a Structure, the header announces type 0x" + Integer.toHexString(type), null));
                return;
            }
            if (length + 8 > maxMessageBytes) {
                long declared = length + 8;
                busy = true;
                reply(() -> new Reply(encode(processor.tooLong(declared, anonymous())), true));
                return;
            }
            int total = (int) length + 8;
            if (pending.length() < total) {
                return;
            }
            byte[] message = pending.getBytes(0, total);
            pending = pending.length() == total ? Buffer.buffer() : pending.getBuffer(total, pending.length());
            cancelDeadline();
            busy = true;
            reply(() -> handle(message));
        }

        private void refuseAndClose(KmsException e) {
            busy = true;
            reply(() -> new Reply(encode(processor.refuse(KmipProcessor.FALLBACK_VERSION, anonymous(), e)), true));
        }

        /** Runs {@code work} on a worker thread (never on the event loop), then writes its reply in order. */
        private void reply(java.util.concurrent.Callable<Reply> work) {
            socket.pause();
            vertx.<Reply>executeBlocking(work, false).onComplete(ar -> {
                Reply r = ar.succeeded() ? ar.result() : crashed(ar.cause());
                Future<Void> written = socket.write(Buffer.buffer(r.bytes()));
                written.onComplete(x -> SecretBytes.wipe(r.bytes()));
                if (r.close() || closing) {
                    closing = true;
                    written.onComplete(x -> socket.close());
                    return;
                }
                busy = false;
                socket.resume();
                next();
            });
        }

        /** Authenticates the peer, then runs the message; a refused peer gets one answer and is hung up on. */
        private Reply handle(byte[] message) {
            String rid = UUID.randomUUID().toString();
            Caller caller;
            try {
                caller = auth.authenticate(socket.sslSession(), rid, "kmip");
            } catch (KmsException e) {
                log.info("event=kmip_client_refused remote={} code={} msg=\"{}\"", socket.remoteAddress(), e.errorCode(),
                        e.getMessage());
                ProtocolVersion v = KmipProcessor.peekVersion(message).orElse(KmipProcessor.FALLBACK_VERSION);
                return new Reply(encode(processor.refuse(v, new Caller("unauthenticated", Role.AUDITOR, rid, "kmip"), e)), true);
            }
            try {
                return new Reply(processor.handle(message, MessageEncoding.TTLV, caller), false);
            } finally {
                SecretBytes.wipe(message); // a Register request carries key material
            }
        }

        private Reply crashed(Throwable t) {
            log.error("event=kmip_worker_failed remote={}", socket.remoteAddress(), t);
            return new Reply(encode(processor.refuse(KmipProcessor.FALLBACK_VERSION, anonymous(),
                    new io.kekvault.kmip.error.GeneralFailureException(ResultReason.GENERAL_FAILURE, "general failure", null))), true);
        }

        private Caller anonymous() {
            return new Caller("unauthenticated", Role.AUDITOR, UUID.randomUUID().toString(), "kmip");
        }

        private void armDeadline() {
            if (deadline < 0) {
                deadline = vertx.setTimer(messageDeadlineMillis, id -> {
                    deadline = -1;
                    if (!busy && pending.length() > 0) {
                        log.info("event=kmip_message_timeout remote={} received={}", socket.remoteAddress(), pending.length());
                        closing = true;
                        socket.close();
                    }
                });
            }
        }

        private void cancelDeadline() {
            if (deadline >= 0) {
                vertx.cancelTimer(deadline);
                deadline = -1;
            }
        }

        void shutdown() {
            closing = true;
            if (!busy) {
                socket.close();
            }
        }

        void closed() {
            closing = true;
            cancelDeadline();
            connections.remove(this);
        }
    }

    private static byte[] encode(ResponseMessage m) {
        return MessageEncoding.TTLV.encode(m);
    }
}
