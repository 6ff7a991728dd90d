package io.kekvault.kms.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kekvault.kmip.error.ConflictException;
import io.kekvault.kmip.error.KmsException;
import io.kekvault.kmip.error.NotFoundException;
import io.kekvault.kmip.error.ResultReason;
import io.kekvault.kmip.error.WrongStateException;
import io.kekvault.kmip.http.KmsHttpClient;
import io.kekvault.kms.audit.AuditVerification;
import io.kekvault.kms.audit.AuditVerifier;
import io.kekvault.kms.dev.PostgresDatabase;
import io.kekvault.kms.testkit.KmsCluster;
import io.kekvault.kms.testkit.PostgresExtension;
import io.kekvault.kms.testkit.SoftHsmExtension;
import io.kekvault.kms.testkit.SoftHsmToken;
import io.kekvault.kms.vault.KeyVault;
import io.kekvault.secret.SecretBytes;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Two KMS nodes, each its own JVM, on one SoftHSM token directory and one PostgreSQL database:
 * what one node does holds on the other at once (keys, grants, states), concurrent creates on
 * both never duplicate or lose a key, and each node keeps its own verifiable audit chain.
 */
@ExtendWith({SoftHsmExtension.class, PostgresExtension.class})
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KmsClusterTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static KmsCluster cluster;
    private static KmsCluster.Node a;
    private static KmsCluster.Node b;
    private static KeyVault hsm;
    private static long seed;
    private static Random random;

    @BeforeAll
    static void startCluster(SoftHsmToken token, PostgresDatabase db) throws Exception {
        seed = System.nanoTime();
        random = new Random(seed);
        System.out.println("[cluster] seed=" + seed);
        cluster = KmsCluster.prepare(token, db, 2).startAll();
        a = cluster.node(0);
        b = cluster.node(1);
        hsm = token.openSharedVault("pkcs11"); // a third process's view of the token, for checking HSM objects
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static String create(KmsHttpClient c, String name) throws KmsException {
        var req = JSON.createObjectNode().put("activate", true);
        if (name != null) {
            req.put("name", name);
        }
        return c.createKey(req).get("id").asText();
    }

    private static byte[] wrap(KmsHttpClient c, String keyId, SecretBytes dek, byte[] aad) throws KmsException {
        return c.wrap(keyId, List.of(new KmsHttpClient.WrapItem(dek, aad))).getFirst();
    }

    private static SecretBytes unwrap(KmsHttpClient c, byte[] blob, byte[] aad) throws KmsException {
        return c.unwrap(List.of(new KmsHttpClient.WrappedItem(blob, aad))).getFirst();
    }

    @Test
    @Order(1)
    void kekCreatedOnNodeA_wrapsAndUnwrapsOnNodeBAtOnce() throws Exception {
        KmsHttpClient adminA = a.client("admin");
        KmsHttpClient adminB = b.client("admin");
        byte[] aad = "vm-1/disk-0".getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < 5; i++) {
            String id = create(adminA, null);
            // B has never seen this key: its vault finds the HSM object on the cache miss
            try (SecretBytes dek = SecretBytes.random(64, new SecureRandom())) {
                byte[] blob = wrap(adminB, id, dek, aad);
                try (SecretBytes back = unwrap(adminA, blob, aad)) {
                    assertThat(back.contentEquals(dek)).isTrue();
                }
                try (SecretBytes back = unwrap(adminB, blob, aad)) {
                    assertThat(back.contentEquals(dek)).isTrue();
                }
            }
            // and the other way: rotated on B, the replacement serves A at once
            String next = adminB.rotate(id).get("id").asText();
            try (SecretBytes dek = SecretBytes.random(32, new SecureRandom())) {
                byte[] blob = wrap(adminA, next, dek, aad);
                try (SecretBytes back = unwrap(adminB, blob, aad)) {
                    assertThat(back.contentEquals(dek)).isTrue();
                }
            }
            assertThat(adminA.getKey(id).path("links").toString()).contains(next);
        }
    }

    @Test
    @Order(2)
    void concurrentCreatesOnBothNodes_noDuplicateLabelsNoLostKeysNoOrphanHsmObjects() throws Exception {
        Set<String> before = new HashSet<>(hsm.list());
        int perThread = 15;
        int contested = 12;
        List<KmsHttpClient> clients = List.of(a.client("admin"), b.client("admin"), a.client("vcenter"), b.client("vcenter"));
        Set<String> acked = ConcurrentHashMap.newKeySet();
        Map<String, String> contestedWinner = new ConcurrentHashMap<>();
        AtomicInteger nameRefusals = new AtomicInteger();
        CountDownLatch go = new CountDownLatch(1);
        try (ExecutorService pool = Executors.newFixedThreadPool(clients.size())) {
            List<Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < clients.size(); t++) {
                KmsHttpClient c = clients.get(t);
                int thread = t;
                fs.add(pool.submit(() -> {
                    go.await();
                    for (int i = 0; i < perThread; i++) {
                        assertThat(acked.add(create(c, "t" + thread + "-k" + i))).isTrue();
                        if (i < contested) {
                            // every thread asks for the same name at about the same time, on both nodes
                            try {
                                String id = create(c, "contested-" + i);
                                assertThat(contestedWinner.putIfAbsent("contested-" + i, id)).isNull();
                                acked.add(id);
                            } catch (ConflictException e) {
                                assertThat(e.reason()).isEqualTo(ResultReason.NON_UNIQUE_NAME_ATTRIBUTE);
                                nameRefusals.incrementAndGet();
                            }
                        }
                    }
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : fs) {
                f.get();
            }
        }
        assertThat(contestedWinner).hasSize(contested);
        assertThat(nameRefusals.get()).isEqualTo(contested * (clients.size() - 1));
        assertThat(acked).hasSize(clients.size() * perThread + contested);

        // the store (read through either node) holds exactly the acknowledged keys
        Set<String> listedA = listAll(a.client("admin"));
        Set<String> listedB = listAll(b.client("admin"));
        assertThat(listedA).isEqualTo(listedB);
        List<String> hsmNow = hsm.list();
        assertThat(new HashSet<>(hsmNow)).as("one HSM object per label").hasSize(hsmNow.size());
        Set<String> newInHsm = new HashSet<>(hsmNow);
        newInHsm.removeAll(before);
        assertThat(newInHsm).as("HSM objects made now: the acknowledged keys, and no orphan of a refused name")
                .isEqualTo(acked);
        assertThat(listedA).containsAll(acked);
        for (String id : acked) {
            assertThat(hsm.find(id)).as("HSM object of %s", id).isPresent();
        }
    }

    private static Set<String> listAll(KmsHttpClient c) throws KmsException {
        Set<String> ids = new HashSet<>();
        String cursor = null;
        do {
            Map<String, String> q = new HashMap<>();
            q.put("limit", "100");
            q.put("cursor", cursor);
            JsonNode page = c.listKeys(q);
            page.path("items").forEach(k -> ids.add(k.get("id").asText()));
            cursor = page.path("nextCursor").isTextual() ? page.get("nextCursor").asText() : null;
        } while (cursor != null);
        return ids;
    }

    @Test
    @Order(3)
    void grantsAndStateChangesMadeOnOneNode_holdOnTheOtherAtOnce() throws Exception {
        KmsHttpClient adminA = a.client("admin");
        KmsHttpClient adminB = b.client("admin");
        KmsHttpClient host1A = a.client("esxi-1");
        KmsHttpClient host1B = b.client("esxi-1");
        KmsHttpClient host2B = b.client("esxi-2");
        byte[] aad = "vm-7".getBytes(StandardCharsets.UTF_8);
        String id = create(adminA, null);

        adminA.putGrant(id, "esxi-1", List.of("wrap", "unwrap"));
        byte[] blob;
        try (SecretBytes dek = SecretBytes.random(64, new SecureRandom())) {
            blob = wrap(host1B, id, dek, aad);
            try (SecretBytes back = unwrap(host1A, blob, aad)) {
                assertThat(back.contentEquals(dek)).isTrue();
            }
            // no grant, no key: looks missing on the other node too
            assertThatThrownBy(() -> wrap(host2B, id, dek, aad)).isInstanceOf(NotFoundException.class);
        }

        assertThat(adminB.revokeGrant(id, "esxi-1")).isTrue();
        assertThatThrownBy(() -> unwrap(host1A, blob, aad)).isInstanceOf(NotFoundException.class);
        adminB.putGrant(id, "esxi-1", List.of("unwrap"));
        unwrap(host1A, blob, aad).close();

        // revoked (deactivated) on B: A refuses wraps at once, still unwraps
        adminB.revoke(id, "cessation_of_operation", "retired on node b");
        assertThat(adminA.getKey(id).get("state").asText()).isEqualTo("Deactivated");
        try (SecretBytes dek = SecretBytes.random(32, new SecureRandom())) {
            assertThatThrownBy(() -> wrap(adminA, id, dek, aad)).isInstanceOf(WrongStateException.class);
        }
        unwrap(host1A, blob, aad).close();

        // destroyed on A: B refuses the unwrap and the HSM object is gone for everyone
        adminA.destroy(id);
        assertThat(adminB.getKey(id).get("state").asText()).isEqualTo("Destroyed");
        assertThatThrownBy(() -> unwrap(host1B, blob, aad)).isInstanceOf(KmsException.class);
        assertThat(hsm.find(id)).isEmpty();
    }

    @Test
    @Order(4)
    void auditTrail_isOneVerifiableChainPerNode() throws Exception {
        String onA = create(a.client("admin"), null);
        String onB = create(b.client("admin"), null);
        for (KmsCluster.Node n : cluster.nodes()) {
            AuditVerification v = AuditVerifier.verify(n.auditFile());
            assertThat(v.ok()).as("%s: %s", n.id(), v).isTrue();
            assertThat(v.records()).isGreaterThan(10);
            for (String line : Files.readAllLines(n.auditFile())) {
                assertThat(JSON.readTree(line).get("node").asText()).isEqualTo(n.id());
            }
        }
        assertThat(createdIn(a, onA)).isTrue();
        assertThat(createdIn(b, onA)).isFalse();
        assertThat(createdIn(b, onB)).isTrue();
        assertThat(createdIn(a, onB)).isFalse();
    }

    private static boolean createdIn(KmsCluster.Node n, String keyId) throws Exception {
        for (String line : Files.readAllLines(n.auditFile())) {
            JsonNode r = JSON.readTree(line);
            if ("Create".equals(r.path("op").asText()) && keyId.equals(r.path("keyId").asText())
                    && "success".equals(r.path("result").asText())) {
                return true;
            }
        }
        return false;
    }
}
