package io.kekvault.kms.server.kmip;

import static io.kekvault.kms.testkit.KmipWire.payload;
import static org.assertj.core.api.Assertions.assertThat;

import io.kekvault.kmip.error.ResultReason;
import io.kekvault.kmip.message.Operation;
import io.kekvault.kmip.message.ProtocolVersion;
import io.kekvault.kmip.message.QueryFunction;
import io.kekvault.kmip.message.RequestMessage;
import io.kekvault.kmip.message.ResponseMessage;
import io.kekvault.kmip.message.ResultStatus;
import io.kekvault.kmip.ttlv.Tag;
import io.kekvault.kmip.ttlv.TtlvEncoder;
import io.kekvault.kms.testkit.KmipWire;
import io.kekvault.kms.testkit.KmsTestEnv;
import io.kekvault.kms.testkit.SoftHsmExtension;
import io.kekvault.kms.testkit.SoftHsmToken;
import io.kekvault.pki.tls.TlsContext;
import io.kekvault.pki.tls.TlsMaterial;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The KMIP listener's TLS and connection handling: who is refused and how, idle and half-sent
 * messages, and TLS session resumption (checked with the JDK for TLS 1.2 and the openssl CLI for
 * TLS 1.3). The idle timeout is 2 seconds here.
 */
@ExtendWith(SoftHsmExtension.class)
class KmipTlsTest {
    static KmsTestEnv env;

    @BeforeAll
    static void start(SoftHsmToken token) throws Exception {
        env = KmsTestEnv.prepare(token, "", "  idle-timeout-seconds: 2").start();
    }

    @AfterAll
    static void stop() {
        env.close();
    }

    static RequestMessage query() {
        return KmipWire.request(ProtocolVersion.V1_4, Operation.QUERY,
                payload().enumeration(Tag.QUERY_FUNCTION, QueryFunction.QUERY_SERVER_INFORMATION).build());
    }

    /** A client the TLS layer lets through but the KMS refuses: one KMIP answer, then the connection closes. */
    static void assertRefused(SSLContext ssl, String why) throws Exception {
        try (KmipWire w = KmipWire.connect(ssl, env.kmipPort(), Duration.ofSeconds(20))) {
            ResponseMessage r = w.exchange(query());
            assertThat(r.protocolVersion()).isEqualTo(ProtocolVersion.V1_4);
            assertThat(r.batchItems()).singleElement().satisfies(i -> {
                assertThat(i.resultStatus()).isEqualTo(ResultStatus.OPERATION_FAILED);
                assertThat(i.resultReason()).isEqualTo(ResultReason.AUTHENTICATION_NOT_SUCCESSFUL);
                assertThat(i.resultMessage()).contains(why);
            });
            assertThat(w.closedByServer()).as("the connection is closed after the refusal").isTrue();
        }
    }

    @Test
    void clientWithoutCertificate_getsAuthenticationNotSuccessfulAndIsHungUpOn() throws Exception {
        assertRefused(TlsContext.client(TlsMaterial.trustOnly(env.pki().resolve("ca.pem"))).sslContext(), "client certificate is required");
    }

    @Test
    void certificateFromAnotherCa_getsAuthenticationNotSuccessful() throws Exception {
        TlsMaterial foreign = TlsMaterial.load(env.foreignPki().resolve("admin.pem"), env.foreignPki().resolve("admin.key"),
                env.pki().resolve("ca.pem"));
        // a JDK client sends no certificate the server's CA list does not name...
        assertRefused(TlsContext.client(foreign).sslContext(), "client certificate is required");
        // ...one that insists on sending it is refused for the certificate itself
        assertRefused(io.kekvault.kms.testkit.InsistentClient.sslContext(foreign, env.pki().resolve("ca.pem")),
                "not issued by this KMS's CA");
    }

    @Test
    void expiredCertificate_getsAuthenticationNotSuccessful() throws Exception {
        assertRefused(env.tls("expired").sslContext(), "expired");
    }

    @Test
    void refusals_areAudited() throws Exception {
        assertRefused(TlsContext.client(TlsMaterial.trustOnly(env.pki().resolve("ca.pem"))).sslContext(), "certificate");
        assertThat(Files.readAllLines(env.auditFile())).anyMatch(l -> l.contains("\"identity\":\"unauthenticated\"")
                && l.contains("\"op\":\"KMIP\"") && l.contains("authentication_not_successful"));
    }

