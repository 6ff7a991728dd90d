package io.kekvault.kmip.http;

import com.fasterxml.jackson.core.Base64Variants;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kekvault.kmip.error.GeneralFailureException;
import io.kekvault.kmip.error.KmsException;
import io.kekvault.kmip.error.ResultReason;
import io.kekvault.kmip.error.UnavailableException;
import io.kekvault.secret.SecretBytes;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/**
 * Client of the KMS HTTP/JSON API over mutual TLS, for operators' CLI, hosts and the bridge.
 *
 * <p>Guarantees: DEKs go out and come back only inside {@link SecretBytes}; request bodies holding
 * DEKs are zero-filled after sending; errors are the server's typed {@link KmsException}s (from
 * the problem+json {@code code}). Fail-over: the client moves to the next endpoint when one
 * cannot be reached; an operation that may have taken effect on the server (create, rotate) is
 * never sent twice unless the failure proves it never arrived (connection refused). Transient
 * unavailability (503) of an idempotent call is retried on the next endpoint with back-off.
 */
public final class KmsHttpClient {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Told when an endpoint fails and the client moves on (the bridge logs it in the task log). */
    @FunctionalInterface
    public interface FailoverListener {
        void failedOver(URI from, URI to, String why);
    }

    private final List<URI> endpoints;
    private final HttpClient http;
    private final Duration timeout;
    private final FailoverListener listener;
    private final AtomicInteger current = new AtomicInteger();
    private final int maxAttempts;

    public KmsHttpClient(List<URI> endpoints, SSLContext ssl, SSLParameters params, Duration timeout,
                         FailoverListener listener) {
        if (endpoints.isEmpty()) {
            throw new IllegalArgumentException("at least one KMS endpoint is required");
        }
        this.endpoints = List.copyOf(endpoints);
        this.timeout = timeout;
        this.listener = listener == null ? (a, b, c) -> { } : listener;
        this.maxAttempts = Math.max(3, this.endpoints.size() * 2);
        this.http = HttpClient.newBuilder()
                .sslContext(ssl)
                .sslParameters(params)
                .connectTimeout(timeout)
                .version(HttpClient.Version.HTTP_1_1)
                .build();
    }

    public List<URI> endpoints() {
        return endpoints;
    }

    // ------------------------------------------------------------------ keys

    /** POST /v1/keys. Not idempotent: never re-sent after it may have arrived. */
    public JsonNode createKey(ObjectNode request) throws KmsException {
        return call("POST", "/v1/keys", bytes(request), false);
    }

    public JsonNode getKey(String id) throws KmsException {
        return call("GET", "/v1/keys/" + enc(id), null, true);
    }

    public JsonNode listKeys(Map<String, String> query) throws KmsException {
        StringBuilder q = new StringBuilder();
        query.forEach((k, v) -> {
            if (v != null) {
                q.append(q.isEmpty() ? '?' : '&').append(enc(k)).append('=').append(enc(v));
            }
        });
        return call("GET", "/v1/keys" + q, null, true);
    }

    public JsonNode activate(String id) throws KmsException {
        return call("POST", "/v1/keys/" + enc(id) + "/activate", null, true);
    }

    public JsonNode rotate(String id) throws KmsException {
        return call("POST", "/v1/keys/" + enc(id) + "/rotate", null, false);
    }

    public JsonNode revoke(String id, String reason, String message) throws KmsException {
        ObjectNode n = JSON.createObjectNode().put("reason", reason);
        if (message != null) {
            n.put("message", message);
        }
        return call("POST", "/v1/keys/" + enc(id) + "/revoke", bytes(n), false);
    }

    public JsonNode destroy(String id) throws KmsException {
        return call("DELETE", "/v1/keys/" + enc(id), null, false);
    }

    public JsonNode putGrant(String keyId, String identity, Collection<String> permissions) throws KmsException {
        ObjectNode n = JSON.createObjectNode();
        permissions.forEach(n.putArray("permissions")::add);
        return call("PUT", "/v1/keys/" + enc(keyId) + "/grants/" + enc(identity), bytes(n), true);
    }

