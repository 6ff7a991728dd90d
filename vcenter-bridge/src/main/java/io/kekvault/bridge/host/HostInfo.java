package io.kekvault.bridge.host;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/** What a host says about itself ({@code GET /host}). */
public record HostInfo(String hostId, String cluster, String datastore, List<String> kms, List<String> openVms) {

    static HostInfo parse(JsonNode n) {
        List<String> kms = new ArrayList<>();
        n.path("kms").forEach(k -> kms.add(k.asText()));
        List<String> open = new ArrayList<>();
        n.path("openVms").forEach(v -> open.add(v.isObject() ? v.path("name").asText() : v.asText()));
        return new HostInfo(n.path("hostId").asText(null), n.path("cluster").asText(null), n.path("datastore").asText(null),
                List.copyOf(kms), List.copyOf(open));
    }
}