    @Test
    void idleConnection_isClosedAfterTheIdleTimeout() throws Exception {
        try (KmipWire w = KmipWire.connect(env.tls("kmip-client").sslContext(), env.kmipPort(), Duration.ofSeconds(20))) {
            assertThat(w.exchange(query()).batchItems().getFirst().isSuccess()).isTrue();
            assertThat(w.exchange(query()).batchItems().getFirst().isSuccess()).as("still open right after a request").isTrue();
            assertThat(w.closedByServer()).as("closed once idle for the timeout").isTrue();
        }
    }

    @Test
    void halfSentMessage_isDroppedWithTheConnection() throws Exception {
        try (KmipWire w = KmipWire.connect(env.tls("kmip-client").sslContext(), env.kmipPort(), Duration.ofSeconds(20))) {
            byte[] full = TtlvEncoder.encode(query().toTtlv());
            w.send(java.util.Arrays.copyOf(full, full.length / 2));
            assertThat(w.closedByServer()).isTrue();
        }
    }

    @Test
    void tls12Session_isResumedOnTheNextConnection_andTheClientIsStillKnown() throws Exception {
        SSLContext ctx = env.tls("kmip-client").sslContext();
        byte[] first;
        try (SSLSocket s = tls12(ctx)) {
            first = s.getSession().getId();
        }
        try (SSLSocket s = tls12(ctx)) {
            assertThat(s.getSession().getId()).as("same session: resumed, no full handshake").isEqualTo(first);
            s.getOutputStream().write(TtlvEncoder.encode(query().toTtlv()));
            s.getOutputStream().flush();
            var bytes = new io.kekvault.kmip.ttlv.TtlvStreamReader(s.getInputStream(), io.kekvault.kmip.ttlv.TtlvLimits.DEFAULT)
                    .readMessageBytes().orElseThrow();
            ResponseMessage r = ResponseMessage.fromTtlv(io.kekvault.kmip.ttlv.TtlvDecoder.decode(bytes));
            assertThat(r.batchItems().getFirst().isSuccess()).as("the resumed session still carries the client certificate").isTrue();
        }
    }

    static SSLSocket tls12(SSLContext ctx) throws IOException {
        Socket raw = new Socket();
        raw.connect(new InetSocketAddress("127.0.0.1", env.kmipPort()), 10_000);
        raw.setSoTimeout(20_000);
        SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket(raw, "127.0.0.1", env.kmipPort(), true);
        s.setEnabledProtocols(new String[] {"TLSv1.2"});
        s.startHandshake();
        return s;
    }

    @Test
    void tls13Session_isResumedByOpenssl() throws Exception {
        Path dir = Files.createTempDirectory(env.dir(), "openssl-");
        Path request = dir.resolve("query.bin");
        Files.write(request, TtlvEncoder.encode(query().toTtlv()));
        Path session = dir.resolve("session.pem");
        // The first connection sends a request, reads the answer (the session ticket comes first)
        // and ends when the server closes the idle connection.
        String first = openssl(request, "-sess_out", session.toString());
        assertThat(first).contains("New, TLSv1.3");
        assertThat(session).isNotEmptyFile();
        String second = openssl(request, "-sess_in", session.toString());
        assertThat(second).contains("Reused, TLSv1.3");
        assertThat(second.getBytes(StandardCharsets.ISO_8859_1)).as("the resumed connection was answered")
                .containsSubsequence(new byte[] {0x42, 0x00, 0x7B, 0x01});
    }

    static String openssl(Path stdin, String... extra) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("openssl", "s_client", "-connect", "127.0.0.1:" + env.kmipPort(),
                "-tls1_3", "-ign_eof", "-cert", env.pemFile("kmip-client", "pem").toString(),
                "-key", env.pemFile("kmip-client", "key").toString(), "-CAfile", env.pki().resolve("ca.pem").toString()));
        cmd.addAll(List.of(extra));
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectInput(stdin.toFile()).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new AssertionError("the openssl CLI is required for this test: apt-get install openssl", e);
        }
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("openssl s_client ends when the server closes the idle connection").isTrue();
        return new String(out, StandardCharsets.ISO_8859_1);
    }
}
