package io.kekvault.kms.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.kekvault.kmip.error.KmsException;
import io.kekvault.kmip.http.KmsHttpClient;
import io.kekvault.kms.audit.AuditVerifier;
import io.kekvault.kms.testkit.KmsProcess;
import io.kekvault.kms.testkit.KmsTestEnv;
import io.kekvault.kms.testkit.SoftHsmExtension;
import io.kekvault.kms.testkit.SoftHsmToken;
import io.kekvault.secret.SecretBytes;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * kill -9 of a KMS in the middle of a burst of creates: after a restart, every create that was
 * acknowledged is in the store and in the HSM (it wraps and unwraps), and the audit trail verifies.
 */
@ExtendWith(SoftHsmExtension.class)
class KmsKillNineTest {

    @Test
    void killNineDuringCreates_everyAcknowledgedKeyExistsAfterRestart_andAuditVerifies(SoftHsmToken token) throws Exception {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        System.out.println("[kill9] seed=" + seed);
        KmsTestEnv env = KmsTestEnv.prepare(token, null);
        Path log = env.dir().resolve("kms.log");
        Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        for (int round = 0; round < 3; round++) {
            int killAfter = 15 + random.nextInt(40);
            KmsProcess kms = KmsProcess.start(env, token, log);
            KmsHttpClient admin = kms.client("admin");
            AtomicInteger acks = new AtomicInteger();
            CountDownLatch enough = new CountDownLatch(1);
            ExecutorService pool = Executors.newFixedThreadPool(4);
            for (int t = 0; t < 4; t++) {
                pool.submit(() -> {
                    while (true) {
                        try {
                            String id = admin.createKey(new ObjectMapper().createObjectNode().put("activate", true))
                                    .get("id").asText();
                            acknowledged.add(id);
                            if (acks.incrementAndGet() >= killAfter) {
                                enough.countDown();
                            }
                        } catch (KmsException e) {
                            return; // the server died mid-request: not acknowledged
                        }
                    }
                });
            }
            assertThat(enough.await(120, TimeUnit.SECONDS)).as("creates acknowledged before the kill").isTrue();
            kms.kill9();
            pool.shutdown();
            assertThat(pool.awaitTermination(120, TimeUnit.SECONDS)).isTrue();
            System.out.println("[kill9] round " + round + ": killed after " + acks.get() + " acknowledged creates");
        }
        try (KmsProcess kms = KmsProcess.start(env, token, log)) {
            KmsHttpClient admin = kms.client("admin");
            for (String id : acknowledged) {
                assertThat(admin.getKey(id).get("state").asText()).as("key %s", id).isEqualTo("Active");
                try (SecretBytes dek = SecretBytes.random(32, new java.security.SecureRandom())) {
                    byte[] blob = admin.wrap(id, List.of(new KmsHttpClient.WrapItem(dek, null))).get(0);
                    try (SecretBytes back = admin.unwrap(List.of(new KmsHttpClient.WrappedItem(blob, null))).get(0)) {
                        assertThat(back.contentEquals(dek)).isTrue();
                    }
                }
            }
        }
        assertThat(acknowledged).hasSizeGreaterThanOrEqualTo(45);
        var v = AuditVerifier.verify(env.auditFile());
        assertThat(v.ok()).as(v.toString()).isTrue();
    }
}
