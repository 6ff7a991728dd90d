package io.kekvault.pki.tls;

import io.kekvault.pki.PkiException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyManagementException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.function.Supplier;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLContextSpi;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLServerSocketFactory;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;

/**
 * An {@link SSLContext} for one side of mutual TLS that enforces {@link TlsPolicy} by itself:
 * every socket, server socket and engine it makes starts with the policy's protocols and suites,
 * a server requires a client certificate, a client checks the server's host name, and its
 * default parameters are the policy's. So code that is handed {@link #sslContext()} (for example
 * {@code HttpClient.newBuilder().sslContext(...)}) cannot accidentally accept TLS 1.1 or a client
 * without a certificate. Peers are trusted only if they chain to the material's CA bundle and
 * carry the right extended key usage (serverAuth for servers, clientAuth for clients).
 */
public final class TlsContext {

    /** Which end of the connection the context is for. */
    public enum Side { SERVER, CLIENT }

    private final Side side;
    private final SSLContext context;

    private TlsContext(Side side, SSLContext context) {
        this.side = side;
        this.context = context;
    }

    /** A server context; the material must include a certificate and key. */
    public static TlsContext server(TlsMaterial material) throws PkiException {
        if (!material.hasCertificate()) {
            throw new PkiException(PkiException.Reason.INVALID_INPUT, "a TLS server needs a certificate and key");
        }
        return create(Side.SERVER, material, TlsPolicy::serverParameters);
    }

    /** A client context; presents the material's certificate if it has one. */
    public static TlsContext client(TlsMaterial material) throws PkiException {
        return create(Side.CLIENT, material, TlsPolicy::clientParameters);
    }

    private static TlsContext create(Side side, TlsMaterial material, Supplier<SSLParameters> parameters)
            throws PkiException {
        try {
            SSLContext delegate = SSLContext.getInstance("TLS");
            KeyManager[] keyManagers = material.hasCertificate() ? material.keyManagerFactory().getKeyManagers() : null;
            TrustManager[] trustManagers = material.trustManagerFactory().getTrustManagers();
            delegate.init(keyManagers, trustManagers, new SecureRandom());
            SSLContext enforcing = new SSLContext(new PolicySpi(delegate, parameters), delegate.getProvider(),
                    delegate.getProtocol()) {
            };
            return new TlsContext(side, enforcing);
        } catch (GeneralSecurityException e) {
            throw new PkiException(PkiException.Reason.CRYPTO_FAILURE, "cannot initialize TLS context", e);
        }
    }

    public Side side() {
        return side;
    }

    /** The policy-enforcing context (already initialized; calling {@code init} on it is refused). */
    public SSLContext sslContext() {
        return context;
    }

    /** Fresh policy parameters for this side (for APIs that take them separately, e.g. {@code HttpClient}). */
    public SSLParameters sslParameters() {
        return side == Side.SERVER ? TlsPolicy.serverParameters() : TlsPolicy.clientParameters();
    }

    /** A bound server socket (server contexts only); accepted sockets inherit the policy. */
    public SSLServerSocket serverSocket(InetAddress bindAddress, int port, int backlog) throws IOException {
        requireSide(Side.SERVER);
        return (SSLServerSocket) context.getServerSocketFactory().createServerSocket(port, backlog, bindAddress);
    }

    /**
     * Connects to {@code host:port} and completes the handshake (client contexts only); the server
     * certificate must name {@code host} (a DNS or IP SAN). {@code timeout} bounds the connect and
     * the handshake; the returned socket has no read timeout.
     */
    public SSLSocket connect(String host, int port, Duration timeout) throws IOException {
        requireSide(Side.CLIENT);
        int millis = Math.toIntExact(Math.max(1, timeout.toMillis()));
        Socket raw = new Socket();
        SSLSocket socket = null;
        try {
            raw.connect(new InetSocketAddress(host, port), millis);
            raw.setSoTimeout(millis);
            socket = (SSLSocket) context.getSocketFactory().createSocket(raw, host, port, true);
            socket.startHandshake();
            socket.setSoTimeout(0);
            return socket;
        } catch (IOException | RuntimeException e) {
            (socket != null ? socket : raw).close();
            throw e;
        }
    }

    /** A server-mode engine (server contexts) or a client-mode engine for {@code peerHost} (client contexts). */
    public SSLEngine createEngine(String peerHost, int peerPort) {
        SSLEngine engine = context.createSSLEngine(peerHost, peerPort);
        engine.setUseClientMode(side == Side.CLIENT);
        return engine;
    }

    private void requireSide(Side expected) {
        if (side != expected) {
            throw new IllegalStateException("this is a " + side + " TLS context");
        }
    }

    @Override
    public String toString() {
        return "TlsContext[" + side + "]";
    }

