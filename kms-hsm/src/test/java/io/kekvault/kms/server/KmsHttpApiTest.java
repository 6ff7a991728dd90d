package io.kekvault.kms.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kekvault.kmip.error.CryptographicFailureException;
import io.kekvault.kmip.error.NotFoundException;
import io.kekvault.kmip.error.PermissionDeniedException;
import io.kekvault.kmip.error.WrongStateException;
import io.kekvault.kmip.http.KmsHttpClient;
import io.kekvault.kms.audit.AuditVerifier;
import io.kekvault.kms.testkit.InsistentClient;
import io.kekvault.kms.testkit.KmsTestEnv;
import io.kekvault.kms.testkit.SoftHsmExtension;
import io.kekvault.kms.testkit.SoftHsmToken;
import io.kekvault.kms.vault.KeyVault;
import io.kekvault.kms.vault.KeyVaults;
import io.kekvault.pki.tls.TlsMaterial;
import io.kekvault.pki.tls.TlsPolicy;
import io.kekvault.secret.SecretBytes;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The HTTP API against a real KMS on loopback: real TLS, real SoftHSM2, real SQLite, real audit file. */
@ExtendWith(SoftHsmExtension.class)
class KmsHttpApiTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    static KmsTestEnv env;
    static SoftHsmToken token;
    static long seed = System.nanoTime();
    static Random random = new Random(seed);

    @BeforeAll
    static void start(SoftHsmToken t) throws Exception {
        System.out.println("[api] seed=" + seed);
        token = t;
        env = KmsTestEnv.prepare(t, "limits:\n  max-batch: 100").start();
    }

    @AfterAll
    static void stop() {
        env.close();
    }

    static SecretBytes dek(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return SecretBytes.adopt(b);
    }

    static ObjectNode create(boolean activate) {
        return JSON.createObjectNode().put("algorithm", "AES").put("lengthBits", 256).put("activate", activate);
    }

    /** State of the world the refusal tests compare before and after. */
    record Snapshot(String keys, List<String> hsm, long auditRecords) {
    }

    static Snapshot snapshot() throws Exception {
        // straight from the store: an API call here would itself be audited
        String keys = env.server().services().store().list(io.kekvault.kms.store.KeyFilter.all(), null, 1000).items().toString();
        List<String> hsm = env.server().services().vault().list();
        return new Snapshot(keys, hsm, env.server().audit().lastSequence());
    }

    @Test
    void fullLifecycle_throughHttp_statesAfterEachStep_hsmObjectGoneAfterDestroy() throws Exception {
        KmsHttpClient admin = env.client("admin");
        KmsHttpClient host = env.client("esxi-1");
        JsonNode k = admin.createKey(create(false).put("name", "lifecycle-" + seed).set("attributes",
                JSON.createObjectNode().put("x-Vendor", "VMware, Inc.")));
        String id = k.get("id").asText();
        assertThat(k.get("state").asText()).isEqualTo("Pre-Active");
        assertThat(k.get("owner").asText()).isEqualTo("admin");
        assertThat(k.get("extractable").asBoolean()).isFalse();
        assertThat(k.get("attributes").get("x-Vendor").asText()).isEqualTo("VMware, Inc.");
        assertThat(env.server().services().vault().find(id).orElseThrow().isProtectedKek()).isTrue();

        assertThat(admin.activate(id).get("state").asText()).isEqualTo("Active");
        assertThat(admin.getKey(id).get("dates").has("activation")).isTrue();

        admin.putGrant(id, "esxi-1", List.of("wrap", "unwrap"));
        assertThat(admin.grants(id).get("items").get(0).get("identity").asText()).isEqualTo("esxi-1");
        byte[] aad = "vm-1".getBytes(StandardCharsets.UTF_8);
        try (SecretBytes d = dek(64)) {
            byte[] blob = host.wrap(id, List.of(new KmsHttpClient.WrapItem(d, aad))).get(0);
            try (SecretBytes back = host.unwrap(List.of(new KmsHttpClient.WrappedItem(blob, aad))).get(0)) {
                assertThat(back.contentEquals(d)).isTrue();
            }
            // rotate: new key active, linked both ways, grant copied, old key still unwraps
            JsonNode rotated = admin.rotate(id);
            String newId = rotated.get("id").asText();
            assertThat(rotated.get("state").asText()).isEqualTo("Active");
            assertThat(rotated.get("links").get(0).get("type").asText()).isEqualTo("REPLACED_OBJECT");
            assertThat(rotated.get("links").get(0).get("id").asText()).isEqualTo(id);
            assertThat(rotated.get("names").get(0).asText()).isEqualTo("lifecycle-" + seed);
            assertThat(admin.getKey(id).get("links").toString()).contains("REPLACEMENT_OBJECT").contains(newId);
            assertThat(admin.getKey(id).get("names")).isEmpty();
            byte[] rewrapped = host.rewrap(newId, List.of(new KmsHttpClient.WrappedItem(blob, aad))).get(0);
            try (SecretBytes back = host.unwrap(List.of(new KmsHttpClient.WrappedItem(rewrapped, aad))).get(0)) {
                assertThat(back.contentEquals(d)).isTrue();
            }
            // revoke (deactivate): unwrap still works, wrap refused
            assertThat(admin.revoke(id, "superseded", "rotated").get("state").asText()).isEqualTo("Deactivated");
            host.unwrap(List.of(new KmsHttpClient.WrappedItem(blob, aad))).get(0).close();
            assertThatThrownBy(() -> host.wrap(id, List.of(new KmsHttpClient.WrapItem(d, aad))))
                    .isInstanceOf(WrongStateException.class).hasMessageContaining("Deactivated");
            // destroy: HSM object gone, metadata kept, unwrap refused
            JsonNode destroyed = admin.destroy(id);
            assertThat(destroyed.get("state").asText()).isEqualTo("Destroyed");
            assertThat(env.server().services().vault().find(id)).isEmpty();
            assertThat(admin.getKey(id).get("state").asText()).isEqualTo("Destroyed");
            assertThatThrownBy(() -> host.unwrap(List.of(new KmsHttpClient.WrappedItem(blob, aad))))
                    .isInstanceOf(WrongStateException.class).hasMessageContaining("Destroyed");
        }
        assertThat(AuditVerifier.verify(env.auditFile()).ok()).isTrue();
    }

    @Test
    void batchWrapAndUnwrap_ofOneHundredDeks_roundTrip() throws Exception {
        KmsHttpClient admin = env.client("admin");
        String id = admin.createKey(create(true)).get("id").asText();
        List<SecretBytes> deks = new java.util.ArrayList<>();
        List<KmsHttpClient.WrapItem> items = new java.util.ArrayList<>();
        for (int i = 0; i < 100; i++) {
            SecretBytes d = dek(i % 2 == 0 ? 32 : 64);
            deks.add(d);
            items.add(new KmsHttpClient.WrapItem(d, ("disk-" + i).getBytes(StandardCharsets.UTF_8)));
        }
        List<byte[]> blobs = admin.wrap(id, items);
        assertThat(blobs).hasSize(100);
        List<KmsHttpClient.WrappedItem> back = new java.util.ArrayList<>();
        for (int i = 0; i < 100; i++) {
            back.add(new KmsHttpClient.WrappedItem(blobs.get(i), ("disk-" + i).getBytes(StandardCharsets.UTF_8)));
        }
        List<SecretBytes> out = admin.unwrap(back);
        for (int i = 0; i < 100; i++) {
            assertThat(out.get(i).contentEquals(deks.get(i))).as("item %d", i).isTrue();
        }
        // one item with a wrong AAD fails the whole batch and names it
        back.set(57, new KmsHttpClient.WrappedItem(blobs.get(57), "other".getBytes(StandardCharsets.UTF_8)));
        assertThatThrownBy(() -> admin.unwrap(back)).isInstanceOf(CryptographicFailureException.class)
                .hasMessageContaining("item 57");
    }

    // ------------------------------------------------------------------ refusals

    private static void assertProblem(HttpResponse<String> r, int status, String code) throws Exception {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
        JsonNode p = JSON.readTree(r.body());
        assertThat(p.get("status").asInt()).isEqualTo(status);
        assertThat(p.get("code").asText()).isEqualTo(code);
        assertThat(p.get("type").asText()).endsWith(code);
        assertThat(p.get("detail").asText()).isNotBlank();
    }

    private static String activeKey() throws Exception {
        return env.client("admin").createKey(create(true)).get("id").asText();
    }

    private static byte[] wrapBody(String keyId, String dekB64) {
        return ("{\"keyId\":\"" + keyId + "\",\"dek\":\"" + dekB64 + "\"}").getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void noClientCertificate_isRefusedWithProblemJson_andChangesNothing() throws Exception {
        String id = activeKey();
        Snapshot before = snapshot();
        HttpResponse<String> r = env.send(env.rawAnonymous(), "POST", "/v1/keys", "application/json",
                create(true).toString().getBytes(StandardCharsets.UTF_8));
        assertProblem(r, 401, "authentication_not_successful");
        assertThat(JSON.readTree(r.body()).get("detail").asText()).contains("client certificate is required");
        HttpResponse<String> w = env.send(env.rawAnonymous(), "POST", "/v1/wrap", "application/json",
                wrapBody(id, Base64.getEncoder().encodeToString(new byte[32])));
        assertProblem(w, 401, "authentication_not_successful");
        Snapshot after = snapshot();
        assertThat(after.keys()).isEqualTo(before.keys());
        assertThat(after.hsm()).isEqualTo(before.hsm());
        assertThat(after.auditRecords()).as("refusals are audited").isEqualTo(before.auditRecords() + 2);
        assertThat(AuditVerifier.verify(env.auditFile()).ok()).isTrue();
    }

    /** A client that presents its certificate whatever CA the server asks for. */
    private static HttpClient insistentClient(TlsMaterial m) throws Exception {
        SSLContext ctx = InsistentClient.sslContext(m, env.pki().resolve("ca.pem"));
        javax.net.ssl.SSLParameters p = new javax.net.ssl.SSLParameters();
        p.setProtocols(TlsPolicy.PROTOCOLS.toArray(String[]::new));
        return HttpClient.newBuilder().sslContext(ctx).sslParameters(p).version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build();
    }

    @Test
    void certificateFromAnotherCa_isRefusedWithProblemJson_andChangesNothing() throws Exception {
        Snapshot before = snapshot();
        TlsMaterial foreign = TlsMaterial.load(env.foreignPki().resolve("admin.pem"), env.foreignPki().resolve("admin.key"),
                env.pki().resolve("ca.pem"));
        HttpResponse<String> r = env.send(insistentClient(foreign), "POST", "/v1/keys", "application/json",
                create(true).toString().getBytes(StandardCharsets.UTF_8));
        assertProblem(r, 401, "authentication_not_successful");
        assertThat(JSON.readTree(r.body()).get("detail").asText()).contains("not issued by this KMS's CA");
        Snapshot after = snapshot();
        assertThat(after.keys()).isEqualTo(before.keys());
        assertThat(after.hsm()).isEqualTo(before.hsm());
    }

    @Test
    void expiredCertificate_isRefusedWithProblemJson_andChangesNothing() throws Exception {
        Snapshot before = snapshot();
        TlsMaterial expired = TlsMaterial.load(env.pki().resolve("expired.pem"), env.pki().resolve("expired.key"),
                env.pki().resolve("ca.pem"));
        HttpResponse<String> r = env.send(insistentClient(expired), "POST", "/v1/keys", "application/json",
                create(true).toString().getBytes(StandardCharsets.UTF_8));
        assertProblem(r, 401, "authentication_not_successful");
        assertThat(JSON.readTree(r.body()).get("detail").asText()).contains("expired");
        Snapshot after = snapshot();
        assertThat(after.keys()).isEqualTo(before.keys());
        assertThat(after.hsm()).isEqualTo(before.hsm());
    }

    @Test
    void hostNotGranted_seesTheKeyAsMissing_andChangesNothing() throws Exception {
        KmsHttpClient admin = env.client("admin");
        String id = activeKey();
        admin.putGrant(id, "esxi-1", List.of("wrap", "unwrap"));
        byte[] blob;
        try (SecretBytes d = dek(32)) {
            blob = env.client("esxi-1").wrap(id, List.of(new KmsHttpClient.WrapItem(d, null))).get(0);
        }
        Snapshot before = snapshot();
        KmsHttpClient other = env.client("esxi-2");
        String missing = java.util.UUID.randomUUID().toString();
        Throwable granted = catchOf(() -> other.wrap(id, List.of(new KmsHttpClient.WrapItem(dek(32), null))));
        Throwable absent = catchOf(() -> other.wrap(missing, List.of(new KmsHttpClient.WrapItem(dek(32), null))));
        assertThat(granted).isInstanceOf(NotFoundException.class);
        assertThat(absent).isInstanceOf(NotFoundException.class);
        assertThat(granted.getMessage().replace(id, "ID")).isEqualTo(absent.getMessage().replace(missing, "ID"));
        assertThatThrownBy(() -> other.unwrap(List.of(new KmsHttpClient.WrappedItem(blob, null))))
                .isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> other.getKey(id)).isInstanceOf(NotFoundException.class);
        // a host cannot create keys or grant itself
        assertThatThrownBy(() -> other.createKey(create(true))).isInstanceOf(PermissionDeniedException.class);
        assertThatThrownBy(() -> other.putGrant(id, "esxi-2", List.of("unwrap"))).isInstanceOf(NotFoundException.class);
        Snapshot after = snapshot();
        assertThat(after.keys()).isEqualTo(before.keys());
        assertThat(after.hsm()).isEqualTo(before.hsm());
        assertThat(env.client("admin").grants(id).get("items")).hasSize(1);
    }

    private static Throwable catchOf(org.assertj.core.api.ThrowableAssert.ThrowingCallable c) {
        try {
            c.call();
            return null;
        } catch (Throwable t) {
            return t;
        }
    }

    @Test
    void wrapUnderPreActiveRevokedOrDestroyedKey_isRefusedAsWrongState() throws Exception {
        KmsHttpClient admin = env.client("admin");
        String pre = admin.createKey(create(false)).get("id").asText();
        String revoked = activeKey();
        admin.revoke(revoked, "cessation_of_operation", null);
        String destroyed = activeKey();
        admin.revoke(destroyed, "key_compromise", "test");
        admin.destroy(destroyed);
        Snapshot before = snapshot();
        HttpClient raw = env.raw("admin");
        String b64 = Base64.getEncoder().encodeToString(new byte[32]);
        for (String id : List.of(pre, revoked, destroyed)) {
            HttpResponse<String> r = env.send(raw, "POST", "/v1/wrap", "application/json", wrapBody(id, b64));
            assertProblem(r, 409, "wrong_key_lifecycle_state");
        }
        assertThat(JSON.readTree(env.send(raw, "POST", "/v1/wrap", "application/json", wrapBody(pre, b64)).body())
                .get("detail").asText()).contains("Pre-Active");
        Snapshot after = snapshot();
        assertThat(after.keys()).isEqualTo(before.keys());
        assertThat(after.hsm()).isEqualTo(before.hsm());
        assertThat(admin.getKey(destroyed).get("state").asText()).isEqualTo("Destroyed Compromised");
    }

    @Test
    void malformedJson_badBase64_oversizedBody_unknownKey_illegalTransition_areRefused_andChangeNothing() throws Exception {
        String id = activeKey();
        Snapshot before = snapshot();
        HttpClient raw = env.raw("admin");
        assertProblem(env.send(raw, "POST", "/v1/keys", "application/json", "{\"algorithm\": \"AES\",".getBytes()), 400,
                "invalid_message");
        assertProblem(env.send(raw, "POST", "/v1/keys", "application/json", "[1,2]".getBytes()), 400, "invalid_field");
        assertProblem(env.send(raw, "POST", "/v1/keys", "application/json", "{\"lenghtBits\":256}".getBytes()), 400,
                "invalid_field");
        assertProblem(env.send(raw, "POST", "/v1/keys", "text/plain", "{}".getBytes()), 415, "invalid_message");
        HttpResponse<String> bad64 = env.send(raw, "POST", "/v1/wrap", "application/json", wrapBody(id, "!!!not*base64!!!"));
        assertProblem(bad64, 400, "invalid_field");
        assertThat(bad64.body()).contains("base64").doesNotContain("not*base64");
        byte[] big = new byte[70_000];
        java.util.Arrays.fill(big, (byte) 'A');
        HttpResponse<String> tooBig = env.send(raw, "POST", "/v1/wrap", "application/json",
                wrapBody(id, new String(big, StandardCharsets.US_ASCII)));
        assertProblem(tooBig, 413, "server_limit_exceeded");
        String unknown = java.util.UUID.randomUUID().toString();
        assertProblem(env.send(raw, "GET", "/v1/keys/" + unknown, null, null), 404, "item_not_found");
        assertProblem(env.send(raw, "POST", "/v1/wrap", "application/json", wrapBody(unknown,
                Base64.getEncoder().encodeToString(new byte[32]))), 404, "item_not_found");
        assertProblem(env.send(raw, "POST", "/v1/keys/" + id + "/activate", null, null), 409, "wrong_key_lifecycle_state");
        assertProblem(env.send(raw, "DELETE", "/v1/keys/" + id, null, null), 409, "wrong_key_lifecycle_state");
        ObjectNode tooMany = JSON.createObjectNode().put("keyId", id);
        var arr = tooMany.putArray("items");
        for (int i = 0; i < 101; i++) {
            arr.addObject().put("dek", Base64.getEncoder().encodeToString(new byte[32]));
        }
        assertProblem(env.send(raw, "POST", "/v1/wrap", "application/json", tooMany.toString().getBytes()), 413,
                "server_limit_exceeded");
        assertProblem(env.send(raw, "GET", "/v1/nothing-here", null, null), 404, "item_not_found");
        Snapshot after = snapshot();
        assertThat(after.keys()).isEqualTo(before.keys());
        assertThat(after.hsm()).isEqualTo(before.hsm());
        assertThat(env.client("admin").getKey(id).get("state").asText()).isEqualTo("Active");
        assertThat(AuditVerifier.verify(env.auditFile()).ok()).isTrue();
    }

    @Test
    void healthReadyAndMetrics_answerOnThePlainLoopbackPort() throws Exception {
        HttpClient plain = HttpClient.newHttpClient();
        var health = plain.send(java.net.http.HttpRequest.newBuilder(env.healthUri().resolve("/health")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(health.statusCode()).isEqualTo(200);
        var ready = plain.send(java.net.http.HttpRequest.newBuilder(env.healthUri().resolve("/ready")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(ready.body()).contains("\"hsm\":\"up\"").contains("\"store\":\"up\"");
        activeKey();
        var metrics = plain.send(java.net.http.HttpRequest.newBuilder(env.healthUri().resolve("/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(metrics.body()).contains("kms_operations_seconds_count{operation=\"Create\",result=\"success\"")
                .contains("kms_operations_seconds_bucket").contains("kms_hsm_sessions_open");
    }

    @Test
    void auditor_readsAuditButUsesNoKey_andAuditNeverHoldsKeyMaterial() throws Exception {
        KmsHttpClient auditor = env.client("auditor");
        String id = activeKey();
        JsonNode page = auditor.audit(Map.of("keyId", id, "limit", "10"));
        assertThat(page.get("items")).isNotEmpty();
        assertThat(page.get("items").get(0).get("operation").asText()).isEqualTo("Create");
        assertThatThrownBy(() -> auditor.wrap(id, List.of(new KmsHttpClient.WrapItem(dek(32), null))))
                .isInstanceOf(PermissionDeniedException.class);
        assertThatThrownBy(() -> env.client("esxi-1").audit(Map.of())).isInstanceOf(PermissionDeniedException.class);
        String audit = Files.readString(env.auditFile());
        assertThat(audit).doesNotContain("\"dek\"").doesNotContain(Files.readString(token.pinFile()).trim());
    }

    @Test
    void openApiDocument_describesExactlyTheRoutesTheServerHas() throws Exception {
        HttpResponse<String> r = env.send(env.raw("admin"), "GET", "/v1/openapi.yaml", null, null);
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode doc = new ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory()).readTree(r.body());
        java.util.Set<String> documented = new java.util.TreeSet<>();
        doc.get("paths").fields().forEachRemaining(p -> p.getValue().fieldNames().forEachRemaining(m -> {
            if (!m.equals("parameters")) {
                documented.add(m.toUpperCase() + " " + p.getKey().replaceAll("\\{([^}]+)}", ":$1"));
            }
        }));
        java.util.Set<String> served = new java.util.TreeSet<>(env.server().httpRoutes());
        assertThat(documented).isEqualTo(served);
        // and each documented route answers something other than "no such resource"
        String id = activeKey();
        for (String route : documented) {
            String[] mp = route.split(" ", 2);
            String path = mp[1].replace(":id", id).replace(":identity", "esxi-2");
            HttpResponse<String> resp = env.send(env.raw("admin"), mp[0], path,
                    mp[0].equals("GET") || mp[0].equals("DELETE") ? null : "application/json",
                    mp[0].equals("GET") || mp[0].equals("DELETE") ? null : "{}".getBytes());
            assertThat(resp.body()).as(route).doesNotContain("no such resource");
        }
    }

    private static String sClient(String... protocolArgs) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("openssl", "s_client", "-connect",
                "127.0.0.1:" + env.server().httpsPort(), "-ign_eof", "-CAfile", env.pki().resolve("ca.pem").toString(),
                "-cert", env.pki().resolve("admin.pem").toString(), "-key", env.pki().resolve("admin.key").toString()));
        cmd.addAll(List.of(protocolArgs));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().write("GET /v1/keys?limit=1 HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".getBytes());
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        return out;
    }

    @Test
    void tls13And12_areServed_tls11IsRefused_checkedWithOpenssl() throws Exception {
        assertThat(sClient("-tls1_3")).contains("HTTP/1.1 200").contains("TLSv1.3");
        assertThat(sClient("-tls1_2")).contains("HTTP/1.1 200").contains("TLSv1.2");
        // SECLEVEL=0 lets this OpenSSL offer TLS 1.1 at all, so the refusal seen is the server's
        String old = sClient("-tls1_1", "-cipher", "DEFAULT:@SECLEVEL=0");
        assertThat(old).doesNotContain("HTTP/1.1 200").containsAnyOf("alert", "no protocols available", "wrong version",
                "unsupported protocol");
    }

    @Test
    void vaultAndStore_agree_noHsmObjectWithoutRecordAfterRefusedCreates() throws Exception {
        KeyVault v = env.server().services().vault();
        List<String> hsmBefore = v.list();
        HttpClient raw = env.raw("kmip-client");
        // the default export policy refuses extractable keys: nothing may be left behind in the HSM
        assertProblem(env.send(raw, "POST", "/v1/keys", "application/json",
                "{\"extractable\":true}".getBytes()), 403, "permission_denied");
        assertThat(v.list()).isEqualTo(hsmBefore);
        assertThat(KeyVaults.PKCS11).isEqualTo(v.backend());
    }
}
