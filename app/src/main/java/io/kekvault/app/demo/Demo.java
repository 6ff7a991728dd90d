package io.kekvault.app.demo;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.FileAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kekvault.app.Main;
import io.kekvault.bridge.client.BridgeClient;
import io.kekvault.bridge.host.HostClient;
import io.kekvault.bridge.host.HostException;
import io.kekvault.kmip.http.KmsHttpClient;
import io.kekvault.kms.dev.PostgresDatabase;
import io.kekvault.kms.dev.PostgresServer;
import io.kekvault.pki.Identity;
import io.kekvault.pki.InitOptions;
import io.kekvault.pki.IssueOptions;
import io.kekvault.pki.PkiDirectory;
import io.kekvault.pki.PkiService;
import io.kekvault.pki.tls.TlsContext;
import io.kekvault.pki.tls.TlsMaterial;
import io.kekvault.secret.SecretBytes;
import io.kekvault.secret.SecretScan;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.LoggerFactory;

/**
 * The end-to-end demo: a SoftHSM2 token, the PKI, PostgreSQL, two KMS nodes on that one token,
 * the bridge and three hosts in one cluster, all on loopback under one work directory; then every
 * bridge task on real disk files, with the data checked after each step and a final search of
 * every file for clear DEKs. Prints a summary table, stops everything, and returns non-zero if
 * any check failed.
 */
public final class Demo {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MIB = 1 << 20;
    private static final String PROVIDER = "default";
    private static final Duration TASK_TIMEOUT = Duration.ofMinutes(5);
    static final Pattern KEY_SAFE = Pattern.compile(
            "kekvault:keysafe/v1/\\(provider/([^,()]+),kek/([^,()]+),wrapped/([A-Za-z0-9+/=]+)\\)");

    private final Path work;
    private final PrintStream out;
    private final long seed = System.nanoTime();
    private final Random random = new Random(seed);
    private final List<Step> steps = new ArrayList<>();
    private final List<Processes.Service> services = new ArrayList<>();
    private final Map<String, String> hostUrls = new LinkedHashMap<>();
    /** disk -> offset -> bytes the VM must hold. */
    private final Map<String, Map<Long, byte[]>> written = new LinkedHashMap<>();
    /** Every DEK the run used, captured through the KMS as a granted host would. */
    private final List<byte[]> deks = new ArrayList<>();
    private PostgresServer postgres;
    private PostgresDatabase database;
    private List<String> kmsHttps = List.of();
    private List<String> kmsKmip = List.of();
    private BridgeClient bridge;
    private Path bridgeDir;
    private Path datastore;

    record Step(String name, boolean ok, double seconds, String detail) {
    }

    @FunctionalInterface
    interface Action {
        String run() throws Exception;
    }

    public Demo(Path work, PrintStream out) {
        this.work = work;
        this.out = out;
    }

