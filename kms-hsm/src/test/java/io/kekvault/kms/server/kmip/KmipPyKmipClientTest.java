package io.kekvault.kms.server.kmip;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kekvault.kms.store.KeyRecord;
import io.kekvault.kms.testkit.KmsTestEnv;
import io.kekvault.kms.testkit.SoftHsmExtension;
import io.kekvault.kms.testkit.SoftHsmToken;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A KMIP client nobody here wrote: PyKMIP's {@code ProxyKmipClient} (Debian python3-pykmip, run
 * with /usr/bin/python3) drives one key's whole life against the KMS over mutual TLS, in KMIP 1.2
 * and 2.0: Create, Activate, Locate by name, Get Attributes, Encrypt/Decrypt round trip (AES-CBC
 * with a server-chosen IV, inside the HSM), Get refused (the default export policy keeps the key
 * in the HSM), Revoke, Destroy.
 */
@ExtendWith(SoftHsmExtension.class)
class KmipPyKmipClientTest {
    static final String PYTHON = "/usr/bin/python3";
    static KmsTestEnv env;

    @BeforeAll
    static void start(SoftHsmToken token) throws Exception {
        if (!Files.isExecutable(Path.of(PYTHON)) || !Files.isDirectory(Path.of("/usr/lib/python3/dist-packages/kmip"))) {
            throw new IllegalStateException("PyKMIP is required for this test: apt-get install python3-pykmip");
        }
        env = KmsTestEnv.prepare(token, "").start();
    }

    @AfterAll
    static void stop() {
        env.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"1.2", "2.0"})
    void pykmipClient_drivesAKeysWholeLife_andGetIsRefusedForTheNonExtractableKey(String version) throws Exception {
        String name = "pykmip-" + version + "-" + System.nanoTime();
        JsonNode r = run(name, version);
        String id = r.get("created").asText();
        assertThat(r.get("located")).extracting(JsonNode::asText).containsExactly(id);
        assertThat(r.get("attributes_uid").asText()).isEqualTo(id);
        assertThat(r.get("attributes").get("State").asText()).isEqualTo("State.ACTIVE");
        assertThat(r.get("attributes").get("Cryptographic Algorithm").asText()).isEqualTo("CryptographicAlgorithm.AES");
        assertThat(r.get("attributes").get("Cryptographic Length").asText()).isEqualTo("256");
        assertThat(r.get("attributes").get("Name").asText()).isEqualTo(name);
        assertThat(r.get("iv_len").asInt()).as("the server chose the IV").isEqualTo(16);
        assertThat(r.get("ciphertext_len").asInt()).as("32 bytes and a PKCS#5 block").isEqualTo(48);
        assertThat(r.get("ciphertext_differs").asBoolean()).isTrue();
        assertThat(r.get("round_trip").asBoolean()).isTrue();
        JsonNode get = r.get("get");
        assertThat(get.isObject()).as("Get must be refused: %s", get).isTrue();
        assertThat(get.get("status").asText()).isEqualTo("ResultStatus.OPERATION_FAILED");
        assertThat(get.get("reason").asText()).isIn("ResultReason.PERMISSION_DENIED", "ResultReason.NOT_EXTRACTABLE");
        assertThat(get.get("message").asText()).contains("not extractable");
        assertThat(r.get("state_after_revoke").asText()).isEqualTo("State.DEACTIVATED");
        assertThat(r.get("state_after_destroy").asText()).isEqualTo("State.DESTROYED");
        assertThat(r.get("located_after_destroy")).isEmpty();

        KeyRecord k = env.server().services().store().get(id).orElseThrow();
        assertThat(k.owner()).isEqualTo("kmip-client");
        assertThat(k.extractable()).isFalse();
        assertThat(env.server().services().vault().find(id)).as("destroyed in the HSM").isEmpty();
    }

    static JsonNode run(String name, String version) throws Exception {
        Path script = Path.of(KmipPyKmipClientTest.class.getResource("/pykmip/client_lifecycle.py").toURI());
        ProcessBuilder pb = new ProcessBuilder(List.of(PYTHON, script.toString(), "127.0.0.1", String.valueOf(env.kmipPort()),
                env.pemFile("kmip-client", "pem").toString(), env.pemFile("kmip-client", "key").toString(),
                env.pki().resolve("ca.pem").toString(), name, version));
        File err = File.createTempFile("pykmip-", ".err", env.dir().toFile());
        pb.redirectError(err);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("PyKMIP client finished").isTrue();
        assertThat(p.exitValue()).as("PyKMIP client failed:\n%s", Files.readString(err.toPath())).isZero();
        return new ObjectMapper().readTree(out);
    }
}
