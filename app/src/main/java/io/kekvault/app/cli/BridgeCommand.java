package io.kekvault.app.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kekvault.bridge.auth.Tokens;
import io.kekvault.bridge.client.BridgeClient;
import io.kekvault.bridge.config.BridgeConfig;
import io.kekvault.bridge.server.BridgeServer;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code kekvault bridge ...}: run the bridge (the simulated vCenter) and drive it. Every task
 * command waits for its task with a progress display on stderr (unless {@code --no-wait}), prints
 * the finished task as JSON and exits 0 only if it succeeded.
 */
@Command(name = "bridge", description = "The vCenter bridge: run it, and drive its inventory, key providers and encryption tasks.",
        subcommands = {BridgeCommand.Init.class, BridgeCommand.Run.class, BridgeCommand.NewToken.class, BridgeCommand.Session.class,
            BridgeCommand.Datacenter.class, BridgeCommand.ClusterCmd.class, BridgeCommand.HostCmd.class, BridgeCommand.Provider.class,
            BridgeCommand.VmCmd.class, BridgeCommand.TaskCmd.class, BridgeCommand.Keys.class, BridgeCommand.Policies.class})
public final class BridgeCommand {
    static final ObjectMapper JSON = new ObjectMapper();

    private BridgeCommand() {
    }

