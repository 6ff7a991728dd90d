package io.kekvault.kmip.client;

import io.kekvault.kmip.error.KmsException;
import io.kekvault.kmip.error.InvalidRequestException;
import io.kekvault.kmip.error.ResultReason;
import io.kekvault.kmip.ttlv.TtlvLimits;
import io.kekvault.kmip.ttlv.TtlvStreamReader;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.List;

/** One mutual-TLS connection to an endpoint, carrying one request at a time. */
final class Connection implements Closeable {
    private final KmipEndpoint endpoint;
    private final SSLSocket socket;
    private final InputStream in;
    private final OutputStream out;
    private final TtlvStreamReader reader;
    private final int readTimeoutMillis;
    private long lastUsedNanos = System.nanoTime();
    private boolean reused;

    private Connection(KmipEndpoint endpoint, SSLSocket socket, TtlvLimits limits, int readTimeoutMillis) throws IOException {
        this.endpoint = endpoint;
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
        this.reader = new TtlvStreamReader(in, limits);
        this.readTimeoutMillis = readTimeoutMillis;
    }

    /** Connects and completes the TLS handshake; nothing of a request has been sent if this fails. */
    static Connection open(KmipEndpoint endpoint, KmipClientConfig config) throws IOException {
        Socket raw = new Socket();
        try {
            raw.setTcpNoDelay(true);
            raw.connect(new InetSocketAddress(endpoint.host(), endpoint.port()), (int) config.connectTimeout().toMillis());
            int readTimeout = (int) config.readTimeout().toMillis();
            raw.setSoTimeout(readTimeout);
            SSLSocket s = (SSLSocket) config.sslContext().getSocketFactory().createSocket(raw, endpoint.host(), endpoint.port(), true);
            s.setUseClientMode(true);
            SSLParameters p = s.getSSLParameters();
            List<String> supported = List.of(s.getSupportedProtocols());
            p.setProtocols(config.tlsProtocols().stream().filter(supported::contains).toArray(String[]::new));
            if (config.verifyHostname()) {
                p.setEndpointIdentificationAlgorithm("HTTPS");
            }
            if (!isIpLiteral(endpoint.host())) {
                p.setServerNames(List.of(new SNIHostName(endpoint.host())));
            }
            s.setSSLParameters(p);
            s.startHandshake();
            return new Connection(endpoint, s, config.responseLimits(), readTimeout);
        } catch (IOException | RuntimeException e) {
            try {
                raw.close();
            } catch (IOException ignored) {
                // already failing
            }
            throw e instanceof IOException io ? io : new IOException("TLS setup failed: " + e.getMessage(), e);
        }
    }

    private static boolean isIpLiteral(String host) {
        return host.indexOf(':') >= 0 || host.chars().allMatch(c -> c == '.' || Character.isDigit(c));
    }

    KmipEndpoint endpoint() {
        return endpoint;
    }

    boolean reused() {
        return reused;
    }

    void markReused() {
        reused = true;
    }

    long idleNanos() {
        return System.nanoTime() - lastUsedNanos;
    }

    void write(byte[] request) throws IOException {
        out.write(request);
        out.flush();
    }

    /** Reads one response message; a clean end of stream before it is an IOException. */
    byte[] read() throws IOException, KmsException {
        byte[] response = reader.readMessageBytes().orElseThrow(
                () -> new java.io.EOFException("connection to " + endpoint + " closed before the response"));
        lastUsedNanos = System.nanoTime();
        return response;
    }

    /**
     * True when the peer has not closed the connection: a 1 ms read must time out. Data or end of
     * stream here means the connection is unusable (KMIP servers never send unsolicited data).
     */
    boolean probeAlive() {
        try {
            socket.setSoTimeout(1);
            try {
                in.read();
                return false;
            } catch (SocketTimeoutException e) {
                return true;
            } finally {
                socket.setSoTimeout(readTimeoutMillis);
            }
        } catch (IOException e) {
            return false;
        }
    }

    boolean isClosed() {
        return socket.isClosed();
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing is best effort
        }
    }

    static InvalidRequestException badResponse(String message) {
        return new InvalidRequestException(ResultReason.INVALID_MESSAGE, message, null);
    }
}
