package io.kekvault.bridge.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;

/**
 * Client of the bridge REST API (for the {@code kekvault bridge ...} commands and tests).
 * Authenticates with a bearer token, or with a client certificate when given an SSL context.
 */
public final class BridgeClient {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** An error answer of the bridge: its status and problem+json body. */
    public static final class ApiException extends Exception {
        private final int status;
        private final JsonNode problem;

        public ApiException(int status, JsonNode problem) {
            super(status + " " + problem.path("code").asText("") + ": " + problem.path("detail").asText(""));
            this.status = status;
            this.problem = problem;
        }

        public int status() {
            return status;
        }

        public JsonNode problem() {
            return problem;
        }

        public String code() {
            return problem.path("code").asText(null);
        }

        /** The id of the refused task's record, if the bridge recorded one. */
        public String taskId() {
            return problem.path("taskId").asText(null);
        }
    }

    private final URI base;
    private final String token;
    private final HttpClient http;

    public BridgeClient(URI base, String token) {
        this(base, token, null);
    }

    public BridgeClient(URI base, String token, SSLContext ssl) {
        this.base = base;
        this.token = token;
        HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).version(HttpClient.Version.HTTP_1_1);
        if (ssl != null) {
            b.sslContext(ssl);
        }
        this.http = b.build();
    }

    public URI base() {
        return base;
    }

    public JsonNode get(String path) throws IOException, ApiException {
        return send("GET", path, null);
    }

    public JsonNode post(String path, JsonNode body) throws IOException, ApiException {
        return send("POST", path, body);
    }

    public JsonNode put(String path, JsonNode body) throws IOException, ApiException {
        return send("PUT", path, body);
    }

    public JsonNode delete(String path) throws IOException, ApiException {
        return send("DELETE", path, null);
    }

    /** Sends a request to {@code /api/v1 + path}; returns the JSON answer (empty object for 204). */
    public JsonNode send(String method, String path, JsonNode body) throws IOException, ApiException {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve("/api/v1" + path)).timeout(Duration.ofSeconds(60))
                .header("Accept", "application/json");
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        if (body != null) {
            b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body.toString()));
        } else {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        }
        HttpResponse<String> r;
        try {
            r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        JsonNode n = r.body() == null || r.body().isEmpty() ? JSON.createObjectNode() : parse(r.body());
        if (r.statusCode() >= 300) {
            throw new ApiException(r.statusCode(), n);
        }
        return n;
    }

    private static JsonNode parse(String s) {
        try {
            return JSON.readTree(s);
        } catch (IOException e) {
            return JSON.createObjectNode().put("code", "invalid_message").put("detail", s.length() > 200 ? s.substring(0, 200) : s);
        }
    }

    /** The OpenAPI document (no authentication needed). */
    public String openapi() throws IOException {
        try {
            return http.send(HttpRequest.newBuilder(base.resolve("/api/v1/openapi.yaml")).GET().build(),
                    HttpResponse.BodyHandlers.ofString()).body();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    /**
     * Polls the task until it is finished (succeeded, failed or refused), telling {@code onProgress}
     * each state seen; returns the finished task (with its log).
     */
    public JsonNode waitTask(String id, Duration timeout, Consumer<JsonNode> onProgress) throws IOException, ApiException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long wait = 50;
        while (true) {
            JsonNode t = get("/tasks/" + id);
            if (onProgress != null) {
                onProgress.accept(t);
            }
            String state = t.path("state").asText();
            if (state.equals("succeeded") || state.equals("failed") || state.equals("refused")) {
                return t;
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("task " + id + " still " + state + " after " + timeout);
            }
            try {
                Thread.sleep(wait);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
            wait = Math.min(500, wait * 2);
        }
    }
}
