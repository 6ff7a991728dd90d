package io.kekvault.kms.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.kekvault.kmip.error.CryptographicFailureException;
import io.kekvault.kmip.http.KmsHttpClient;
import io.kekvault.kms.testkit.KmsProcess;
import io.kekvault.kms.testkit.KmsTestEnv;
import io.kekvault.kms.testkit.LeakScanner;
import io.kekvault.kms.testkit.SoftHsmExtension;
import io.kekvault.kms.testkit.SoftHsmToken;
import io.kekvault.secret.SecretBytes;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A workload with known DEKs against a KMS in its own process (debug logging on), then a search
 * of every file the run wrote (store, WAL, audit trail, the server log; the HSM token aside) for
 * those DEKs and the token PIN, raw, hex and base64: nothing may be found.
 */
@ExtendWith(SoftHsmExtension.class)
class KmsLeakTest {

    @Test
    void knownDeks_neverAppearInAnyFileTheRunWrote(SoftHsmToken token) throws Exception {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        System.out.println("[leak] seed=" + seed);
        KmsTestEnv env = KmsTestEnv.prepare(token, null);
        Path log = env.dir().resolve("kms.log");
        List<byte[]> secrets = new ArrayList<>();
        secrets.add(Files.readString(token.pinFile()).trim().getBytes(StandardCharsets.UTF_8));
        try (KmsProcess kms = KmsProcess.start(env, token, log)) {
            KmsHttpClient admin = kms.client("admin");
            KmsHttpClient host = kms.client("esxi-1");
            ObjectMapper json = new ObjectMapper();
            String k1 = admin.createKey(json.createObjectNode().put("name", "leak-a")).get("id").asText();
            admin.putGrant(k1, "esxi-1", List.of("wrap", "unwrap"));
            String k2 = admin.rotate(k1).get("id").asText();
            List<KmsHttpClient.WrapItem> items = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                byte[] raw = new byte[i % 2 == 0 ? 64 : 32];
                random.nextBytes(raw);
                secrets.add(raw.clone());
                items.add(new KmsHttpClient.WrapItem(SecretBytes.adopt(raw), ("vm/disk-" + i).getBytes(StandardCharsets.UTF_8)));
            }
            List<byte[]> blobs = host.wrap(k1, items);
            byte[] single = host.wrap(k1, List.of(items.get(0))).get(0);
            List<KmsHttpClient.WrappedItem> wrapped = new ArrayList<>();
            for (int i = 0; i < blobs.size(); i++) {
                wrapped.add(new KmsHttpClient.WrappedItem(blobs.get(i), items.get(i).aad()));
            }
            host.unwrap(wrapped).forEach(SecretBytes::close);
            host.unwrap(List.of(new KmsHttpClient.WrappedItem(single, items.get(0).aad()))).get(0).close();
            List<byte[]> rewrapped = host.rewrap(k2, wrapped);
            assertThat(rewrapped).hasSize(20);
            assertThatThrownBy(() -> host.unwrap(List.of(new KmsHttpClient.WrappedItem(blobs.get(3), "wrong".getBytes()))))
                    .isInstanceOf(CryptographicFailureException.class);
            admin.revoke(k1, "key_compromise", "leak test");
            admin.unwrap(wrapped).forEach(SecretBytes::close);
            items.forEach(i -> i.dek().close());
        }
        long files = LeakScanner.count(env.dir());
        assertThat(files).as("store, audit and log files were written").isGreaterThanOrEqualTo(3);
        assertThat(Files.size(log)).isGreaterThan(0);
        List<String> hits = LeakScanner.scan(env.dir(), List.of(token.dir().resolve("tokens")), secrets);
        assertThat(hits).as("files holding key material or the PIN").isEmpty();
        // the scanner itself finds what it is looking for
        Path canary = env.dir().resolve("canary.txt");
        Files.writeString(canary, "x" + java.util.HexFormat.of().formatHex(secrets.get(5)) + "y");
        assertThat(LeakScanner.scan(env.dir(), List.of(), List.of(secrets.get(5)))).hasSize(1);
    }
}