    public boolean revokeGrant(String keyId, String identity) throws KmsException {
        return call("DELETE", "/v1/keys/" + enc(keyId) + "/grants/" + enc(identity), null, true).path("removed").asBoolean();
    }

    public JsonNode grants(String keyId) throws KmsException {
        return call("GET", "/v1/keys/" + enc(keyId) + "/grants", null, true);
    }

    public JsonNode audit(Map<String, String> query) throws KmsException {
        StringBuilder q = new StringBuilder();
        query.forEach((k, v) -> {
            if (v != null) {
                q.append(q.isEmpty() ? '?' : '&').append(enc(k)).append('=').append(enc(v));
            }
        });
        return call("GET", "/v1/audit" + q, null, true);
    }

    // ------------------------------------------------------------------ wrap / unwrap / rewrap

    /** One DEK to wrap, with its AAD (may be null). The caller keeps and closes the DEK. */
    public record WrapItem(SecretBytes dek, byte[] aad) {
    }

    /** One blob to unwrap or rewrap. */
    public record WrappedItem(byte[] wrapped, byte[] aad) {
    }

    /** Wraps DEKs under {@code keyId} in one request (batch when more than one). */
    public List<byte[]> wrap(String keyId, List<WrapItem> items) throws KmsException {
        byte[] body = DekJson.write(keyId, items.size() > 1,
                items.stream().map(i -> item("dek", i.dek().expose(), "aad", i.aad())).toList());
        try {
            return blobs(callRaw("POST", "/v1/wrap", body, true), "wrapped", items.size() > 1);
        } finally {
            SecretBytes.wipe(body);
        }
    }

    /** Unwraps blobs; the returned holders belong to the caller, who closes them. */
    public List<SecretBytes> unwrap(List<WrappedItem> items) throws KmsException {
        byte[] body = DekJson.write(null, items.size() > 1,
                items.stream().map(i -> item("wrapped", i.wrapped(), "aad", i.aad())).toList());
        byte[] response = callRaw("POST", "/v1/unwrap", body, true);
        try {
            List<byte[]> raw = blobs(response, "dek", items.size() > 1);
            List<SecretBytes> out = new ArrayList<>(raw.size());
            raw.forEach(b -> out.add(SecretBytes.adopt(b)));
            return out;
        } finally {
            SecretBytes.wipe(response);
        }
    }

    /** Re-wraps blobs under {@code newKeyId} without the DEKs leaving the KMS. */
    public List<byte[]> rewrap(String newKeyId, List<WrappedItem> items) throws KmsException {
        byte[] body = DekJson.write(newKeyId, items.size() > 1,
                items.stream().map(i -> item("wrapped", i.wrapped(), "aad", i.aad())).toList());
        return blobs(callRaw("POST", "/v1/rewrap", body, true), "wrapped", items.size() > 1);
    }

    private static java.util.Map<String, Object> item(String k1, Object v1, String k2, Object v2) {
        java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put(k1, v1);
        m.put(k2, v2);
        return m;
    }

