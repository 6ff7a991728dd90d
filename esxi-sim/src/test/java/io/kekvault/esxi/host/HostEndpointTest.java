package io.kekvault.esxi.host;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kekvault.esxi.vm.DiskDescriptor;
import io.kekvault.esxi.vm.KeySafe;
import io.kekvault.esxi.vm.VmFolder;
import io.kekvault.esxi.vm.VmxFile;
import io.kekvault.pki.Identity;
import io.kekvault.pki.InitOptions;
import io.kekvault.pki.IssueOptions;
import io.kekvault.pki.PkiDirectory;
import io.kekvault.pki.PkiService;
import io.kekvault.pki.tls.TlsContext;
import io.kekvault.pki.tls.TlsMaterial;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two hosts of one cluster in one runtime, over real mutual TLS and real files, without a KMS:
 * plaintext VMs, the bridge-only endpoint, request validation and start-up recovery.
 */
class HostEndpointTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;
    private Path pki;
    private Path config;
    private Path ds;
    private HostRuntime runtime;
    private URI h1;
    private URI h2;

    @BeforeEach
    void start() throws Exception {
        pki = tmp.resolve("pki");
        PkiService svc = new PkiService();
        svc.init(pki, InitOptions.defaults());
        for (String id : new String[] {"vcenter", "esxi-1", "esxi-2"}) {
            svc.issue(pki, id, id.equals("vcenter") ? "admin" : "host", IssueOptions.defaults());
        }
        ds = tmp.resolve("ds");
        config = tmp.resolve("hosts.yaml");
        Files.writeString(config, """
                pki-dir: pki
                clusters:
                  c1:
                    datastore: ds
                hosts:
                  - id: "1"
                  - id: "2"
                """);
        startRuntime();
    }

    private void startRuntime() throws Exception {
        runtime = HostRuntime.start(HostConfig.load(config), JobProbe.NONE);
        h1 = URI.create(runtime.hosts().get(0).url());
        h2 = runtime.hosts().size() > 1 ? URI.create(runtime.hosts().get(1).url()) : null;
    }

    @AfterEach
    void stop() {
        if (runtime != null) {
            runtime.close();
        }
    }

    private HttpClient client(String identity) throws Exception {
        TlsMaterial m = identity == null ? TlsMaterial.trustOnly(PkiDirectory.of(pki).caCertificate())
                : TlsMaterial.client(PkiDirectory.of(pki), Identity.parse(identity));
        TlsContext tls = TlsContext.client(m);
        return HttpClient.newBuilder().sslContext(tls.sslContext()).sslParameters(tls.sslParameters())
                .connectTimeout(Duration.ofSeconds(10)).build();
    }

    record Reply(int status, JsonNode json, byte[] body) {
    }

    private Reply call(HttpClient c, URI host, String method, String path, Object body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(host.resolve(path)).timeout(Duration.ofSeconds(30));
        if (body instanceof byte[] raw) {
            b.method(method, HttpRequest.BodyPublishers.ofByteArray(raw));
        } else if (body != null) {
            b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body.toString()));
        } else {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        }
        HttpResponse<byte[]> r = c.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        String ct = r.headers().firstValue("Content-Type").orElse("");
        return new Reply(r.statusCode(), ct.contains("json") ? JSON.readTree(r.body()) : null, r.body());
    }

    private Reply bridge(URI host, String method, String path, Object body) throws Exception {
        return call(client("vcenter"), host, method, path, body);
    }

    @Test
    void plaintextVm_createOpenWriteReadDigestClose_overMutualTls() throws Exception {
        String req = "{\"name\":\"vm1\",\"disks\":[{\"name\":\"disk0\",\"sizeBytes\":65536},{\"name\":\"disk1\",\"sizeBytes\":8192}],"
                + "\"encryption\":null,\"annotation\":\"hello\"}";
        Reply created = bridge(h1, "POST", "/vms", req);
        assertThat(created.status()).as("%s", created.json()).isEqualTo(201);
        assertThat(created.json().at("/home/encrypted").asBoolean()).isFalse();
        assertThat(created.json().get("disks")).hasSize(2);
        assertThat(bridge(h1, "POST", "/vms", req).status()).isEqualTo(409);

        assertThat(bridge(h1, "POST", "/vms/vm1/open", null).json().get("openOn").asText()).isEqualTo("1");
        long seed = System.nanoTime();
        System.out.println("HostEndpointTest seed=" + seed);
        byte[] data = new byte[10_000];
        new Random(seed).nextBytes(data);
        assertThat(bridge(h1, "PUT", "/vms/vm1/disks/disk0/data?offset=1000", data).status()).isEqualTo(204);
        Reply read = bridge(h1, "GET", "/vms/vm1/disks/disk0/data?offset=1000&length=10000", null);
        assertThat(read.body()).isEqualTo(data);
        byte[] raw = Files.readAllBytes(ds.resolve("vm1/disk0-flat.vmdk"));
        assertThat(java.util.Arrays.copyOfRange(raw, 1000, 11_000)).isEqualTo(data);
        Reply digest = bridge(h1, "GET", "/vms/vm1/disks/disk0/digest", null);
        assertThat(digest.json().get("digest").asText())
                .isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(raw)));
        assertThat(bridge(h1, "GET", "/vms/vm1/disks/disk0/data?offset=65000&length=1000", null).status()).isEqualTo(400);

        // one owner per cluster
        assertThat(bridge(h2, "POST", "/vms/vm1/open", null).status()).isEqualTo(409);
        assertThat(bridge(h2, "GET", "/vms/vm1/disks/disk0/data?offset=0&length=1", null).status()).isEqualTo(409);
        assertThat(bridge(h1, "POST", "/vms/vm1/close", null).json().get("openOn").isNull()).isTrue();
        assertThat(bridge(h2, "POST", "/vms/vm1/open", null).status()).isEqualTo(200);
        assertThat(bridge(h2, "GET", "/vms/vm1/disks/disk0/data?offset=1000&length=10000", null).body()).isEqualTo(data);
        JsonNode list = bridge(h1, "GET", "/vms", null).json();
        assertThat(list.get("items")).hasSize(1);
        assertThat(list.at("/items/0/openOn").asText()).isEqualTo("2");
        assertThat(VmxFile.read(ds.resolve("vm1/vm1.vmx")).get("annotation")).isEqualTo("hello");
    }

    @Test
    void endpoint_refusesHostsUnauthenticatedAndForeignCaClients() throws Exception {
        Reply host = call(client("esxi-2"), h1, "GET", "/host", null);
        assertThat(host.status()).isEqualTo(403);
        assertThat(host.json().get("code").asText()).isEqualTo("permission_denied");
        Reply none = call(client(null), h1, "POST", "/vms", "{\"name\":\"x\",\"disks\":[]}");
        assertThat(none.status()).isEqualTo(401);
        assertThat(none.json().get("code").asText()).isEqualTo("authentication_not_successful");

        Path foreign = tmp.resolve("foreign");
        new PkiService().init(foreign, InitOptions.defaults());
        new PkiService().issue(pki, "vcenter", "admin", IssueOptions.defaults().withSigningCaDir(foreign).withForce(true));
        Reply forged = call(client("vcenter"), h1, "GET", "/host", null);
        assertThat(forged.status()).isEqualTo(401);
        assertThat(Files.exists(ds.resolve("x"))).isFalse();
    }

    @Test
    void badRequests_areRefusedWithProblems() throws Exception {
        Reply badName = bridge(h1, "POST", "/vms", "{\"name\":\"../evil\",\"disks\":[]}");
        assertThat(badName.status()).isEqualTo(400);
        assertThat(badName.json().get("code").asText()).isEqualTo("invalid_field");
        assertThat(bridge(h1, "POST", "/vms", "{\"name\":\"v\",\"disks\":[{\"name\":\"d\",\"sizeBytes\":1000}]}").status())
                .isEqualTo(400);
        assertThat(bridge(h1, "POST", "/vms", "not json").status()).isEqualTo(400);
        assertThat(bridge(h1, "GET", "/vms/nope", null).status()).isEqualTo(404);
        assertThat(bridge(h1, "GET", "/jobs/nope", null).status()).isEqualTo(404);
        bridge(h1, "POST", "/vms", "{\"name\":\"v\",\"disks\":[{\"name\":\"d\",\"sizeBytes\":4096}]}");
        Reply noProvider = bridge(h1, "POST", "/vms/v/encrypt", "{\"provider\":\"default\",\"kekId\":\"k\"}");
        assertThat(noProvider.status()).isEqualTo(400);
        assertThat(noProvider.json().get("detail").asText()).contains("no key provider 'default'");
        assertThat(VmxFile.read(ds.resolve("v/v.vmx")).get(VmFolder.OPEN_ON)).as("a refused job releases the VM").isNull();
        assertThat(bridge(h1, "POST", "/vms/v/disks/d/decrypt", null).status()).isEqualTo(409);
        assertThat(bridge(h1, "POST", "/vms/v/decrypt-home", null).status()).isEqualTo(409);
    }

    @Test
    void restart_releasesVmsThisHostOwned_andFinishesOrForgetsLeftovers() throws Exception {
        bridge(h1, "POST", "/vms", "{\"name\":\"v\",\"disks\":[{\"name\":\"d\",\"sizeBytes\":8192}]}");
        bridge(h1, "POST", "/vms", "{\"name\":\"w\",\"disks\":[{\"name\":\"d\",\"sizeBytes\":8192}]}");
        bridge(h1, "POST", "/vms/v/open", null);
        bridge(h2, "POST", "/vms/w/open", null);
        runtime.close(); // a clean stop releases what it had open
        assertThat(VmxFile.read(ds.resolve("v/v.vmx")).get(VmFolder.OPEN_ON)).isNull();

        // now pretend host 1 died mid-job on v, and host 2 owns w
        VmxFile.read(ds.resolve("v/v.vmx")).set(VmFolder.OPEN_ON, "1").save(ds.resolve("v/v.vmx"));
        VmxFile.read(ds.resolve("w/w.vmx")).set(VmFolder.OPEN_ON, "2").save(ds.resolve("w/w.vmx"));
        DiskDescriptor.read(ds.resolve("v/d.vmdk")).setPending(new KeySafe("p", "k", new byte[] {1}), "kcv1:0011223344556677")
                .save(ds.resolve("v/d.vmdk"));
        Files.writeString(ds.resolve("v/.v.vmx.kvwrite"), "torn");
        Files.createDirectories(ds.resolve(".z.kvcreate-1"));
        Files.writeString(config, Files.readString(config).replace("  - id: \"2\"\n", ""));
        startRuntime();
        assertThat(VmxFile.read(ds.resolve("v/v.vmx")).get(VmFolder.OPEN_ON)).isNull();
        assertThat(DiskDescriptor.read(ds.resolve("v/d.vmdk")).pendingLabel()).isNull();
        assertThat(ds.resolve("v/.v.vmx.kvwrite")).doesNotExist();
        assertThat(ds.resolve(".z.kvcreate-1")).doesNotExist();
        assertThat(VmxFile.read(ds.resolve("w/w.vmx")).get(VmFolder.OPEN_ON)).as("another host's VM is left alone").isEqualTo("2");
        assertThat(bridge(h1, "POST", "/vms/w/open", null).status()).isEqualTo(409);
        assertThat(bridge(h1, "POST", "/vms/w/open?force=true", null).status()).isEqualTo(200);
    }
}
