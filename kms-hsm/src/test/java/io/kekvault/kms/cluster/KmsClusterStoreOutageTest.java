package io.kekvault.kms.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.kekvault.kmip.client.KmipClient;
import io.kekvault.kmip.error.ResultReason;
import io.kekvault.kmip.error.KmsException;
import io.kekvault.kmip.http.KmsHttpClient;
import io.kekvault.kmip.message.ProtocolVersion;
import io.kekvault.kms.dev.PostgresDatabase;
import io.kekvault.kms.dev.PostgresServer;
import io.kekvault.kms.testkit.ClusterLoad;
import io.kekvault.kms.testkit.KmsCluster;
import io.kekvault.kms.testkit.PostgresExtension;
import io.kekvault.kms.testkit.SoftHsmExtension;
import io.kekvault.kms.testkit.SoftHsmToken;
import io.kekvault.kms.vault.KeyVault;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * PostgreSQL crashes (pg_ctl stop -m immediate) under a mixed load on two nodes: while it is down
 * every request that needs metadata fails with a clear 503 problem+json and /ready says the store
 * is down; when it is back, both nodes serve again by themselves (no restart), and nothing that
 * was acknowledged, before or after, is lost.
 */
@ExtendWith({SoftHsmExtension.class, PostgresExtension.class})
class KmsClusterStoreOutageTest {

