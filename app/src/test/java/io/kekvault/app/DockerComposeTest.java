package io.kekvault.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kekvault.bridge.config.BridgeConfig;
import io.kekvault.esxi.host.HostConfig;
import io.kekvault.kms.config.KmsConfig;
import io.kekvault.kms.testkit.ChildJvm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * No Docker engine runs here, so this checks what can be checked without one: every file the
 * Dockerfile copies exists; every command the compose file runs parses as the launcher's CLI;
 * every config file it names exists, loads with the same loaders the services use, and listens on
 * the ports the compose file publishes; lab-init.sh, run for real, creates every file those
 * configs read; and the launcher's JVM flags are the build's.
 */
class DockerComposeTest {
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    static final Path DOCKER = ROOT.resolve("docker");

    /**
     * Services as Compose sees them: SnakeYAML (the YAML library under Jackson's) resolves the
     * anchors, aliases and {@code <<} merge keys.
     */
    static Map<String, JsonNode> services() throws Exception {
        Object doc = new org.yaml.snakeyaml.Yaml().load(Files.readString(DOCKER.resolve("compose.yaml")));
        JsonNode compose = new ObjectMapper().valueToTree(doc);
        Map<String, JsonNode> out = new LinkedHashMap<>();
        compose.get("services").fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue()));
        return out;
    }

    static List<String> strings(JsonNode n) {
        List<String> l = new ArrayList<>();
        if (n != null) {
            n.forEach(x -> l.add(x.asText()));
        }
        return l;
    }

    /** container path -> host path, for bind mounts relative to docker/ ("./config:/config:ro"). */
    static Map<String, Path> binds(JsonNode service) {
        Map<String, Path> m = new LinkedHashMap<>();
        for (String v : strings(service.get("volumes"))) {
            String[] p = v.split(":");
            if (p[0].startsWith(".")) {
                m.put(p[1], DOCKER.resolve(p[0]).normalize());
            }
        }
        return m;
    }

    static Set<Integer> containerPorts(JsonNode service) {
        Set<Integer> ports = new HashSet<>();
        for (String p : strings(service.get("ports"))) {
            ports.add(Integer.parseInt(p.substring(p.lastIndexOf(':') + 1)));
        }
        return ports;
    }

    @Test
    void dockerfile_copiesOnlyFilesThatExist() throws Exception {
        Matcher m = Pattern.compile("(?m)^COPY (?!--from)(\\S+)").matcher(Files.readString(DOCKER.resolve("Dockerfile")));
        int n = 0;
        while (m.find()) {
            if (!m.group(1).equals(".")) {
                assertThat(ROOT.resolve(m.group(1))).as("COPY %s", m.group(1)).exists();
            }
            n++;
        }
        Matcher built = Pattern.compile("(?m)^COPY --from=build /src/(\\S+)").matcher(Files.readString(DOCKER.resolve("Dockerfile")));
        while (built.find()) {
            String path = built.group(1);
            if (!path.startsWith("app/target")) {
                assertThat(ROOT.resolve(path)).as("COPY --from=build %s", path).exists();
            }
        }
        assertThat(n).isGreaterThan(5);
        for (String module : new String[] {"pki", "kmip", "kms-hsm", "esxi-sim", "vcenter-bridge", "app"}) {
            assertThat(Files.readString(DOCKER.resolve("Dockerfile"))).contains("COPY " + module + "/pom.xml");
        }
    }

    @Test
    void composeCommands_parseAsTheLaunchersCli_andTheirConfigsLoadAndMatchThePublishedPorts() throws Exception {
        Map<String, JsonNode> services = services();
        assertThat(services.keySet()).contains("init", "postgres", "kms-1", "kms-2", "hosts", "bridge");
        int checked = 0;
        for (var e : services.entrySet()) {
            JsonNode s = e.getValue();
            if (!"kekvault:latest".equals(s.path("image").asText())) {
                continue;
            }
            List<String> command = strings(s.get("command"));
            if (command.isEmpty()) {
                continue; // init runs lab-init.sh, checked below
            }
            CommandLine cli = new CommandLine(new Main());
            cli.parseArgs(command.toArray(String[]::new)); // throws on an unknown command or option
            int i = command.indexOf("--config");
            assertThat(i).as("%s names its config", e.getKey()).isGreaterThan(0);
            String configPath = command.get(i + 1);
            Map<String, Path> binds = binds(s);
            if (command.get(0).equals("kms")) {
                Path file = binds.get("/config").resolve(configPath.substring("/config/".length()));
                KmsConfig.Resolved c = KmsConfig.load(file);
                assertThat(containerPorts(s)).containsExactlyInAnyOrder(c.httpsPort(), c.kmipPort());
                assertThat(c.httpsHost()).isEqualTo("0.0.0.0");
                assertThat(c.storeType()).isEqualTo("postgresql");
                assertThat(c.nodeId()).isEqualTo(e.getKey());
                checked++;
            } else if (command.get(0).equals("host")) {
                Path file = binds.get("/config").resolve(configPath.substring("/config/".length()));
                HostConfig.Resolved c = HostConfig.load(file);
                Set<Integer> ports = new HashSet<>();
                c.hosts().forEach(h -> ports.add(h.port()));
                assertThat(containerPorts(s)).isEqualTo(ports);
                assertThat(c.bindHost()).isEqualTo("0.0.0.0");
                checked++;
            } else if (command.get(0).equals("bridge")) {
                assertThat(configPath).startsWith("/data/bridge/");
                checked++;
            }
        }
        assertThat(checked).isEqualTo(4);
        assertThat(strings(services.get("init").get("entrypoint"))).contains("/opt/kekvault/docker/lab-init.sh");
    }

    @Test
    void labInit_createsEveryFileTheComposeConfigsRead(@TempDir Path tmp) throws Exception {
        Path bin = tmp.resolve("bin");
        Files.createDirectories(bin);
        List<String> javaCmd = new ArrayList<>(List.of(ChildJvm.javaExecutable()));
        javaCmd.addAll(ChildJvm.JVM_FLAGS);
        javaCmd.add("-Dlogback.configurationFile=logback.xml");
        Path shim = bin.resolve("kekvault");
        Files.writeString(shim, "#!/bin/sh\nexec " + String.join(" ", javaCmd.stream().map(RunbookTest::quote).toList())
                + " -cp " + RunbookTest.quote(System.getProperty("java.class.path")) + " io.kekvault.app.Main \"$@\"\n");
        Files.setPosixFilePermissions(shim, PosixFilePermissions.fromString("rwx------"));
        Path lab = tmp.resolve("lab");
        Files.createDirectories(lab);
        ProcessBuilder pb = new ProcessBuilder("sh", DOCKER.resolve("lab-init.sh").toString()).redirectErrorStream(true);
        pb.environment().put("PATH", bin + ":" + System.getenv("PATH"));
        pb.environment().put("KEKVAULT_LAB", lab.toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();

        // every /data path in the committed configs exists once lab-init ran
        Pattern data = Pattern.compile("/data/[A-Za-z0-9_./-]+");
        List<String> referenced = new ArrayList<>();
        try (var files = Files.list(DOCKER.resolve("config"))) {
            for (Path f : files.toList()) {
                Matcher m = data.matcher(Files.readString(f));
                while (m.find()) {
                    referenced.add(m.group());
                }
            }
        }
        for (JsonNode s : services().values()) {
            for (JsonNode env : s.path("environment")) {
                Matcher m = data.matcher(env.asText());
                while (m.find()) {
                    referenced.add(m.group());
                }
            }
            for (String c : strings(s.get("command"))) {
                if (c.startsWith("/data/")) {
                    referenced.add(c);
                }
            }
        }
        assertThat(referenced).contains("/data/hsm/token-pin", "/data/pki/ca.pem", "/data/bridge/bridge.yaml");
        for (String r : referenced) {
            assertThat(lab.resolve(r.substring("/data/".length()))).as(r).exists();
        }
        // the generated bridge config loads and listens on every interface, on the published port
        BridgeConfig.Resolved bridge = BridgeConfig.load(lab.resolve("bridge/bridge.yaml"));
        assertThat(bridge.listenHost()).isEqualTo("0.0.0.0");
        assertThat(containerPorts(services().get("bridge"))).containsExactly(bridge.listenPort());
        // the server certificate covers the names the containers use
        String sans = Files.readString(DOCKER.resolve("lab-init.sh"));
        for (String name : services().keySet()) {
            if (name.startsWith("kms-") || name.equals("hosts")) {
                assertThat(sans).contains("DNS:" + name);
            }
        }
    }

    @Test
    void launcherJvmFlags_areTheBuilds() throws Exception {
        String launcher = Files.readString(ROOT.resolve("kekvault"));
        Matcher m = Pattern.compile("(?s)JVM_FLAGS=\\((.*?)\\)").matcher(launcher);
        assertThat(m.find()).isTrue();
        List<String> flags = List.of(m.group(1).trim().split("\\s+"));
        String pom = Files.readString(ROOT.resolve("pom.xml"));
        Matcher p = Pattern.compile("<kekvault.jvm.flags>(.*?)</kekvault.jvm.flags>").matcher(pom);
        assertThat(p.find()).isTrue();
        assertThat(flags).isEqualTo(List.of(p.group(1).trim().split("\\s+")));
        assertThat(String.join(" ", ChildJvm.JVM_FLAGS)).isEqualTo(String.join(" ", flags));
    }
}
