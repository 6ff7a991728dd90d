package io.kekvault.bridge.host;

import com.fasterxml.jackson.databind.JsonNode;

/** A host job ({@code GET /jobs/{id}}): running, succeeded or failed, with progress 0..1. */
public record HostJob(String id, String state, double progress, String errorCode, String errorDetail, String vm) {

    public boolean running() {
        return "running".equals(state);
    }

    public boolean succeeded() {
        return "succeeded".equals(state);
    }

    public boolean failed() {
        return "failed".equals(state);
    }

    static HostJob parse(JsonNode n) {
        JsonNode e = n.get("error");
        boolean hasError = e != null && !e.isNull();
        return new HostJob(n.path("id").asText(), n.path("state").asText(), n.path("progress").asDouble(0),
                hasError ? e.path("code").asText(null) : null, hasError ? e.path("detail").asText(null) : null,
                n.path("vm").asText(null));
    }
}
