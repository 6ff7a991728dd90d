package io.kekvault.kms.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kekvault.kms.testkit.KmsTestEnv;
import io.kekvault.kms.testkit.SoftHsmExtension;
import io.kekvault.kms.testkit.SoftHsmToken;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** SIGTERM-style close while requests are running: every request already in flight completes. */
@ExtendWith(SoftHsmExtension.class)
class KmsGracefulShutdownTest {

    @Test
    void close_letsInFlightRequestsFinish(SoftHsmToken token) throws Exception {
        KmsTestEnv env = KmsTestEnv.prepare(token, null).start();
        try {
            String id = env.client("admin").createKey(new ObjectMapper().createObjectNode()).get("id").asText();
            ObjectNode body = new ObjectMapper().createObjectNode().put("keyId", id);
            ArrayNode items = body.putArray("items");
            for (int i = 0; i < 1000; i++) {
                items.addObject().put("dek", Base64.getEncoder().encodeToString(new byte[32]));
            }
            byte[] bytes = body.toString().getBytes();
            List<CompletableFuture<HttpResponse<String>>> running = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                HttpClient c = env.raw("admin");
                running.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        return env.send(c, "POST", "/v1/wrap", "application/json", bytes);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }));
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (env.server().dispatcher().inFlight() < 2 && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertThat(env.server().dispatcher().inFlight()).as("requests in flight before close").isGreaterThanOrEqualTo(2);
            int inFlightAtClose = env.server().dispatcher().inFlight();
            env.close();
            int ok = 0;
            for (var f : running) {
                try {
                    HttpResponse<String> r = f.get(60, TimeUnit.SECONDS);
                    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                    assertThat(r.body()).contains("\"items\"");
                    ok++;
                } catch (java.util.concurrent.ExecutionException notAccepted) {
                    // sent after the listener stopped accepting: refused, never half-answered
                }
            }
            assertThat(ok).isGreaterThanOrEqualTo(inFlightAtClose);
        } finally {
            env.close();
        }
    }
}
