package io.kekvault.kmip.client;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback TCP proxy in front of a TLS server, for failure injection with real sockets. In
 * {@link Mode#FORWARD} it relays both directions. In {@link Mode#DROP_RESPONSE} it relays the TLS
 * handshake and the client's request, then closes both connections when the server's first
 * application-data record (the KMIP response) arrives: the server has executed the request, the
 * client never learns the result.
 */
final class TlsRecordProxy implements AutoCloseable {
    enum Mode { FORWARD, DROP_RESPONSE }

    private static final int APPLICATION_DATA = 23;

    private final ServerSocket server;
    private final KmipEndpoint target;
    private volatile Mode mode;
    final AtomicInteger connections = new AtomicInteger();
    private final java.util.Set<Socket> open = java.util.concurrent.ConcurrentHashMap.newKeySet();
    final AtomicInteger droppedResponses = new AtomicInteger();

    TlsRecordProxy(KmipEndpoint target, Mode mode) throws IOException {
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.target = target;
        this.mode = mode;
        Thread.ofVirtual().start(this::acceptLoop);
    }

    KmipEndpoint endpoint() {
        return new KmipEndpoint("127.0.0.1", server.getLocalPort());
    }

    void mode(Mode m) {
        this.mode = m;
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                connections.incrementAndGet();
                Socket upstream = new Socket(target.host(), target.port());
                open.add(client);
                open.add(upstream);
                Mode m = mode;
                Thread.ofVirtual().start(() -> pump(client, upstream, false, Mode.FORWARD));
                Thread.ofVirtual().start(() -> pump(upstream, client, true, m));
            } catch (IOException e) {
                return;
            }
        }
    }

    /** Relays TLS records from {@code from} to {@code to}. */
    private void pump(Socket from, Socket to, boolean serverToClient, Mode m) {
        try (from; to) {
            DataInputStream in = new DataInputStream(from.getInputStream());
            OutputStream out = to.getOutputStream();
            byte[] header = new byte[5];
            while (true) {
                try {
                    in.readFully(header);
                } catch (EOFException e) {
                    return;
                }
                int length = ((header[3] & 0xFF) << 8) | (header[4] & 0xFF);
                byte[] body = in.readNBytes(length);
                if (serverToClient && m == Mode.DROP_RESPONSE && (header[0] & 0xFF) == APPLICATION_DATA) {
                    droppedResponses.incrementAndGet();
                    return;
                }
                out.write(header);
                out.write(body);
                out.flush();
            }
        } catch (IOException e) {
            // one side closed: closing both ends is all there is to do
        }
    }

    /** Closes every relayed connection, as a server that drops idle clients would. */
    void closeConnections() throws IOException {
        for (Socket s : open) {
            s.close();
        }
        open.clear();
    }

    @Override
    public void close() throws IOException {
        server.close();
        closeConnections();
    }
}
