package io.kekvault.pki.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kekvault.pki.Identity;
import io.kekvault.pki.InitOptions;
import io.kekvault.pki.IssueOptions;
import io.kekvault.pki.KeyAlgorithm;
import io.kekvault.pki.PkiDirectory;
import io.kekvault.pki.PkiException;
import io.kekvault.pki.PkiService;
import java.io.BufferedReader;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.CertificateExpiredException;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real handshakes over loopback sockets between contexts built from PKI directories. */
class MutualTlsTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @TempDir
    static Path tmp;
    static PkiDirectory ec;
    static PkiDirectory rsa;
    static PkiDirectory foreign;

    @BeforeAll
    static void createPkis() throws Exception {
        PkiService pki = new PkiService();
        ec = PkiDirectory.of(tmp.resolve("ec"));
        rsa = PkiDirectory.of(tmp.resolve("rsa"));
        foreign = PkiDirectory.of(tmp.resolve("foreign"));
        pki.init(ec.root(), InitOptions.defaults());
        pki.init(rsa.root(), InitOptions.defaults().withKeyAlgorithm(KeyAlgorithm.RSA_2048));
        pki.init(foreign.root(), InitOptions.defaults());
        pki.issue(ec.root(), "esxi-h1", "host", IssueOptions.defaults());
        pki.issue(ec.root(), "expired", "host", IssueOptions.defaults().withValidityPeriod(
                Instant.now().minus(Duration.ofDays(2)), Instant.now().minus(Duration.ofDays(1))));
        pki.issue(ec.root(), "intruder", "admin", IssueOptions.defaults().withSigningCaDir(foreign.root()));
        pki.issue(rsa.root(), "vcenter", "admin", IssueOptions.defaults().withKeyAlgorithm(KeyAlgorithm.RSA_2048));
    }

    static TlsContext server(PkiDirectory dir) throws PkiException {
        return TlsContext.server(TlsMaterial.server(dir));
    }

    static TlsContext client(PkiDirectory dir, String identity) throws PkiException {
        return TlsContext.client(TlsMaterial.client(dir, new Identity(identity)));
    }

    /** Connects to localhost, reads the server's greeting line. */
    static String exchange(TlsContext client, int port) throws IOException {
        try (SSLSocket socket = client.connect("localhost", port, TIMEOUT)) {
            return readGreeting(socket);
        }
    }

    static String readGreeting(SSLSocket socket) throws IOException {
        socket.setSoTimeout((int) TIMEOUT.toMillis());
        String line = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII)).readLine();
        if (line == null) {
            throw new EOFException("server closed the connection without a greeting");
        }
        return line;
    }

    @Test
    void mutualTls13_succeeds_andTheServerSeesTheClientIdentity() throws Exception {
        try (TlsTestServer server = new TlsTestServer(server(ec))) {
            String greeting = exchange(client(ec, "esxi-h1"), server.port());

            assertThat(greeting).startsWith("hello esxi-h1 TLSv1.3 ");
            assertThat(greeting.split(" ")[3]).isIn(TlsPolicy.TLS13_CIPHER_SUITES);
            assertThat(server.nextOutcome().greeting()).isEqualTo(greeting);
        }
    }

    @Test
    void mutualTls12_succeedsWithAnEcdheAeadSuite() throws Exception {
        try (TlsTestServer server = new TlsTestServer(server(ec))) {
            TlsContext client = client(ec, "esxi-h1");
            try (SSLSocket socket = (SSLSocket) client.sslContext().getSocketFactory().createSocket("localhost", server.port())) {
                socket.setEnabledProtocols(new String[] {"TLSv1.2"});
                socket.startHandshake();
                assertThat(socket.getSession().getProtocol()).isEqualTo("TLSv1.2");
                assertThat(socket.getSession().getCipherSuite()).startsWith("TLS_ECDHE_ECDSA_").isIn(TlsPolicy.TLS12_CIPHER_SUITES);
                assertThat(readGreeting(socket)).startsWith("hello esxi-h1 TLSv1.2 TLS_ECDHE_ECDSA_");
            }
            assertThat(server.nextOutcome().succeeded()).isTrue();
        }
    }

    @Test
    void rsaPki_handshakesOverTls13AndTls12() throws Exception {
        try (TlsTestServer server = new TlsTestServer(server(rsa))) {
            TlsContext client = client(rsa, "vcenter");
            assertThat(exchange(client, server.port())).startsWith("hello vcenter TLSv1.3 ");
            try (SSLSocket socket = (SSLSocket) client.sslContext().getSocketFactory().createSocket("127.0.0.1", server.port())) {
                socket.setEnabledProtocols(new String[] {"TLSv1.2"});
                assertThat(readGreeting(socket)).startsWith("hello vcenter TLSv1.2 TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384");
            }
        }
    }

    @Test
    void clientWithoutCertificate_isRefused() throws Exception {
        try (TlsTestServer server = new TlsTestServer(server(ec))) {
            TlsContext anonymous = TlsContext.client(TlsMaterial.trustOnly(ec.caCertificate()));

            assertThatThrownBy(() -> exchange(anonymous, server.port())).isInstanceOf(IOException.class);

            TlsTestServer.Outcome outcome = server.nextOutcome();
            assertThat(outcome.error()).isInstanceOf(SSLHandshakeException.class);
            assertThat(outcome.error()).hasMessageContaining("Empty client certificate chain");
        }
    }

    @Test
    void clientWithCertificateFromAnotherCa_isRefused() throws Exception {
        // Trusts our CA (so it accepts the server) but its own certificate comes from the foreign CA.
        TlsMaterial intruder = TlsMaterial.load(ec.certificate(new Identity("intruder")),
                ec.key(new Identity("intruder")), ec.caCertificate());
        try (TlsTestServer server = new TlsTestServer(server(ec))) {
            // A JSSE client only offers a certificate whose issuer the server names, so it sends none...
            assertThatThrownBy(() -> exchange(TlsContext.client(intruder), server.port())).isInstanceOf(IOException.class);
            assertThat(server.nextOutcome().error()).isInstanceOf(SSLHandshakeException.class);

            // ...and a client that sends it anyway is refused for the certificate itself.
            assertThatThrownBy(() -> {
                try (SSLSocket socket = StubbornClient.connect(intruder, server.port())) {
                    readGreeting(socket);
                }
            }).isInstanceOf(IOException.class);
            TlsTestServer.Outcome outcome = server.nextOutcome();
            assertThat(outcome.error()).isInstanceOf(SSLHandshakeException.class)
                    .hasStackTraceContaining("unable to find valid certification path");
        }
    }

    @Test
    void clientWithExpiredCertificate_isRefused() throws Exception {
        try (TlsTestServer server = new TlsTestServer(server(ec))) {
            assertThatThrownBy(() -> exchange(client(ec, "expired"), server.port())).isInstanceOf(IOException.class);

            TlsTestServer.Outcome outcome = server.nextOutcome();
            assertThat(outcome.error()).isInstanceOf(SSLHandshakeException.class)
                    .hasRootCauseInstanceOf(CertificateExpiredException.class);
        }
    }

    @Test
    void clientPresentingTheServerCertificate_isRefusedForItsKeyUsage() throws Exception {
        try (TlsTestServer server = new TlsTestServer(server(ec))) {
            TlsContext impostor = TlsContext.client(TlsMaterial.server(ec));

            assertThatThrownBy(() -> exchange(impostor, server.port())).isInstanceOf(IOException.class);

            assertThat(server.nextOutcome().error()).isInstanceOf(SSLHandshakeException.class)
                    .hasStackTraceContaining("Extended key usage does not permit use for TLS client authentication");
        }
    }

    @Test
    void client_refusesAServerFromAnotherCa() throws Exception {
        try (TlsTestServer server = new TlsTestServer(server(foreign))) {
            assertThatThrownBy(() -> exchange(client(ec, "esxi-h1"), server.port()))
                    .isInstanceOf(SSLHandshakeException.class)
                    .hasStackTraceContaining("unable to find valid certification path");
            assertThat(server.nextOutcome().succeeded()).isFalse();
        }
    }

    @Test
    void client_refusesAServerPresentingAClientCertificate() throws Exception {
        TlsMaterial clientAsServer = TlsMaterial.client(ec, new Identity("esxi-h1"));
        try (TlsTestServer server = new TlsTestServer(TlsContext.server(clientAsServer))) {
            assertThatThrownBy(() -> exchange(client(ec, "esxi-h1"), server.port()))
                    .isInstanceOf(SSLHandshakeException.class)
                    .hasStackTraceContaining("Extended key usage does not permit use for TLS server authentication");
            assertThat(server.nextOutcome().succeeded()).isFalse();
        }
    }

    @Test
    void client_refusesAServerWhoseCertificateDoesNotNameTheHost() throws Exception {
        try (TlsTestServer server = new TlsTestServer(server(ec))) {
            TlsContext client = client(ec, "esxi-h1");
            Socket raw = new Socket();
            raw.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port()), (int) TIMEOUT.toMillis());
            try (SSLSocket socket = (SSLSocket) client.sslContext().getSocketFactory()
                    .createSocket(raw, "kms.other.example", server.port(), true)) {
                assertThatThrownBy(socket::startHandshake).isInstanceOf(SSLHandshakeException.class)
                        .hasStackTraceContaining("No subject alternative DNS name matching kms.other.example");
            }
            assertThat(server.nextOutcome().succeeded()).isFalse();
        }
    }

    @Test
    void everySocketAndEngine_carriesThePolicy() throws Exception {
        TlsContext serverContext = server(ec);
        TlsContext clientContext = client(ec, "esxi-h1");
        String[] protocols = TlsPolicy.PROTOCOLS.toArray(String[]::new);
        String[] suites = TlsPolicy.CIPHER_SUITES.toArray(String[]::new);

        try (SSLServerSocket socket = serverContext.serverSocket(InetAddress.getLoopbackAddress(), 0, 1)) {
            assertThat(socket.getEnabledProtocols()).containsExactly(protocols);
            assertThat(socket.getEnabledCipherSuites()).containsExactly(suites);
            assertThat(socket.getNeedClientAuth()).isTrue();
        }
        // Through the plain JSSE entry points too, as a library handed the SSLContext would use them.
        SSLContext context = serverContext.sslContext();
        try (SSLServerSocket socket = (SSLServerSocket) context.getServerSocketFactory().createServerSocket()) {
            assertThat(socket.getEnabledProtocols()).containsExactly(protocols);
            assertThat(socket.getNeedClientAuth()).isTrue();
        }
        SSLEngine serverEngine = context.createSSLEngine();
        assertThat(serverEngine.getEnabledProtocols()).containsExactly(protocols);
        assertThat(serverEngine.getEnabledCipherSuites()).containsExactly(suites);
        assertThat(serverEngine.getNeedClientAuth()).isTrue();
        assertThat(context.getDefaultSSLParameters().getNeedClientAuth()).isTrue();
        assertThat(context.getDefaultSSLParameters().getProtocols()).containsExactly(protocols);

        SSLEngine clientEngine = clientContext.createEngine("localhost", 5696);
        assertThat(clientEngine.getUseClientMode()).isTrue();
        assertThat(clientEngine.getEnabledProtocols()).containsExactly(protocols);
        assertThat(clientEngine.getSSLParameters().getEndpointIdentificationAlgorithm()).isEqualTo("HTTPS");
        try (SSLSocket socket = (SSLSocket) clientContext.sslContext().getSocketFactory().createSocket()) {
            assertThat(socket.getEnabledProtocols()).containsExactly(protocols);
            assertThat(socket.getEnabledCipherSuites()).containsExactly(suites);
        }
        assertThatThrownBy(() -> context.init(null, null, null)).isInstanceOf(java.security.KeyManagementException.class);
    }

    @Test
    void policySuites_areAllSupportedByTheJdk_andNothingOlderThanTls12IsEnabled() throws Exception {
        SSLParameters supported = SSLContext.getDefault().getSupportedSSLParameters();
        assertThat(Arrays.asList(supported.getCipherSuites())).containsAll(TlsPolicy.CIPHER_SUITES);
        assertThat(TlsPolicy.PROTOCOLS).containsExactly("TLSv1.3", "TLSv1.2");
        assertThat(TlsPolicy.CIPHER_SUITES).allSatisfy(s -> assertThat(s).containsAnyOf("_GCM_", "_CHACHA20_POLY1305_"))
                .filteredOn(s -> s.contains("_WITH_")).allSatisfy(s -> assertThat(s).startsWith("TLS_ECDHE_"));
    }

    @Test
    void materialForOtherLibraries_buildsAWorkingServerWhenConfiguredFromThePolicyConstants() throws Exception {
        // What a Vert.x integration does: factories from TlsMaterial, protocols/suites/client auth from TlsPolicy.
        TlsMaterial material = TlsMaterial.server(ec);
        SSLContext plain = SSLContext.getInstance("TLS");
        plain.init(material.keyManagerFactory().getKeyManagers(), material.trustManagerFactory().getTrustManagers(), null);
        assertThat(material.keyStore("pw".toCharArray()).isKeyEntry("identity")).isTrue();
        assertThat(material.trustStore().isCertificateEntry("ca-0")).isTrue();
        assertThat(material.certificateChainFile()).contains(ec.serverCertificate());
        assertThat(material.privateKeyFile()).contains(ec.serverKey());
        assertThat(material.caBundleFile()).contains(ec.caCertificate());
        assertThat(material.toString()).contains("<redacted>").doesNotContain("PRIVATE");

        try (SSLServerSocket socket = (SSLServerSocket) plain.getServerSocketFactory()
                .createServerSocket(0, 4, InetAddress.getLoopbackAddress())) {
            socket.setSSLParameters(TlsPolicy.serverParameters());
            Thread serverThread = Thread.ofVirtual().start(() -> {
                try (SSLSocket accepted = (SSLSocket) socket.accept()) {
                    accepted.startHandshake();
                    accepted.getOutputStream().write(("hello " + Identity.fromSession(accepted.getSession()) + "\n")
                            .getBytes(StandardCharsets.US_ASCII));
                } catch (Exception ignored) {
                    // The client's assertion reports the failure.
                }
            });
            assertThat(exchange(client(ec, "esxi-h1"), socket.getLocalPort())).isEqualTo("hello esxi-h1");
            serverThread.join();
        }
    }

    @Test
    void serverContext_withoutCertificate_isRefused() throws Exception {
        assertThatThrownBy(() -> TlsContext.server(TlsMaterial.trustOnly(ec.caCertificate())))
                .isInstanceOf(PkiException.class);
        assertThatThrownBy(() -> client(ec, "esxi-h1").serverSocket(InetAddress.getLoopbackAddress(), 0, 1))
                .isInstanceOf(IllegalStateException.class);
        assertThat(List.of(TlsContext.Side.values())).hasSize(2);
    }
}
