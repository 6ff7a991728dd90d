package io.kekvault.bridge.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.kekvault.bridge.auth.Tokens;
import io.kekvault.bridge.client.BridgeClient;
import io.kekvault.bridge.config.BridgeConfig;
import io.kekvault.pki.Identity;
import io.kekvault.pki.InitOptions;
import io.kekvault.pki.IssueOptions;
import io.kekvault.pki.PkiDirectory;
import io.kekvault.pki.PkiService;
import io.kekvault.pki.tls.TlsContext;
import io.kekvault.pki.tls.TlsMaterial;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The operator API over HTTPS: client certificates mapped to users, tokens still accepted, strangers refused. */
class BridgeTlsTest {

    @Test
    void clientCertificate_signsInAsItsUser_otherCertificatesGetNoService(@TempDir Path dir) throws Exception {
        PkiService pki = new PkiService();
        Path ca = dir.resolve("pki");
        pki.init(ca, InitOptions.defaults());
        pki.issue(ca, "bob", "admin", IssueOptions.defaults());
        pki.issue(ca, "mallory", "admin", IssueOptions.defaults());
        Path foreign = dir.resolve("foreign");
        pki.init(foreign, InitOptions.defaults());
        pki.issue(foreign, "bob", "admin", IssueOptions.defaults());
        String token = "tls-admin-token";
        Path cfg = dir.resolve("bridge.yaml");
        Files.writeString(cfg, "listen:\n  host: 127.0.0.1\n  port: 0\n  tls: {cert: pki/server.pem, key: pki/server.key, client-ca: pki/ca.pem}\n"
                + "users:\n  - {name: bob, role: ReadOnly, certificate-cn: bob}\n"
                + "  - {name: alice, role: Admin, token-sha256: " + Tokens.sha256(token) + "}\n");
        try (BridgeServer server = BridgeServer.start(BridgeConfig.load(cfg))) {
            URI base = URI.create(server.url());
            assertThat(base.getScheme()).isEqualTo("https");

            TlsContext bob = TlsContext.client(TlsMaterial.client(PkiDirectory.of(ca), Identity.parse("bob")));
            JsonNode session = new BridgeClient(base, null, bob.sslContext()).get("/session");
            assertThat(session.path("user").asText()).isEqualTo("bob");
            assertThat(session.path("method").asText()).isEqualTo("certificate");
            assertThat(session.path("role").asText()).isEqualTo("ReadOnly");

            TlsContext trustOnly = TlsContext.client(TlsMaterial.trustOnly(ca.resolve("ca.pem")));
            JsonNode byToken = new BridgeClient(base, token, trustOnly.sslContext()).get("/session");
            assertThat(byToken.path("user").asText()).isEqualTo("alice");

            TlsContext mallory = TlsContext.client(TlsMaterial.client(PkiDirectory.of(ca), Identity.parse("mallory")));
            BridgeClient.ApiException unmapped = org.junit.jupiter.api.Assertions.assertThrows(BridgeClient.ApiException.class,
                    () -> new BridgeClient(base, null, mallory.sslContext()).get("/session"));
            assertThat(unmapped.status()).isEqualTo(401);
            assertThat(unmapped.problem().path("detail").asText()).contains("not mapped to a user");

            // bob's name on a certificate from another CA: the handshake or the API refuses it
            TlsMaterial fake = TlsMaterial.load(foreign.resolve("bob.pem"), foreign.resolve("bob.key"), ca.resolve("ca.pem"));
            boolean refused;
            try {
                new BridgeClient(base, null, TlsContext.client(fake).sslContext()).get("/session");
                refused = false;
            } catch (IOException e) {
                refused = true;
            } catch (BridgeClient.ApiException e) {
                refused = e.status() == 401;
            }
            assertThat(refused).as("a certificate from a foreign CA gets no service").isTrue();
        }
    }
}
