package io.kekvault.kms.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.kekvault.kmip.http.KmsHttpClient;
import io.kekvault.kms.dev.PostgresDatabase;
import io.kekvault.kms.testkit.ClusterLoad;
import io.kekvault.kms.testkit.KmsCluster;
import io.kekvault.kms.testkit.PostgresExtension;
import io.kekvault.kms.testkit.SoftHsmExtension;
import io.kekvault.kms.testkit.SoftHsmToken;
import io.kekvault.kms.vault.KeyVault;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Two nodes under a mixed load (create, wrap, unwrap, rotate) from several clients; node A is
 * killed with kill -9 midway, node B carries the load alone, then A is restarted and takes load
 * again. Afterwards every wrap acknowledged at any time unwraps on either node, no key is lost or
 * duplicated, and both audit chains verify (A's across its crash).
 */
@ExtendWith({SoftHsmExtension.class, PostgresExtension.class})
class KmsClusterKillNineTest {

    @Test
    void mixedLoad_nodeAKilledAndRestarted_nothingAcknowledgedIsLost(SoftHsmToken token, PostgresDatabase db) throws Exception {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        System.out.println("[kill9-cluster] seed=" + seed);
        try (KmsCluster cluster = KmsCluster.prepare(token, db, 2).startAll()) {
            KmsCluster.Node a = cluster.node(0);
            KmsCluster.Node b = cluster.node(1);
            KeyVault hsm = token.openSharedVault("pkcs11");
            KmsHttpClient admin = a.client("admin");
            List<String> initial = ClusterChecks.createActiveKeys(admin, 4);

            // phase 1 and 2: four clients, two starting on each node; A dies midway
            List<KmsHttpClient> clients = new ArrayList<>();
            for (int w = 0; w < 4; w++) {
                clients.add(w % 2 == 0
                        ? cluster.client("admin", Duration.ofSeconds(15), null, a, b)
                        : cluster.client("admin", Duration.ofSeconds(15), null, b, a));
            }
            ClusterLoad first = new ClusterLoad(clients, ClusterLoad.Mix.standard(), random.nextLong(), initial, "k9a", true).start();
            int beforeKill = 40 + random.nextInt(80);
            first.awaitMoreAcks(beforeKill, Duration.ofSeconds(90));
            a.kill9();
            long ackedAtKill = first.acks();
            System.out.println("[kill9-cluster] killed " + a.id() + " after " + ackedAtKill + " acknowledged operations");
            first.awaitMoreAcks(60, Duration.ofSeconds(90));
            first.stop();
            System.out.println("[kill9-cluster] phase 1+2: " + first.acks() + " acks, failures " + first.failures());

            // phase 3: A is back on its port; fresh clients start on it again
            a.start();
            List<KmsHttpClient> again = new ArrayList<>();
            for (int w = 0; w < 4; w++) {
                again.add(cluster.client("admin", Duration.ofSeconds(15), null, w % 2 == 0 ? a : b, w % 2 == 0 ? b : a));
            }
            List<String> keysNow = new ArrayList<>(initial);
            keysNow.addAll(first.ackedKeys());
            ClusterLoad second = new ClusterLoad(again, ClusterLoad.Mix.standard(), random.nextLong(), keysNow, "k9b", true).start();
            second.awaitMoreAcks(60, Duration.ofSeconds(90));
            second.stop();
            System.out.println("[kill9-cluster] phase 3: " + second.acks() + " acks, failures " + second.failures());

            // wraps and unwraps are idempotent: the client moved them to B and none failed
            for (ClusterLoad load : List.of(first, second)) {
                assertThat(load.mismatches()).isZero();
                assertThat(load.failures().stream().filter(f -> !f.lostRotationRace())).allSatisfy(f -> {
                    assertThat(f.op()).as("only non-idempotent calls may fail: %s", f)
                            .isIn(ClusterLoad.Op.CREATE, ClusterLoad.Op.ROTATE);
                    assertThat(f.ambiguous()).as("a failure other than a lost answer: %s", f).isTrue();
                });
            }
            assertThat(second.failures()).as("nothing was killed in phase 3").allMatch(ClusterLoad.Failure::lostRotationRace);
            assertThat(first.failures().stream().filter(ClusterLoad.Failure::ambiguous).count())
                    .as("at most one call in flight per client at the kill").isLessThanOrEqualTo(4);

            List<ClusterLoad.AckedWrap> wraps = new ArrayList<>(first.ackedWraps());
            wraps.addAll(second.ackedWraps());
            assertThat(wraps).hasSizeGreaterThan(20);
            for (KmsCluster.Node n : cluster.nodes()) {
                ClusterChecks.everyWrapUnwraps(n.client("admin"), wraps, n.id());
            }
            Set<String> expected = new HashSet<>(initial);
            expected.addAll(first.ackedKeys());
            expected.addAll(second.ackedKeys());
            long ambiguous = first.ambiguous(ClusterLoad.Op.CREATE) + first.ambiguous(ClusterLoad.Op.ROTATE);
            Set<String> stored = ClusterChecks.noKeyLostOrDuplicated(cluster, hsm, expected, ambiguous, 4);
            KmsHttpClient adminB = b.client("admin");
            for (String id : expected) {
                assertThat(adminB.getKey(id).get("state").asText()).isEqualTo("Active");
            }
            System.out.println("[kill9-cluster] wraps checked on both nodes: " + wraps.size() + ", keys stored: " + stored.size()
                    + " (acknowledged " + expected.size() + ", ambiguous " + ambiguous + ")");
            ClusterChecks.auditVerifies(cluster);
        }
    }
}