    /** Reads {@code field} from the single object or from each element of {@code items}. */
    private static List<byte[]> blobs(byte[] response, String field, boolean batch) throws KmsException {
        List<byte[]> out = new ArrayList<>();
        try (JsonParser p = JSON.getFactory().createParser(response)) {
            int depth = 0;
            while (p.nextToken() != null) {
                JsonToken t = p.currentToken();
                if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
                    depth++;
                } else if (t == JsonToken.END_OBJECT || t == JsonToken.END_ARRAY) {
                    depth--;
                } else if (t == JsonToken.FIELD_NAME && field.equals(p.currentName())
                        && depth == (batch ? 3 : 1)) {
                    p.nextToken();
                    out.add(p.getBinaryValue(Base64Variants.MIME_NO_LINEFEEDS));
                }
            }
        } catch (IOException e) {
            out.forEach(SecretBytes::wipe);
            throw new GeneralFailureException("unreadable KMS response", e);
        }
        return out;
    }

    // ------------------------------------------------------------------ transport

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static byte[] bytes(JsonNode n) {
        try {
            return JSON.writeValueAsBytes(n);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private JsonNode call(String method, String path, byte[] body, boolean idempotent) throws KmsException {
        byte[] r = callRaw(method, path, body, idempotent);
        try {
            return r.length == 0 ? JSON.createObjectNode() : JSON.readTree(r);
        } catch (IOException e) {
            throw new GeneralFailureException("unreadable KMS response", e);
        }
    }

    private byte[] callRaw(String method, String path, byte[] body, boolean idempotent) throws KmsException {
        KmsException last = null;
        for (int attempt = 1; attempt <= maxAttempts; attempt++) {
            int idx = Math.floorMod(current.get(), endpoints.size());
            URI base = endpoints.get(idx);
            HttpRequest.Builder rb = HttpRequest.newBuilder(base.resolve(path)).timeout(timeout)
                    .header("Accept", "application/json");
            if (body != null) {
                rb.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofByteArray(body));
            } else {
                rb.method(method, HttpRequest.BodyPublishers.noBody());
            }
            HttpResponse<byte[]> resp;
            try {
                resp = http.send(rb.build(), HttpResponse.BodyHandlers.ofByteArray());
            } catch (ConnectException | HttpConnectTimeoutException e) {
                // Never reached the server: safe to send elsewhere, whatever the operation.
                last = new UnavailableException(ResultReason.GENERAL_FAILURE, "KMS " + base + " unreachable", e);
                moveOn(idx, base, "connection failed: " + e.getClass().getSimpleName());
                backoff(attempt);
                continue;
            } catch (IOException e) {
                last = new UnavailableException(ResultReason.GENERAL_FAILURE, "KMS " + base + " failed: " + e.getClass().getSimpleName(), e);
                if (!idempotent) {
                    throw new UnavailableException(ResultReason.GENERAL_FAILURE, "KMS " + base
                            + " failed after the request was sent; it may have taken effect, so it was not repeated", e);
                }
                moveOn(idx, base, "i/o failure: " + e.getClass().getSimpleName());
                backoff(attempt);
                continue;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new UnavailableException(ResultReason.GENERAL_FAILURE, "interrupted", e);
            }
            if (resp.statusCode() < 300) {
                return resp.body();
            }
            KmsException e = problem(resp);
            if (resp.statusCode() == 503 && idempotent) {
                last = e;
                moveOn(idx, base, "503 " + e.getMessage());
                backoff(attempt);
                continue;
            }
            throw e;
        }
        throw last;
    }

    private void moveOn(int idx, URI from, String why) {
        if (endpoints.size() > 1 && current.compareAndSet(idx, idx + 1)) {
            listener.failedOver(from, endpoints.get(Math.floorMod(idx + 1, endpoints.size())), why);
        }
    }

    private static void backoff(int attempt) {
        long ms = Math.min(2000, 50L << Math.min(attempt, 6));
        try {
            Thread.sleep(ms / 2 + ThreadLocalRandom.current().nextLong(ms / 2 + 1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The server's problem+json as the matching typed exception. */
    static KmsException problem(HttpResponse<byte[]> resp) {
        String code = null;
        String detail = null;
        try {
            JsonNode n = JSON.readTree(resp.body());
            code = n.path("code").asText(null);
            detail = n.path("detail").asText(null);
        } catch (IOException | RuntimeException ignored) {
            // not problem+json: fall through with the status
        }
        ResultReason reason = ResultReason.GENERAL_FAILURE;
        if (code != null) {
            try {
                reason = ResultReason.valueOf(code.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException ignored) {
                // unknown code: keep general failure
            }
        } else if (resp.statusCode() == 404) {
            reason = ResultReason.ITEM_NOT_FOUND;
        } else if (resp.statusCode() == 503) {
            reason = ResultReason.PROTECTION_STORAGE_UNAVAILABLE;
        }
        String msg = (detail == null ? "HTTP " + resp.statusCode() : detail);
        KmsException e = KmsException.fromReason(reason, msg);
        if (resp.statusCode() == 503 && !(e instanceof UnavailableException)) {
            return new UnavailableException(reason, msg, e);
        }
        return e;
    }
}
