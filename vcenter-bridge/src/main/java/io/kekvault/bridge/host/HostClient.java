package io.kekvault.bridge.host;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kekvault.pki.tls.TlsContext;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Client of one host's command API (docs/host-api.md) over mutual TLS: the bridge presents its
 * certificate (CN {@code vcenter}) and trusts only the KMS CA. No key material passes here: the
 * bridge tells a host which KEK (provider and identifier) to use; the host wraps and unwraps its
 * DEKs at the KMS under its own identity.
 */
public final class HostClient {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A disk to create. */
    public record DiskSpec(String name, long sizeBytes) {
    }

    private final String hostLabel;
    private final URI base;
    private final HttpClient http;
    private final Duration timeout;

    public HostClient(String hostLabel, URI base, TlsContext tls, Duration timeout) {
        this.hostLabel = hostLabel;
        this.base = base;
        this.timeout = timeout;
        this.http = HttpClient.newBuilder()
                .sslContext(tls.sslContext())
                .sslParameters(tls.sslParameters())
                .connectTimeout(Duration.ofSeconds(Math.min(5, Math.max(1, timeout.toSeconds()))))
                .version(HttpClient.Version.HTTP_1_1)
                .build();
    }

    public URI base() {
        return base;
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private HttpResponse<byte[]> send(String method, String path, String contentType, byte[] body) throws HostException {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(timeout).header("Accept", "application/json");
        if (body != null) {
            b.header("Content-Type", contentType).method(method, HttpRequest.BodyPublishers.ofByteArray(body));
        } else {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        }
        HttpResponse<byte[]> r;
        try {
            r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new HostException(hostLabel, 0, "unreachable", e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HostException(hostLabel, 0, "interrupted", "interrupted", e);
        }
        if (r.statusCode() >= 300) {
            String code = null;
            String detail = null;
            try {
                JsonNode n = JSON.readTree(r.body());
                code = n.path("code").asText(null);
                detail = n.path("detail").asText(null);
            } catch (IOException | RuntimeException ignored) {
                // not problem+json
            }
            throw new HostException(hostLabel, r.statusCode(), code == null ? "http_" + r.statusCode() : code,
                    detail == null ? method + " " + path : detail, null);
        }
        return r;
    }

    private JsonNode json(String method, String path, JsonNode body) throws HostException {
        byte[] b = null;
        if (body != null) {
            try {
                b = JSON.writeValueAsBytes(body);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
        HttpResponse<byte[]> r = send(method, path, "application/json", b);
        if (r.body().length == 0) {
            return JSON.createObjectNode();
        }
        try {
            return JSON.readTree(r.body());
        } catch (IOException e) {
            throw new HostException(hostLabel, r.statusCode(), "invalid_message", "unreadable answer to " + method + " " + path, e);
        }
    }

    public HostInfo host() throws HostException {
        return HostInfo.parse(json("GET", "/host", null));
    }

    public List<HostVm> vms() throws HostException {
        JsonNode n = json("GET", "/vms", null);
        return java.util.stream.StreamSupport.stream(n.path("items").spliterator(), false).map(HostVm::parse).toList();
    }

    /** The VM's state, or empty if the datastore has no such VM. */
    public Optional<HostVm> vm(String vm) throws HostException {
        try {
            return Optional.of(HostVm.parse(json("GET", "/vms/" + enc(vm), null)));
        } catch (HostException e) {
            if (e.status() == 404) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** Creates the VM folder (home and disks), encrypted under {@code kekId} when it is not null. */
    public HostVm createVm(String vm, List<DiskSpec> disks, String provider, String kekId) throws HostException {
        ObjectNode b = JSON.createObjectNode().put("name", vm);
        ArrayNode d = b.putArray("disks");
        disks.forEach(s -> d.addObject().put("name", s.name()).put("sizeBytes", s.sizeBytes()));
        if (kekId != null) {
            b.putObject("encryption").put("provider", provider).put("kekId", kekId);
        } else {
            b.putNull("encryption");
        }
        return HostVm.parse(json("POST", "/vms", b));
    }

    public HostVm open(String vm, boolean force) throws HostException {
        return HostVm.parse(json("POST", "/vms/" + enc(vm) + "/open" + (force ? "?force=true" : ""), null));
    }

    public HostVm close(String vm) throws HostException {
        return HostVm.parse(json("POST", "/vms/" + enc(vm) + "/close", null));
    }

    private static ObjectNode components(ObjectNode b, List<String> components) {
        if (components == null) {
            b.putNull("components");
        } else {
            ArrayNode a = b.putArray("components");
            components.forEach(a::add);
        }
        return b;
    }

    /** Starts encrypting the plaintext components (all when {@code components} is null); returns the job id. */
    public String encrypt(String vm, String provider, String kekId, List<String> components) throws HostException {
        ObjectNode b = components(JSON.createObjectNode().put("provider", provider).put("kekId", kekId), components);
        return json("POST", "/vms/" + enc(vm) + "/encrypt", b).path("id").asText();
    }

    public String decryptDisk(String vm, String disk) throws HostException {
        return json("POST", "/vms/" + enc(vm) + "/disks/" + enc(disk) + "/decrypt", null).path("id").asText();
    }

    public String decryptHome(String vm) throws HostException {
        return json("POST", "/vms/" + enc(vm) + "/decrypt-home", null).path("id").asText();
    }

    /** Shallow (re-wrap the DEKs) or deep (new DEKs, data re-encrypted) rekey under {@code kekId}. */
    public String rekey(String vm, String provider, String kekId, boolean deep, List<String> components) throws HostException {
        ObjectNode b = components(JSON.createObjectNode().put("provider", provider).put("kekId", kekId).put("deep", deep), components);
        return json("POST", "/vms/" + enc(vm) + "/rekey", b).path("id").asText();
    }

    public HostJob job(String id) throws HostException {
        return HostJob.parse(json("GET", "/jobs/" + enc(id), null));
    }

    /** Reads disk bytes (the VM must be open on this host). */
    public byte[] read(String vm, String disk, long offset, int length) throws HostException {
        return send("GET", "/vms/" + enc(vm) + "/disks/" + enc(disk) + "/data?offset=" + offset + "&length=" + length, null, null).body();
    }

    /** Writes disk bytes (the VM must be open on this host). */
    public void write(String vm, String disk, long offset, byte[] data) throws HostException {
        send("PUT", "/vms/" + enc(vm) + "/disks/" + enc(disk) + "/data?offset=" + offset, "application/octet-stream", data);
    }
}
