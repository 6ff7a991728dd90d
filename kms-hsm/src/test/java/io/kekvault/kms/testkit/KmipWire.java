package io.kekvault.kms.testkit;

import io.kekvault.kmip.message.BatchItemId;
import io.kekvault.kmip.message.Operation;
import io.kekvault.kmip.message.ProtocolVersion;
import io.kekvault.kmip.message.RequestBatchItem;
import io.kekvault.kmip.message.RequestHeader;
import io.kekvault.kmip.message.RequestMessage;
import io.kekvault.kmip.message.ResponseMessage;
import io.kekvault.kmip.ttlv.Tag;
import io.kekvault.kmip.ttlv.TtlvDecoder;
import io.kekvault.kmip.ttlv.TtlvEncoder;
import io.kekvault.kmip.ttlv.TtlvLimits;
import io.kekvault.kmip.ttlv.TtlvStreamReader;
import io.kekvault.kmip.ttlv.TtlvStructure;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * A raw KMIP connection for tests that send bytes no client would: one TLS socket, bytes out,
 * one response message (or the end of the stream) in.
 */
public final class KmipWire implements AutoCloseable {
    private final SSLSocket socket;
    private final OutputStream out;
    private final InputStream in;

    private KmipWire(SSLSocket socket) throws IOException {
        this.socket = socket;
        this.out = socket.getOutputStream();
        this.in = socket.getInputStream();
    }

    /** Connects and completes the handshake; {@code readTimeout} bounds every later read. */
    public static KmipWire connect(SSLContext ssl, int port, Duration readTimeout) throws IOException {
        Socket raw = new Socket();
        raw.setTcpNoDelay(true);
        raw.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
        raw.setSoTimeout((int) readTimeout.toMillis());
        SSLSocket s = (SSLSocket) ssl.getSocketFactory().createSocket(raw, "127.0.0.1", port, true);
        s.startHandshake();
        return new KmipWire(s);
    }

    public SSLSocket socket() {
        return socket;
    }

    public void send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** The next response message, or empty when the server closed the connection. */
    public Optional<ResponseMessage> receive() throws Exception {
        Optional<byte[]> bytes = new TtlvStreamReader(in, TtlvLimits.DEFAULT).readMessageBytes();
        if (bytes.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(ResponseMessage.fromTtlv(TtlvDecoder.decode(bytes.get())));
    }

    public ResponseMessage exchange(RequestMessage request) throws Exception {
        send(TtlvEncoder.encode(request.toTtlv()));
        return receive().orElseThrow(() -> new AssertionError("the server closed the connection instead of answering"));
    }

    /** True when the server has closed the connection (end of stream or reset) within the read timeout. */
    public boolean closedByServer() throws IOException {
        try {
            return in.read() < 0;
        } catch (SocketTimeoutException stillOpen) {
            return false;
        } catch (IOException reset) {
            return true;
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    // ------------------------------------------------------------------ message builders

    public static RequestMessage request(ProtocolVersion v, Operation op, TtlvStructure payload) {
        return RequestMessage.of(RequestHeader.of(v), RequestBatchItem.of(op, null, payload));
    }

    public static RequestMessage batch(RequestHeader header, RequestBatchItem... items) {
        return new RequestMessage(header, Arrays.asList(items));
    }

    public static RequestBatchItem item(Operation op, int id, TtlvStructure payload) {
        return RequestBatchItem.of(op, BatchItemId.ofInt(id), payload);
    }

    public static TtlvStructure.Builder payload() {
        return TtlvStructure.builder(Tag.REQUEST_PAYLOAD);
    }

    public static TtlvStructure uid(String id) {
        return payload().text(Tag.UNIQUE_IDENTIFIER, id).build();
    }
}