    public static Path defaultWorkDir() {
        String home = System.getProperty("kekvault.home", ".");
        return Path.of(home, "kekvault-work",
                "demo-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"))).toAbsolutePath();
    }

    /** Runs the demo; the exit code is 0 only if every step passed. */
    public int run() throws Exception {
        Files.createDirectories(work);
        logToFile(work.resolve("demo.log"));
        out.println("Kekvault demo: work directory " + work + " (seed " + seed + ")");
        long start = System.nanoTime();
        try {
            boolean ok = step("token, PKI and PostgreSQL", this::setUp)
                    && step("two KMS nodes on one HSM token", this::startKms)
                    && step("three hosts in cluster-1", this::startHosts)
                    && step("bridge, and trust with the KMS (CSR flow)", this::startBridge)
                    && step("inventory: datacenter, cluster, hosts 1 and 2", this::inventory)
                    && step("create encrypted VM vm1 with two disks", this::createVm)
                    && step("write data, read it back", this::writeData)
                    && step("encrypt existing VM vm2 (plain, with data)", this::encryptExisting)
                    && step("move vm1 to host 2", this::move)
                    && step("shallow rekey (new KEK, data untouched)", this::shallowRekey)
                    && step("deep rekey (new DEKs, data re-encrypted)", this::deepRekey)
                    && step("add host 3; it opens vm1", this::addHost)
                    && step("remove host 2; it can no longer open vm1", this::removeHost)
                    && step("kill -9 KMS node 1; rekey through node 2", this::kmsFailover)
                    && step("decrypt disks, then the VM home", this::decrypt)
                    && step("no file holds a clear DEK", this::leakCheck);
            out.println(ok ? "" : "a step failed; stopping");
        } finally {
            step("stop everything", this::stopAll);
            deks.forEach(d -> Arrays.fill(d, (byte) 0)); // in every case, also when a step failed before the leak check
        }
        printSummary((System.nanoTime() - start) / 1e9);
        return steps.stream().allMatch(Step::ok) ? 0 : 1;
    }

    /** This process's own log lines (PKI, PostgreSQL, clients) go to a file, so the console shows only the steps. */
    private static void logToFile(Path file) {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext ctx)) {
            return;
        }
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(ctx);
        encoder.setPattern("%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level [%thread] %logger{30} %msg%n");
        encoder.start();
        FileAppender<ILoggingEvent> appender = new FileAppender<>();
        appender.setContext(ctx);
        appender.setName("DEMO_FILE");
        appender.setFile(file.toString());
        appender.setEncoder(encoder);
        appender.start();
        ch.qos.logback.classic.Logger root = ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.detachAndStopAllAppenders();
        root.addAppender(appender);
    }

    private boolean step(String name, Action a) {
        int n = steps.size() + 1;
        out.printf(Locale.ROOT, "[%2d] %-48s ", n, name);
        out.flush();
        long t0 = System.nanoTime();
        String detail;
        boolean ok;
        try {
            detail = a.run();
            ok = true;
        } catch (Exception | AssertionError e) {
            detail = Main.describe(e);
            ok = false;
        }
        double s = (System.nanoTime() - t0) / 1e9;
        steps.add(new Step(name, ok, s, detail == null ? "" : detail));
        out.printf(Locale.ROOT, "%s %6.1f s%s%n", ok ? "ok  " : "FAIL", s, detail == null || detail.isEmpty() ? "" : "  " + detail);
        return ok;
    }

    /** A table cell: the first line of a failure (the rest is in the step's log), no column separator. */
    static String oneLine(String detail) {
        String first = detail == null ? "" : detail.lines().findFirst().orElse("");
        return first.replace("|", "\\|");
    }

    private void printSummary(double total) {
        out.println();
        out.println("| # | step | result | time |");
        out.println("|---:|---|---|---:|");
        for (int i = 0; i < steps.size(); i++) {
            Step s = steps.get(i);
            out.printf(Locale.ROOT, "| %d | %s | %s | %.1f s |%n", i + 1, s.name(), s.ok() ? "ok" : "FAILED: " + oneLine(s.detail()), s.seconds());
        }
        long failed = steps.stream().filter(s -> !s.ok()).count();
        out.printf(Locale.ROOT, "%n%s in %.1f s; logs and files under %s%n",
                failed == 0 ? "All checks passed" : failed + " step(s) FAILED", total, work);
    }

    private static void check(boolean condition, String what) {
        if (!condition) {
            throw new AssertionError(what);
        }
    }

    // ------------------------------------------------------------------ set-up

    private Map<String, String> hsmEnv() {
        return Map.of("SOFTHSM2_CONF", work.resolve("hsm/softhsm2.conf").toString());
    }

    private String setUp() throws Exception {
        Processes.run(work.resolve("setup.log"), Map.of(), "hsm", "init-token", "--dir", work.resolve("hsm").toString(),
                "--label", "kekvault");
        PkiService pki = new PkiService();
        Path pkiDir = work.resolve("pki");
        pki.init(pkiDir, InitOptions.defaults());
        pki.issue(pkiDir, "admin", "admin", IssueOptions.defaults());
        for (String h : List.of("esxi-1", "esxi-2", "esxi-3")) {
            pki.issue(pkiDir, h, "host", IssueOptions.defaults());
        }
        postgres = PostgresServer.launch();
        database = postgres.createDatabase("demo");
        return "PostgreSQL on port " + postgres.port() + ", database " + database.name();
    }

    private String kmsConfig(String node) {
        return String.join("\n", List.of(
                "node-id: " + node,
                "hsm:",
                "  token-label: kekvault",
                "  pin: file:hsm/token-pin",
                "store:",
                "  type: postgresql",
                "  url: " + database.jdbcUrl(),
                "  user: " + database.user(),
                "  password: file:" + database.passwordFile(),
                "audit:",
                "  dir: audit-" + node,
                "tls:",
                "  ca: pki/ca.pem",
                "  cert: pki/server.pem",
                "  key: pki/server.key",
                "https:",
                "  port: 0",
                "kmip:",
                "  port: 0",
                "health:",
                "  port: 0",
                "access:",
                "  role-map-file: pki/roles.properties",
                ""));
    }

    private String startKms() throws Exception {
        List<String> https = new ArrayList<>();
        List<String> kmip = new ArrayList<>();
        for (String node : List.of("kms-1", "kms-2")) {
            Path cfg = work.resolve(node + ".yaml");
            Files.writeString(cfg, kmsConfig(node));
            Processes.Service s = Processes.start(node, work.resolve(node + ".log"), hsmEnv(), l -> l.startsWith("ready"),
                    "kms", "--config", cfg.toString());
            services.add(s);
            Matcher m = Pattern.compile("https=(\\S+) kmip=(\\S+)").matcher(s.ready().getLast());
            check(m.find(), node + " printed its endpoints");
            https.add(m.group(1));
            kmip.add(m.group(2));
        }
        kmsHttps = https;
        kmsKmip = kmip;
        return String.join(", ", https);
    }

    private String startHosts() throws Exception {
        datastore = work.resolve("datastore/ds1");
        Files.createDirectories(datastore);
        StringBuilder y = new StringBuilder("pki-dir: pki\nbridge-identity: vcenter\nproviders:\n  " + PROVIDER + ":\n    endpoints:\n");
        kmsHttps.forEach(u -> y.append("      - ").append(u).append('\n'));
        y.append("clusters:\n  cluster-1:\n    datastore: datastore/ds1\nhosts:\n");
        for (String id : List.of("1", "2", "3")) {
            y.append("  - id: \"").append(id).append("\"\n    cluster: cluster-1\n    port: 0\n");
        }
        Path cfg = work.resolve("hosts.yaml");
        Files.writeString(cfg, y.toString());
        Processes.Service s = Processes.start("hosts", work.resolve("hosts.log"), Map.of(), l -> l.startsWith("ready hosts="),
                "host", "--config", cfg.toString());
        services.add(s);
        for (String line : s.ready()) {
            Matcher m = Pattern.compile("ready host=(\\S+) https=(\\S+)").matcher(line);
            if (m.find()) {
                hostUrls.put(m.group(1), m.group(2));
            }
        }
        check(hostUrls.size() == 3, "three hosts ready");
        return String.join(", ", hostUrls.values());
    }

    /** Runs a CLI command in this JVM (client commands only) and returns its output. */
    private static String cli(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        synchronized (Demo.class) {
            System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
            try {
                int code = Main.run(args);
                if (code != 0) {
                    throw new IllegalStateException("kekvault " + String.join(" ", args) + " failed: " + buf);
                }
                return buf.toString(StandardCharsets.UTF_8);
            } finally {
                System.setOut(oldOut);
                System.setErr(oldErr);
            }
        }
    }

    private String[] bridgeArgs(String... args) {
        List<String> a = new ArrayList<>(List.of("bridge"));
        a.addAll(List.of(args));
        a.addAll(List.of("--url", bridge.base().toString(), "--token-file", bridgeDir.resolve("tokens/admin.token").toString()));
        return a.toArray(String[]::new);
    }

    private String startBridge() throws Exception {
        bridgeDir = work.resolve("bridge");
        cli("bridge", "init", "--dir", bridgeDir.toString());
        Processes.Service s = Processes.start("bridge", work.resolve("bridge.log"), Map.of(), l -> l.startsWith("ready url="),
                "bridge", "run", "--config", bridgeDir.resolve("bridge.yaml").toString(), "--port", "0");
        services.add(s);
        Matcher m = Pattern.compile("ready url=(\\S+)").matcher(s.ready().getLast());
        check(m.find(), "bridge printed its URL");
        bridge = new BridgeClient(URI.create(m.group(1)), Files.readString(bridgeDir.resolve("tokens/admin.token")).trim());
        // the vCenter way: the bridge makes a key pair and CSR, the KMS CA signs it, the bridge installs it
        List<String> add = new ArrayList<>(List.of("provider", "add", PROVIDER, "--default"));
        for (int i = 0; i < kmsHttps.size(); i++) {
            add.add("--endpoint");
            add.add(kmsKmip.get(i) + "," + kmsHttps.get(i));
        }
        cli(bridgeArgs(add.toArray(String[]::new)));
        Path csr = work.resolve("bridge.csr");
        Path cert = work.resolve("bridge.pem");
        cli(bridgeArgs("provider", "csr", PROVIDER, "--out", csr.toString()));
        cli("pki", "sign-csr", "--dir", work.resolve("pki").toString(), "--csr", csr.toString(), "--role", "admin",
                "--out", cert.toString());
        cli(bridgeArgs("provider", "install-cert", PROVIDER, "--cert", cert.toString(), "--ca",
                work.resolve("pki/ca.pem").toString()));
        JsonNode checked = JSON.readTree(cli(bridgeArgs("provider", "check", PROVIDER)));
        for (JsonNode e : checked.path("endpoints")) {
            check(e.path("kmipOk").asBoolean() && e.path("httpsOk").asBoolean(), "provider endpoint answers: " + e);
        }
        return "provider '" + PROVIDER + "' with " + kmsHttps.size() + " KMS endpoints trusted";
    }

    // ------------------------------------------------------------------ tasks

    private JsonNode task(String method, String path, JsonNode body) throws Exception {
        JsonNode accepted = bridge.send(method, path, body);
        JsonNode done = bridge.waitTask(accepted.path("id").asText(), TASK_TIMEOUT, null);
        check("succeeded".equals(done.path("state").asText()), method + " " + path + " -> " + done.path("state").asText()
                + " " + done.path("error"));
        return done;
    }

    private String inventory() throws Exception {
        cli(bridgeArgs("datacenter", "create", "dc1"));
        cli(bridgeArgs("cluster", "create", "cluster-1", "--datacenter", "dc1"));
        for (String h : List.of("1", "2")) {
            task("POST", "/hosts", JSON.createObjectNode().put("url", hostUrls.get(h)).put("cluster", "cluster-1"));
        }
        return "hosts 1 and 2 in cluster-1";
    }

    private HostClient host(String id) throws Exception {
        Path p = bridgeDir.resolve("data/providers").resolve(PROVIDER);
        TlsContext tls = TlsContext.client(TlsMaterial.load(p.resolve("client.pem"), p.resolve("client.key"), p.resolve("ca.pem")));
        return new HostClient("host " + id, URI.create(hostUrls.get(id)), tls, Duration.ofSeconds(60));
    }

    private JsonNode vm() throws Exception {
        return bridge.get("/vms/vm1");
    }

    private String kek() throws Exception {
        return vm().path("home").path("kekId").asText();
    }

    private String createVm() throws Exception {
        ObjectNode spec = JSON.createObjectNode().put("vm", "vm1").put("host", "1").put("policy", "vm-encryption");
        var disks = spec.putArray("disks");
        for (String d : List.of("d0", "d1")) {
            disks.addObject().put("name", d).put("sizeBytes", 16 * MIB);
        }
        task("POST", "/vms", spec);
        JsonNode v = vm();
        check(v.path("home").path("encrypted").asBoolean(), "VM home encrypted");
        check(Files.readString(datastore.resolve("vm1/vm1.vmx")).contains("encryption.keySafe"), ".vmx has a keySafe");
        captureDeks();
        return "KEK " + kek();
    }

    private String writeData() throws Exception {
        task("POST", "/vms/vm1/power-on", null);
        HostClient h = host(vm().path("host").asText());
        for (String d : List.of("d0", "d1")) {
            for (long off : List.of(0L, 5L * MIB + 4096, 16L * MIB - 64 * 1024)) {
                byte[] data = new byte[64 * 1024];
                random.nextBytes(data);
                h.write("vm1", d, off, data);
                written.computeIfAbsent(d, k -> new LinkedHashMap<>()).put(off, data);
            }
        }
        verifyOpen();
        task("POST", "/vms/vm1/power-off", null);
        check(!plaintextOnDisk("d0") && !plaintextOnDisk("d1"), "the flat files hold no plaintext");
        return "3 x 64 KiB on each disk, read back; flat files encrypted";
    }

    /** Reads back everything written, through the host the VM is open on. */
    private void verifyOpen() throws Exception {
        HostClient h = host(vm().path("host").asText());
        for (var d : written.entrySet()) {
            for (var e : d.getValue().entrySet()) {
                check(Arrays.equals(h.read("vm1", d.getKey(), e.getKey(), e.getValue().length), e.getValue()),
                        "data of " + d.getKey() + " at " + e.getKey());
            }
        }
    }

    private void verifyData() throws Exception {
        task("POST", "/vms/vm1/power-on", null);
        verifyOpen();
        task("POST", "/vms/vm1/power-off", null);
    }

    private boolean plaintextOnDisk(String disk) throws Exception {
        byte[] f = Files.readAllBytes(datastore.resolve("vm1").resolve(disk + "-flat.vmdk"));
        for (var e : written.get(disk).entrySet()) {
            int off = (int) (long) e.getKey();
            if (!Arrays.equals(Arrays.copyOfRange(f, off, off + e.getValue().length), e.getValue())) {
                return false;
            }
        }
        return true;
    }

    private String digest(String disk) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(Files.readAllBytes(datastore.resolve("vm1").resolve(disk + "-flat.vmdk"))));
    }

    private String encryptExisting() throws Exception {
        ObjectNode spec = JSON.createObjectNode().put("vm", "vm2").put("host", "1");
        spec.putArray("disks").addObject().put("name", "d0").put("sizeBytes", 4 * MIB);
        task("POST", "/vms", spec);
        check(!bridge.get("/vms/vm2").path("home").path("encrypted").asBoolean(), "vm2 starts plain");
        byte[] data = new byte[64 * 1024];
        random.nextBytes(data);
        long off = MIB + 4096;
        HostClient h = host("1");
        task("POST", "/vms/vm2/power-on", null);
        h.write("vm2", "d0", off, data);
        task("POST", "/vms/vm2/power-off", null);
        Path flat = datastore.resolve("vm2/d0-flat.vmdk");
        check(holds(flat, off, data), "the plain VM's flat file holds the data in the clear");

        task("POST", "/vms/vm2/encrypt", JSON.createObjectNode());
        check(bridge.get("/vms/vm2").path("home").path("encrypted").asBoolean(), "vm2 home encrypted");
        check(Files.readString(datastore.resolve("vm2/vm2.vmx")).contains("encryption.keySafe"), "vm2.vmx has a keySafe");
        check(!holds(flat, off, data), "the flat file no longer holds the plaintext");
        captureDeks("vm2");
        task("POST", "/vms/vm2/power-on", null);
        check(Arrays.equals(h.read("vm2", "d0", off, data.length), data), "vm2's data read back");
        task("POST", "/vms/vm2/power-off", null);
        return "64 KiB written plain, VM encrypted in place, flat file no longer plaintext, data read back";
    }

    private static boolean holds(Path file, long off, byte[] data) throws java.io.IOException {
        byte[] f = Files.readAllBytes(file);
        return Arrays.equals(Arrays.copyOfRange(f, (int) off, (int) off + data.length), data);
    }

    private String move() throws Exception {
        task("POST", "/vms/vm1/move", JSON.createObjectNode().put("host", "2"));
        check("2".equals(vm().path("host").asText()), "vm1 is on host 2");
        verifyData();
        return "data read back on host 2";
    }

    private String shallowRekey() throws Exception {
        String oldKek = kek();
        String before = digest("d0") + digest("d1");
        task("POST", "/vms/vm1/rekey", JSON.createObjectNode().put("deep", false));
        check(!oldKek.equals(kek()), "a new KEK");
        check(before.equals(digest("d0") + digest("d1")), "data files byte-identical");
        captureDeks();
        verifyData();
        return "KEK " + oldKek.substring(0, 8) + "... -> " + kek().substring(0, 8) + "..., flat files unchanged";
    }

    private String deepRekey() throws Exception {
        String before = digest("d0");
        byte[] old = Files.readAllBytes(datastore.resolve("vm1/d0-flat.vmdk"));
        task("POST", "/vms/vm1/rekey", JSON.createObjectNode().put("deep", true));
        byte[] now = Files.readAllBytes(datastore.resolve("vm1/d0-flat.vmdk"));
        int unchanged = 0;
        for (int off = 0; off < now.length; off += 4096) {
            if (Arrays.equals(old, off, off + 4096, now, off, off + 4096)) {
                unchanged++;
            }
        }
        check(!before.equals(digest("d0")) && unchanged == 0, "every data unit re-encrypted (" + unchanged + " unchanged)");
        captureDeks();
        verifyData();
        return "every 4 KiB unit of d0 changed; data read back";
    }

    private String addHost() throws Exception {
        task("POST", "/hosts", JSON.createObjectNode().put("url", hostUrls.get("3")).put("cluster", "cluster-1"));
        task("POST", "/vms/vm1/move", JSON.createObjectNode().put("host", "3"));
        verifyData();
        return "host 3 granted the cluster's KEKs, reads vm1";
    }

    /**
     * The bridge and the hosts list both KMS nodes; with node 1 gone (kill -9, connections
     * refused) a new KEK is made, granted and used through node 2 alone.
     */
    private String kmsFailover() throws Exception {
        Process kms1 = services.stream().filter(s -> s.name().equals("kms-1")).findFirst().orElseThrow().process();
        kms1.destroyForcibly();
        check(kms1.waitFor(30, TimeUnit.SECONDS), "kms-1 exited after kill -9");
        String oldKek = kek();
        task("POST", "/vms/vm1/rekey", JSON.createObjectNode().put("deep", false));
        check(!oldKek.equals(kek()), "a new KEK");
        captureDeks();
        verifyData();
        // both clients say so in their logs: the bridge (KMIP create, HTTPS grants) and the host (unwraps)
        long bridgeMoves = failovers(work.resolve("bridge.log"));
        long hostMoves = failovers(work.resolve("hosts.log"));
        check(bridgeMoves > 0 && hostMoves > 0, "fail-overs logged by the bridge (" + bridgeMoves + ") and the hosts (" + hostMoves + ")");
        return "kms-1 killed; KEK " + oldKek.substring(0, 8) + "... -> " + kek().substring(0, 8) + "... through kms-2 ("
                + bridgeMoves + " bridge and " + hostMoves + " host fail-overs); data read back";
    }

    private static long failovers(Path log) throws java.io.IOException {
        try (Stream<String> lines = Files.lines(log, StandardCharsets.UTF_8)) {
            return lines.filter(l -> l.contains("event=kms_failover")).count();
        }
    }

    private String removeHost() throws Exception {
        task("DELETE", "/hosts/2", null);
        try {
            host("2").open("vm1", false);
            throw new AssertionError("host 2 opened vm1 after its removal");
        } catch (HostException refused) {
            check(refused.getMessage() != null, "refusal has a reason");
        }
        verifyData();
        return "host 2 refused by the KMS";
    }

    private String decrypt() throws Exception {
        try {
            bridge.post("/vms/vm1/decrypt-home", null);
            throw new AssertionError("decrypting the VM home first was accepted");
        } catch (BridgeClient.ApiException refused) {
            check(refused.status() >= 400, "home-first refused");
        }
        for (String d : List.of("d0", "d1")) {
            task("POST", "/vms/vm1/disks/" + d + "/decrypt", null);
        }
        task("POST", "/vms/vm1/decrypt-home", null);
        check(!Files.readString(datastore.resolve("vm1/vm1.vmx")).contains("keySafe"), "no keySafe left");
        check(plaintextOnDisk("d0") && plaintextOnDisk("d1"), "flat files hold the plaintext");
        verifyData();
        return "home first refused; disks then home decrypted; files plaintext";
    }

    /** Unwraps every keySafe on the datastore the way a granted host would, and keeps the DEKs. */
    private void captureDeks() throws Exception {
        captureDeks("vm1");
    }

    /** Every DEK of {@code vm}, unwrapped from its key safes as an admin would (for the leak check). */
    private void captureDeks(String vmName) throws Exception {
        TlsContext t = TlsContext.client(TlsMaterial.client(new PkiDirectory(work.resolve("pki")), Identity.parse("admin")));
        KmsHttpClient admin = new KmsHttpClient(kmsHttps.stream().map(URI::create).toList(), t.sslContext(), t.sslParameters(),
                Duration.ofSeconds(30), null);
        String uuid = null;
        Matcher u = Pattern.compile("uuid\\.bios\\s*=\\s*\"([^\"]+)\"").matcher(
                Files.readString(datastore.resolve(vmName).resolve(vmName + ".vmx"), StandardCharsets.ISO_8859_1));
        if (u.find()) {
            uuid = u.group(1);
        }
        try (Stream<Path> files = Files.list(datastore.resolve(vmName))) {
            for (Path f : files.toList()) {
                String name = f.getFileName().toString();
                if (!name.endsWith(".vmx") && !(name.endsWith(".vmdk") && !name.endsWith("-flat.vmdk"))) {
                    continue;
                }
                Matcher m = KEY_SAFE.matcher(Files.readString(f, StandardCharsets.ISO_8859_1));
                if (!m.find()) {
                    continue;
                }
                String component = name.endsWith(".vmx") ? "home" : name.substring(0, name.length() - ".vmdk".length());
                byte[] aad = ("kekvault/vm/" + uuid + "/" + component).getBytes(StandardCharsets.UTF_8);
                try (SecretBytes dek = admin.unwrap(List.of(new KmsHttpClient.WrappedItem(Base64.getDecoder().decode(m.group(3)), aad)))
                        .getFirst()) {
                    deks.add(dek.expose().clone());
                }
            }
        }
    }

    private String leakCheck() throws Exception {
        check(deks.size() >= 6, "DEKs captured along the way (" + deks.size() + ")");
        // the token directory holds the KEKs (encrypted under the token PIN), never a DEK; skip it
        List<Path> exclude = List.of(work.resolve("hsm/tokens"));
        List<String> hits = new ArrayList<>(SecretScan.scan(work, exclude, deks));
        // the database too: key material must never reach the metadata store
        hits.addAll(SecretScan.scan(postgres.directory(), List.of(), deks));
        long files = SecretScan.count(work) + SecretScan.count(postgres.directory());
        check(hits.isEmpty(), "files holding a DEK: " + hits);
        return deks.size() + " DEKs searched for in " + files + " files (raw, hex, base64): none found";
    }

    private String stopAll() throws Exception {
        List<String> stopped = new ArrayList<>();
        for (int i = services.size() - 1; i >= 0; i--) {
            Processes.Service s = services.get(i);
            s.stop();
            stopped.add(s.name());
        }
        if (postgres != null) {
            postgres.close();
            stopped.add("postgres");
        }
        return String.join(", ", stopped);
    }
}