    @Test
    void postgresStoppedAndRestartedUnderLoad_503WhileDown_thenResumesWithNothingLost(
            SoftHsmToken token, PostgresServer server, PostgresDatabase db) throws Exception {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        System.out.println("[store-outage] seed=" + seed);
        try (KmsCluster cluster = KmsCluster.prepare(token, db, 2).startAll()) {
            KmsCluster.Node a = cluster.node(0);
            KmsCluster.Node b = cluster.node(1);
            KeyVault hsm = token.openSharedVault("pkcs11");
            KmsHttpClient admin = a.client("admin");
            List<String> initial = ClusterChecks.createActiveKeys(admin, 4);
            String probeKey = initial.getFirst();
            List<KmsHttpClient> clients = new ArrayList<>();
            for (int w = 0; w < 4; w++) {
                clients.add(cluster.client("admin", Duration.ofSeconds(20), null, w % 2 == 0 ? a : b, w % 2 == 0 ? b : a));
            }
            ClusterLoad load = new ClusterLoad(clients, ClusterLoad.Mix.standard(), random.nextLong(), initial, "pg", true).start();
            load.awaitMoreAcks(40 + random.nextInt(60), Duration.ofSeconds(90));

            server.stop(PostgresServer.StopMode.IMMEDIATE);
            long ackedAtStop = load.acks();
            System.out.println("[store-outage] PostgreSQL crashed after " + ackedAtStop + " acknowledged operations");
            for (KmsCluster.Node n : cluster.nodes()) {
                HttpResponse<String> ready = n.ready();
                assertThat(ready.statusCode()).as("/ready of %s while the store is down", n.id()).isEqualTo(503);
                JsonNode r = ClusterChecks.JSON.readTree(ready.body());
                assertThat(r.get("store").asText()).isEqualTo("down");
                assertThat(r.get("hsm").asText()).isEqualTo("up");

                HttpResponse<String> wrap = n.send("admin", "POST", "/v1/wrap", wrapBody(probeKey));
                assertThat(wrap.statusCode()).as("wrap on %s while the store is down", n.id()).isEqualTo(503);
                assertThat(wrap.headers().firstValue("Content-Type")).hasValue("application/problem+json");
                assertThat(wrap.headers().firstValue("Retry-After")).isPresent();
                JsonNode p = ClusterChecks.JSON.readTree(wrap.body());
                assertThat(p.get("status").asInt()).isEqualTo(503);
                assertThat(p.get("code").asText()).isEqualTo("protection_storage_unavailable");
                assertThat(p.get("detail").asText()).startsWith("metadata store unavailable, retry later (ref=")
                        .doesNotContainIgnoringCase("sql").doesNotContain(db.name()).doesNotContain("127.0.0.1");
                assertThat(wrap.body()).doesNotContain("postgres");

                HttpResponse<String> create = n.send("admin", "POST", "/v1/keys", "{\"activate\":true}");
                assertThat(create.statusCode()).isEqualTo(503);

                // KMIP: Protection Storage Unavailable where the protocol has it (2.0), General
                // Failure before (1.x has no such reason); the same detail, and no more
                for (ProtocolVersion v : List.of(ProtocolVersion.V2_0, ProtocolVersion.V1_4)) {
                    ResultReason expected = v.equals(ProtocolVersion.V2_0)
                            ? ResultReason.PROTECTION_STORAGE_UNAVAILABLE : ResultReason.GENERAL_FAILURE;
                    try (KmipClient kmip = n.kmipClient("admin", v)) {
                        for (ThrowingCallable call : List.<ThrowingCallable>of(
                                () -> kmip.getAttributes(probeKey, List.of()), () -> kmip.createAes256(List.of()))) {
                            assertThatThrownBy(call).as("KMIP %s on %s while the store is down", v, n.id())
                                    .isInstanceOfSatisfying(KmsException.class, e -> {
                                        assertThat(e.reason()).isEqualTo(expected);
                                        assertThat(e.getMessage()).contains("metadata store unavailable, retry later (ref=")
                                                .doesNotContainIgnoringCase("sql").doesNotContain(db.name());
                                    });
                        }
                    }
                }
            }
            // the clients see the outage too: some of their calls fail while it lasts
            int failuresBefore = load.failures().size();
            ClusterLoad.awaitCondition(Duration.ofSeconds(60), () -> load.failures().size() >= failuresBefore + 4,
                    "client calls failing while the store is down");

            server.start();
            for (KmsCluster.Node n : cluster.nodes()) {
                ClusterLoad.awaitCondition(Duration.ofSeconds(60), () -> ready(n), n.id() + " /ready again without a restart");
            }
            int failuresAtRecovery = load.failures().size();
            System.out.println("[store-outage] PostgreSQL back; both nodes ready; " + failuresAtRecovery + " client failures so far");
            load.awaitMoreAcks(60, Duration.ofSeconds(90));
            load.stop();

            assertThat(load.mismatches()).isZero();
            List<ClusterLoad.Failure> failures = load.failures().stream().filter(f -> !f.lostRotationRace()).toList();
            assertThat(failures).allSatisfy(f -> {
                assertThat(f.code()).as("%s", f).isEqualTo("protection_storage_unavailable");
                assertThat(f.message()).as("%s", f).startsWith("metadata store unavailable");
            });
            long lateFailures = load.failures().stream().skip(failuresAtRecovery).filter(f -> !f.lostRotationRace()).count();
            assertThat(lateFailures).as("after recovery only calls already in flight may still fail")
                    .isLessThanOrEqualTo(clients.size());
            for (KmsCluster.Node n : cluster.nodes()) {
                ClusterChecks.everyWrapUnwraps(n.client("admin"), load.ackedWraps(), n.id());
            }
            Set<String> expected = new HashSet<>(initial);
            expected.addAll(load.ackedKeys());
            long failedCreates = load.failures().stream()
                    .filter(f -> f.op() == ClusterLoad.Op.CREATE || f.op() == ClusterLoad.Op.ROTATE).count()
                    + cluster.nodes().size() * 3L; // the raw creates above: one over HTTP, two over KMIP per node
            // a create refused with 503 left nothing behind, except where the database crashed
            // mid-commit: then the node kept the HSM object, as the store could not say whether
            // the record was written (HsmCompensation)
            ClusterChecks.noKeyLostOrDuplicated(cluster, hsm, expected, failedCreates, (int) failedCreates);
            System.out.println("[store-outage] acks " + load.acks() + ", failures " + load.failures().size()
                    + ", wraps checked " + load.ackedWraps().size() + ", keys " + expected.size());
            ClusterChecks.auditVerifies(cluster);
        }
    }

    private static boolean ready(KmsCluster.Node n) {
        try {
            return n.ready().statusCode() == 200;
        } catch (Exception e) {
            return false;
        }
    }

    private static String wrapBody(String keyId) {
        byte[] dek = new byte[32];
        new SecureRandom().nextBytes(dek);
        return "{\"keyId\":\"" + keyId + "\",\"dek\":\"" + Base64.getEncoder().encodeToString(dek) + "\"}";
    }
}