    private static String[] policySuites() {
        return TlsPolicy.CIPHER_SUITES.toArray(String[]::new);
    }

    /** Delegates to a real context and applies the policy to everything it hands out. */
    private static final class PolicySpi extends SSLContextSpi {
        private final SSLContext delegate;
        private final Supplier<SSLParameters> parameters;

        PolicySpi(SSLContext delegate, Supplier<SSLParameters> parameters) {
            this.delegate = delegate;
            this.parameters = parameters;
        }

        @Override
        protected void engineInit(KeyManager[] km, TrustManager[] tm, SecureRandom sr) throws KeyManagementException {
            throw new KeyManagementException("this context is already initialized from TLS material");
        }

        @Override
        protected SSLSocketFactory engineGetSocketFactory() {
            return new PolicySocketFactory(delegate.getSocketFactory(), parameters);
        }

        @Override
        protected SSLServerSocketFactory engineGetServerSocketFactory() {
            return new PolicyServerSocketFactory(delegate.getServerSocketFactory(), parameters);
        }

        @Override
        protected SSLEngine engineCreateSSLEngine() {
            SSLEngine engine = delegate.createSSLEngine();
            engine.setSSLParameters(parameters.get());
            return engine;
        }

        @Override
        protected SSLEngine engineCreateSSLEngine(String host, int port) {
            SSLEngine engine = delegate.createSSLEngine(host, port);
            engine.setSSLParameters(parameters.get());
            return engine;
        }

        @Override
        protected SSLSessionContext engineGetServerSessionContext() {
            return delegate.getServerSessionContext();
        }

        @Override
        protected SSLSessionContext engineGetClientSessionContext() {
            return delegate.getClientSessionContext();
        }

        @Override
        protected SSLParameters engineGetDefaultSSLParameters() {
            return parameters.get();
        }

        @Override
        protected SSLParameters engineGetSupportedSSLParameters() {
            return parameters.get();
        }
    }

    private static final class PolicySocketFactory extends SSLSocketFactory {
        private final SSLSocketFactory delegate;
        private final Supplier<SSLParameters> parameters;

        PolicySocketFactory(SSLSocketFactory delegate, Supplier<SSLParameters> parameters) {
            this.delegate = delegate;
            this.parameters = parameters;
        }

        private Socket apply(Socket socket) {
            ((SSLSocket) socket).setSSLParameters(parameters.get());
            return socket;
        }

        @Override
        public String[] getDefaultCipherSuites() {
            return policySuites();
        }

        @Override
        public String[] getSupportedCipherSuites() {
            return policySuites();
        }

        @Override
        public Socket createSocket() throws IOException {
            return apply(delegate.createSocket());
        }

        @Override
        public Socket createSocket(Socket s, String host, int port, boolean autoClose) throws IOException {
            return apply(delegate.createSocket(s, host, port, autoClose));
        }

        @Override
        public Socket createSocket(Socket s, InputStream consumed, boolean autoClose) throws IOException {
            return apply(delegate.createSocket(s, consumed, autoClose));
        }

        @Override
        public Socket createSocket(String host, int port) throws IOException {
            return apply(delegate.createSocket(host, port));
        }

        @Override
        public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
            return apply(delegate.createSocket(host, port, localHost, localPort));
        }

        @Override
        public Socket createSocket(InetAddress host, int port) throws IOException {
            return apply(delegate.createSocket(host, port));
        }

        @Override
        public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
                throws IOException {
            return apply(delegate.createSocket(address, port, localAddress, localPort));
        }
    }

    private static final class PolicyServerSocketFactory extends SSLServerSocketFactory {
        private final SSLServerSocketFactory delegate;
        private final Supplier<SSLParameters> parameters;

        PolicyServerSocketFactory(SSLServerSocketFactory delegate, Supplier<SSLParameters> parameters) {
            this.delegate = delegate;
            this.parameters = parameters;
        }

        private ServerSocket apply(ServerSocket socket) {
            ((SSLServerSocket) socket).setSSLParameters(parameters.get());
            return socket;
        }

        @Override
        public String[] getDefaultCipherSuites() {
            return policySuites();
        }

        @Override
        public String[] getSupportedCipherSuites() {
            return policySuites();
        }

        @Override
        public ServerSocket createServerSocket() throws IOException {
            return apply(delegate.createServerSocket());
        }

        @Override
        public ServerSocket createServerSocket(int port) throws IOException {
            return apply(delegate.createServerSocket(port));
        }

        @Override
        public ServerSocket createServerSocket(int port, int backlog) throws IOException {
            return apply(delegate.createServerSocket(port, backlog));
        }

        @Override
        public ServerSocket createServerSocket(int port, int backlog, InetAddress ifAddress) throws IOException {
            return apply(delegate.createServerSocket(port, backlog, ifAddress));
        }
    }
}
