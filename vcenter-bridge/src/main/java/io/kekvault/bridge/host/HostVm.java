package io.kekvault.bridge.host;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** A VM as a host reports it ({@code GET /vms/{vm}} of docs/host-api.md). */
public record HostVm(String name, String uuid, boolean open, String openOn, Part home, List<Part> disks) {

    /** One component: encrypted or not, and under which KEK (the provider is recorded in the VM home). */
    public record Part(String name, Long sizeBytes, boolean encrypted, String provider, String kekId) {
    }

    public HostVm {
        disks = List.copyOf(disks);
    }

    public Optional<Part> disk(String name) {
        return disks.stream().filter(d -> d.name().equals(name)).findFirst();
    }

    public List<Part> encryptedDisks() {
        return disks.stream().filter(Part::encrypted).toList();
    }

    static HostVm parse(JsonNode n) {
        JsonNode h = n.path("home");
        Part home = new Part("home", null, h.path("encrypted").asBoolean(false), text(h, "provider"), text(h, "kekId"));
        List<Part> disks = new ArrayList<>();
        for (JsonNode d : n.path("disks")) {
            disks.add(new Part(d.path("name").asText(), d.hasNonNull("sizeBytes") ? d.get("sizeBytes").asLong() : null,
                    d.path("encrypted").asBoolean(false), text(d, "provider"), text(d, "kekId")));
        }
        return new HostVm(n.path("name").asText(), text(n, "uuid"), n.path("open").asBoolean(false), text(n, "openOn"), home, disks);
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }
}