    static String pretty(JsonNode n) {
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(n);
        } catch (IOException e) {
            return n.toString();
        }
    }

    static void writeSecret(Path file, String content) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.deleteIfExists(file);
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, content, StandardOpenOption.TRUNCATE_EXISTING);
    }

    // ================================================================== service

    @Command(name = "init", mixinStandardHelpOptions = true,
            description = "Write a starter bridge.yaml in DIR with an Admin and a NoCryptoAdmin operator; their tokens go to DIR/tokens/ (0600).")
    static final class Init implements Callable<Integer> {
        @Option(names = "--dir", required = true) Path dir;
        @Option(names = "--force", description = "replace an existing bridge.yaml") boolean force;
        @Option(names = "--listen-host", defaultValue = "127.0.0.1",
                description = "address the API listens on (default ${DEFAULT-VALUE}; 0.0.0.0 in a container)") String listenHost;

        @Override
        public Integer call() throws Exception {
            Path config = dir.resolve("bridge.yaml");
            if (Files.exists(config) && !force) {
                System.err.println("bridge init: " + config + " exists (use --force to replace it)");
                return 2;
            }
            List<BridgeConfig.UserEntry> users = new ArrayList<>();
            for (String[] u : List.of(new String[] {"admin", "Admin"}, new String[] {"operator", "NoCryptoAdmin"})) {
                String token = Tokens.generate();
                writeSecret(dir.resolve("tokens").resolve(u[0] + ".token"), token + "\n");
                users.add(new BridgeConfig.UserEntry(u[0], u[1], Tokens.sha256(token), null));
            }
            Files.createDirectories(dir);
            Files.writeString(config, BridgeConfig.starter(users, listenHost));
            System.out.println("wrote " + config + "; tokens in " + dir.resolve("tokens") + " (admin.token, operator.token)");
            return 0;
        }
    }

    @Command(name = "run", mixinStandardHelpOptions = true, description = "Run the bridge until SIGTERM (see docs/bridge-config.md).")
    static final class Run implements Callable<Integer> {
        @Option(names = "--config", required = true) Path config;
        @Option(names = "--port", description = "override listen.port (0 = any free port)") Integer port;
        @Option(names = "--host", description = "override listen.host") String host;

        @Override
        public Integer call() throws Exception {
            BridgeConfig.Resolved c = BridgeConfig.load(config);
            if (port != null || host != null) {
                c = c.withListen(host, port);
            }
            BridgeServer server = BridgeServer.start(c);
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                server.close();
                stopped.countDown();
            }, "bridge-shutdown"));
            System.out.println("ready url=" + server.url() + " config=" + config.toAbsolutePath());
            System.out.flush();
            stopped.await();
            return 0;
        }
    }

    @Command(name = "token", mixinStandardHelpOptions = true,
            description = "Make a new operator token: prints the token (give it to the operator) and its token-sha256 (for bridge.yaml).")
    static final class NewToken implements Callable<Integer> {
        @Override
        public Integer call() {
            String t = Tokens.generate();
            System.out.println("token: " + t);
            System.out.println("token-sha256: " + Tokens.sha256(t));
            return 0;
        }
    }

    // ================================================================== client side

    /** Where the bridge is and who we are. */
    static final class Conn {
        @Option(names = "--url", description = "bridge URL (default: $KEKVAULT_BRIDGE_URL or http://127.0.0.1:9090)") String url;
        @Option(names = "--token-file", description = "file holding the operator token (default: $KEKVAULT_BRIDGE_TOKEN)") Path tokenFile;

        BridgeClient client() throws IOException {
            String u = url != null ? url : System.getenv().getOrDefault("KEKVAULT_BRIDGE_URL", "http://127.0.0.1:9090");
            String token = tokenFile != null ? Files.readString(tokenFile).strip() : System.getenv("KEKVAULT_BRIDGE_TOKEN");
            if (token == null || token.isEmpty()) {
                throw new IllegalArgumentException("no token: give --token-file FILE or set KEKVAULT_BRIDGE_TOKEN");
            }
            return new BridgeClient(URI.create(u), token);
        }
    }

    /** A command that prints one JSON answer. */
    abstract static class Call implements Callable<Integer> {
        @Mixin Conn conn;

        abstract JsonNode run(BridgeClient c) throws Exception;

        @Override
        public Integer call() throws Exception {
            try {
                JsonNode n = run(conn.client());
                if (n != null) {
                    System.out.println(pretty(n));
                }
                return 0;
            } catch (BridgeClient.ApiException e) {
                System.err.println("error: " + e.status() + " " + e.code() + ": " + e.problem().path("detail").asText()
                        + (e.taskId() != null ? " (recorded as " + e.taskId() + ")" : ""));
                return 1;
            }
        }
    }

    /** A command that starts a task, then (by default) follows it with a progress display. */
    abstract static class TaskCall extends Call {
        @Option(names = "--no-wait", description = "return once the task is accepted") boolean noWait;
        @Option(names = "--timeout", defaultValue = "3600", description = "seconds to wait (default ${DEFAULT-VALUE})") long timeout;

        abstract JsonNode start(BridgeClient c) throws Exception;

        @Override
        JsonNode run(BridgeClient c) throws Exception {
            JsonNode accepted = start(c);
            if (noWait) {
                return accepted;
            }
            return follow(c, accepted.path("id").asText(), timeout);
        }

        @Override
        public Integer call() throws Exception {
            int code = super.call();
            return code != 0 ? code : finished;
        }

        int finished;

        JsonNode follow(BridgeClient c, String id, long timeoutSeconds) throws Exception {
            Progress p = new Progress(System.err);
            JsonNode t = c.waitTask(id, Duration.ofSeconds(timeoutSeconds), p::show);
            p.done(t);
            finished = t.path("state").asText().equals("succeeded") ? 0 : 1;
            return t;
        }
    }

    /** The progress display: new log lines as they come, and a bar redrawn in place. */
    static final class Progress {
        private final PrintStream out;
        private int logShown;
        private boolean bar;

        Progress(PrintStream out) {
            this.out = out;
        }

        void show(JsonNode t) {
            JsonNode log = t.path("log");
            if (log.size() > logShown) {
                if (bar) {
                    out.print("\r\033[2K");
                    bar = false;
                }
                for (int i = logShown; i < log.size(); i++) {
                    out.println("  " + log.get(i).path("level").asText() + "  " + log.get(i).path("message").asText());
                }
                logShown = log.size();
            }
            if (!t.path("state").asText().equals("succeeded") && !t.path("state").asText().equals("failed")) {
                out.print("\r" + line(t));
                out.flush();
                bar = true;
            }
        }

        static String line(JsonNode t) {
            int pct = (int) Math.round(t.path("progress").asDouble() * 100);
            int filled = pct / 5;
            return t.path("id").asText() + " " + t.path("kind").asText() + " [" + "#".repeat(filled) + ".".repeat(20 - filled) + "] "
                    + String.format("%3d%%", pct) + " " + t.path("state").asText();
        }

        void done(JsonNode t) {
            show(t);
            if (bar) {
                out.println();
            }
            out.println(line(t) + (t.path("error").isObject() ? ": " + t.path("error").path("detail").asText() : ""));
        }
    }

    @Command(name = "session", mixinStandardHelpOptions = true, description = "Who am I: user, role, privileges.")
    static final class Session extends Call {
        @Override
        JsonNode run(BridgeClient c) throws Exception {
            return c.get("/session");
        }
    }

    @Command(name = "policies", mixinStandardHelpOptions = true, description = "List the storage policies.")
    static final class Policies extends Call {
        @Override
        JsonNode run(BridgeClient c) throws Exception {
            return c.get("/storage-policies");
        }
    }

    @Command(name = "keys", mixinStandardHelpOptions = true, description = "KEKs in use and what they protect (Cryptographer.ManageKeys).")
    static final class Keys extends Call {
        @Option(names = "--state", description = "ask each KMS for the key's state") boolean state;

        @Override
        JsonNode run(BridgeClient c) throws Exception {
            return c.get("/keys" + (state ? "?state=true" : ""));
        }
    }

    @Command(name = "datacenter", description = "Datacenters.", subcommands = {Datacenter.Create.class, Datacenter.ListDc.class})
    static final class Datacenter {
        @Command(name = "create", mixinStandardHelpOptions = true)
        static final class Create extends Call {
            @Parameters(paramLabel = "NAME") String name;

            @Override
            JsonNode run(BridgeClient c) throws Exception {
                return c.post("/datacenters", JSON.createObjectNode().put("name", name));
            }
        }

        @Command(name = "list", mixinStandardHelpOptions = true)
        static final class ListDc extends Call {
            @Override
            JsonNode run(BridgeClient c) throws Exception {
                return c.get("/datacenters");
            }
        }
    }

    @Command(name = "cluster", description = "Clusters.", subcommands = {ClusterCmd.Create.class, ClusterCmd.ListCl.class})
    static final class ClusterCmd {
        @Command(name = "create", mixinStandardHelpOptions = true)
        static final class Create extends Call {
            @Parameters(paramLabel = "NAME") String name;
            @Option(names = "--datacenter", required = true) String datacenter;

            @Override
            JsonNode run(BridgeClient c) throws Exception {
                return c.post("/clusters", JSON.createObjectNode().put("name", name).put("datacenter", datacenter));
            }
        }

        @Command(name = "list", mixinStandardHelpOptions = true)
        static final class ListCl extends Call {
            @Override
            JsonNode run(BridgeClient c) throws Exception {
                return c.get("/clusters");
            }
        }
    }

    @Command(name = "host", description = "Hosts of clusters.", subcommands = {HostCmd.Add.class, HostCmd.Remove.class, HostCmd.ListHosts.class})
    static final class HostCmd {
        @Command(name = "add", mixinStandardHelpOptions = true, description = "Task add-host: the host joins the cluster and is granted its KEKs.")
        static final class Add extends TaskCall {
            @Option(names = "--cluster", required = true) String cluster;
            @Option(names = "--host-url", required = true, description = "the host's https command endpoint") String hostUrl;
            @Option(names = "--identity", description = "the host's KMS identity (default esxi-<hostId>)") String identity;

            @Override
            JsonNode start(BridgeClient c) throws Exception {
                ObjectNode b = JSON.createObjectNode().put("cluster", cluster).put("url", hostUrl);
                if (identity != null) {
                    b.put("identity", identity);
                }
                return c.post("/hosts", b);
            }
        }

        @Command(name = "remove", mixinStandardHelpOptions = true, description = "Task remove-host: its grants are revoked.")
        static final class Remove extends TaskCall {
            @Parameters(paramLabel = "HOST") String host;

            @Override
            JsonNode start(BridgeClient c) throws Exception {
                return c.delete("/hosts/" + host);
            }
        }

        @Command(name = "list", mixinStandardHelpOptions = true)
        static final class ListHosts extends Call {
            @Override
            JsonNode run(BridgeClient c) throws Exception {
                return c.get("/hosts");
            }
        }
    }

    @Command(name = "provider", description = "Key providers (KMS clusters) and trust with them.",
            subcommands = {Provider.Add.class, Provider.ListP.class, Provider.Show.class, Provider.Csr.class, Provider.InstallCert.class,
                Provider.Check.class, Provider.MakeDefault.class, Provider.Remove.class})
    static final class Provider {
        @Command(name = "add", mixinStandardHelpOptions = true, description = "Add a key provider; endpoints in failover order.")
        static final class Add extends Call {
            @Parameters(paramLabel = "NAME") String name;
            @Option(names = "--endpoint", required = true, description = "KMIP_HOST:PORT,HTTPS_URL (repeatable, in failover order)")
            List<String> endpoints;
            @Option(names = "--default") boolean makeDefault;

            @Override
            JsonNode run(BridgeClient c) throws Exception {
                ObjectNode b = JSON.createObjectNode().put("name", name).put("default", makeDefault);
                ArrayNode a = b.putArray("endpoints");
                for (String e : endpoints) {
                    String[] parts = e.split(",", 2);
                    if (parts.length != 2) {
                        throw new IllegalArgumentException("--endpoint KMIP_HOST:PORT,HTTPS_URL, not " + e);
                    }
                    a.addObject().put("kmip", parts[0].strip()).put("https", parts[1].strip());
                }
                return c.post("/key-providers", b);
            }
        }

        @Command(name = "list", mixinStandardHelpOptions = true)
        static final class ListP extends Call {
            @Override
            JsonNode run(BridgeClient c) throws Exception {
                return c.get("/key-providers");
            }
        }

        @Command(name = "show", mixinStandardHelpOptions = true)
        static final class Show extends Call {
            @Parameters(paramLabel = "NAME") String name;

            @Override
            JsonNode run(BridgeClient c) throws Exception {
                return c.get("/key-providers/" + name);
            }
        }

        @Command(name = "csr", mixinStandardHelpOptions = true,
                description = "The bridge makes a key pair and a CSR (its private key stays in the bridge); sign it with `kekvault pki sign-csr`.")
        static final class Csr extends Call {
            @Parameters(paramLabel = "NAME") String name;
            @Option(names = "--out", required = true, description = "where to write the CSR (PEM)") Path out;
            @Option(names = "--cn", defaultValue = "vcenter", description = "certificate common name (default ${DEFAULT-VALUE})") String cn;

            @Override
            JsonNode run(BridgeClient c) throws Exception {
                JsonNode r = c.post("/key-providers/" + name + "/csr", JSON.createObjectNode().put("commonName", cn));
                Files.writeString(out, r.path("csr").asText(), StandardCharsets.US_ASCII);
                System.err.println("CSR written to " + out + "; sign it: kekvault pki sign-csr --dir KMS_PKI --csr " + out
                        + " --role admin --out CERT");
                return null;
            }
        }

        @Command(name = "install-cert", mixinStandardHelpOptions = true, description = "Install the signed certificate and the KMS CA.")
        static final class InstallCert extends Call {
            @Parameters(paramLabel = "NAME") String name;
            @Option(names = "--cert", required = true) Path cert;
            @Option(names = "--ca", required = true) Path ca;

            @Override
            JsonNode run(BridgeClient c) throws Exception {
                return c.put("/key-providers/" + name + "/certificate", JSON.createObjectNode()
                        .put("certificate", Files.readString(cert)).put("ca", Files.readString(ca)));
            }
        }

        @Command(name = "check", mixinStandardHelpOptions = true, description = "Check each endpoint (KMIP and HTTPS).")
        static final class Check extends Call {
            @Parameters(paramLabel = "NAME") String name;

            @Override
            JsonNode run(BridgeClient c) throws Exception {
                return c.post("/key-providers/" + name + "/check", null);
            }
        }

        @Command(name = "default", mixinStandardHelpOptions = true, description = "Make the provider the default (new KEKs come from it).")
        static final class MakeDefault extends Call {
            @Parameters(paramLabel = "NAME") String name;

            @Override
            JsonNode run(BridgeClient c) throws Exception {
                return c.post("/key-providers/" + name + "/default", null);
            }
        }

        @Command(name = "remove", mixinStandardHelpOptions = true)
        static final class Remove extends Call {
            @Parameters(paramLabel = "NAME") String name;

            @Override
            JsonNode run(BridgeClient c) throws Exception {
                c.delete("/key-providers/" + name);
                return null;
            }
        }
    }

    @Command(name = "vm", description = "VMs and their encryption tasks.",
            subcommands = {VmCmd.Create.class, VmCmd.ListVms.class, VmCmd.Show.class, VmCmd.Encrypt.class, VmCmd.Decrypt.class,
                VmCmd.DecryptDisk.class, VmCmd.DecryptHome.class, VmCmd.Rekey.class, VmCmd.Move.class, VmCmd.PowerOn.class,
                VmCmd.PowerOff.class, VmCmd.Policy.class})
    static final class VmCmd {
        @Command(name = "create", mixinStandardHelpOptions = true,
                description = "Task create-vm; with --policy vm-encryption, the create-encrypted-VM task.")
        static final class Create extends TaskCall {
            @Parameters(paramLabel = "VM") String vm;
            @Option(names = "--host", required = true) String host;
            @Option(names = "--cluster") String cluster;
            @Option(names = "--disk", description = "NAME:SIZE_BYTES (repeatable)") List<String> disks = new ArrayList<>();
            @Option(names = "--policy", description = "storage policy (default datastore-default)") String policy;

            @Override
            JsonNode start(BridgeClient c) throws Exception {
                ObjectNode b = JSON.createObjectNode().put("vm", vm).put("host", host);
                if (cluster != null) {
                    b.put("cluster", cluster);
                }
                if (policy != null) {
                    b.put("policy", policy);
                }
                ArrayNode a = b.putArray("disks");
                for (String d : disks) {
                    String[] p = d.split(":", 2);
                    if (p.length != 2) {
                        throw new IllegalArgumentException("--disk NAME:SIZE_BYTES, not " + d);
                    }
                    a.addObject().put("name", p[0]).put("sizeBytes", Long.parseLong(p[1]));
                }
                return c.post("/vms", b);
            }
        }

        @Command(name = "list", mixinStandardHelpOptions = true)
        static final class ListVms extends Call {
            @Override
            JsonNode run(BridgeClient c) throws Exception {
                return c.get("/vms");
            }
        }

        @Command(name = "show", mixinStandardHelpOptions = true)
        static final class Show extends Call {
            @Parameters(paramLabel = "VM") String vm;

            @Override
            JsonNode run(BridgeClient c) throws Exception {
                return c.get("/vms/" + vm);
            }
        }

        private static ObjectNode components(List<String> components) {
            ObjectNode b = JSON.createObjectNode();
            if (components != null && !components.isEmpty()) {
                ArrayNode a = b.putArray("components");
                components.forEach(a::add);
            }
            return b;
        }

        @Command(name = "encrypt", mixinStandardHelpOptions = true, description = "Task encrypt-vm (all plaintext components, or those named).")
        static final class Encrypt extends TaskCall {
            @Parameters(paramLabel = "VM") String vm;
            @Option(names = "--component", description = "home or a disk name (repeatable)") List<String> components;

            @Override
            JsonNode start(BridgeClient c) throws Exception {
                return c.post("/vms/" + vm + "/encrypt", components(components));
            }
        }

        @Command(name = "decrypt", mixinStandardHelpOptions = true, description = "Task decrypt-vm: disks first, then the VM home.")
        static final class Decrypt extends TaskCall {
            @Parameters(paramLabel = "VM") String vm;
            @Option(names = "--component", description = "home or a disk name (repeatable)") List<String> components;

            @Override
            JsonNode start(BridgeClient c) throws Exception {
                return c.post("/vms/" + vm + "/decrypt", components(components));
            }
        }

        @Command(name = "decrypt-disk", mixinStandardHelpOptions = true, description = "Task decrypt-disk.")
        static final class DecryptDisk extends TaskCall {
            @Parameters(index = "0", paramLabel = "VM") String vm;
            @Parameters(index = "1", paramLabel = "DISK") String disk;

            @Override
            JsonNode start(BridgeClient c) throws Exception {
                return c.post("/vms/" + vm + "/disks/" + disk + "/decrypt", null);
            }
        }

        @Command(name = "decrypt-home", mixinStandardHelpOptions = true,
                description = "Task decrypt-home (refused while any disk of the VM is encrypted).")
        static final class DecryptHome extends TaskCall {
            @Parameters(paramLabel = "VM") String vm;

            @Override
            JsonNode start(BridgeClient c) throws Exception {
                return c.post("/vms/" + vm + "/decrypt-home", null);
            }
        }

        @Command(name = "rekey", mixinStandardHelpOptions = true,
                description = "Task rekey-shallow (new KEK, DEKs re-wrapped) or, with --deep, rekey-deep (new DEKs, data re-encrypted).")
        static final class Rekey extends TaskCall {
            @Parameters(paramLabel = "VM") String vm;
            @Option(names = "--deep") boolean deep;

            @Override
            JsonNode start(BridgeClient c) throws Exception {
                return c.post("/vms/" + vm + "/rekey", JSON.createObjectNode().put("deep", deep));
            }
        }

        @Command(name = "move", mixinStandardHelpOptions = true, description = "Task move-vm to another host of its cluster.")
        static final class Move extends TaskCall {
            @Parameters(paramLabel = "VM") String vm;
            @Option(names = "--host", required = true) String host;

            @Override
            JsonNode start(BridgeClient c) throws Exception {
                return c.post("/vms/" + vm + "/move", JSON.createObjectNode().put("host", host));
            }
        }

        @Command(name = "power-on", mixinStandardHelpOptions = true, description = "Task power-on (the host opens the VM).")
        static final class PowerOn extends TaskCall {
            @Parameters(paramLabel = "VM") String vm;

            @Override
            JsonNode start(BridgeClient c) throws Exception {
                return c.post("/vms/" + vm + "/power-on", null);
            }
        }

        @Command(name = "power-off", mixinStandardHelpOptions = true, description = "Task power-off (the host closes the VM).")
        static final class PowerOff extends TaskCall {
            @Parameters(paramLabel = "VM") String vm;

            @Override
            JsonNode start(BridgeClient c) throws Exception {
                return c.post("/vms/" + vm + "/power-off", null);
            }
        }

        @Command(name = "policy", mixinStandardHelpOptions = true,
                description = "Apply storage policies: the encryption policy starts encrypt-vm, the plain one a decrypt task.")
        static final class Policy extends TaskCall {
            @Parameters(paramLabel = "VM") String vm;
            @Option(names = "--home", description = "policy for the VM home") String home;
            @Option(names = "--disk", description = "DISK=POLICY (repeatable)") List<String> disks = new ArrayList<>();

            @Override
            JsonNode start(BridgeClient c) throws Exception {
                ObjectNode b = JSON.createObjectNode();
                if (home != null) {
                    b.put("home", home);
                }
                if (!disks.isEmpty()) {
                    ObjectNode d = b.putObject("disks");
                    for (String s : disks) {
                        String[] p = s.split("=", 2);
                        if (p.length != 2) {
                            throw new IllegalArgumentException("--disk DISK=POLICY, not " + s);
                        }
                        d.put(p[0], p[1]);
                    }
                }
                return c.put("/vms/" + vm + "/policy", b);
            }
        }
    }

    @Command(name = "task", description = "Tasks.", subcommands = {TaskCmd.ListTasks.class, TaskCmd.Show.class, TaskCmd.Wait.class})
    static final class TaskCmd {
        @Command(name = "list", mixinStandardHelpOptions = true)
        static final class ListTasks extends Call {
            @Option(names = "--vm") String vm;
            @Option(names = "--state") String state;
            @Option(names = "--limit", defaultValue = "50") int limit;

            @Override
            JsonNode run(BridgeClient c) throws Exception {
                StringBuilder q = new StringBuilder("/tasks?limit=" + limit);
                if (vm != null) {
                    q.append("&target=vm:").append(vm);
                }
                if (state != null) {
                    q.append("&state=").append(state);
                }
                return c.get(q.toString());
            }
        }

        @Command(name = "show", mixinStandardHelpOptions = true)
        static final class Show extends Call {
            @Parameters(paramLabel = "TASK") String id;

            @Override
            JsonNode run(BridgeClient c) throws Exception {
                return c.get("/tasks/" + id);
            }
        }

        @Command(name = "wait", mixinStandardHelpOptions = true, description = "Follow a task to its end with a progress display.")
        static final class Wait extends TaskCall {
            @Parameters(paramLabel = "TASK") String id;

            @Override
            JsonNode start(BridgeClient c) throws Exception {
                return c.get("/tasks/" + id);
            }
        }
    }
}
