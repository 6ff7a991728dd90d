package io.kekvault.kms.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.kekvault.kmip.http.KmsHttpClient;
import io.kekvault.kms.dev.PostgresDatabase;
import io.kekvault.kms.testkit.ClusterLoad;
import io.kekvault.kms.testkit.KmsCluster;
import io.kekvault.kms.testkit.PostgresExtension;
import io.kekvault.kms.testkit.SoftHsmExtension;
import io.kekvault.kms.testkit.SoftHsmToken;
import io.kekvault.kms.vault.KeyVault;
import java.net.URI;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The HTTP client's fail-over across two KMS nodes ({@link KmsHttpClient} with both endpoints):
 * when the first node dies or hangs, clients move to the second and only to it; idempotent calls
 * (wrap, unwrap) are carried over without an error; a non-idempotent call (create, rotate) whose
 * answer was lost fails once with "may have taken effect" and is never sent again, proven by the
 * audit trails and the store.
 */
@ExtendWith({SoftHsmExtension.class, PostgresExtension.class})
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KmsClusterFailoverTest {
    private static KmsCluster cluster;
    private static KmsCluster.Node a;
    private static KmsCluster.Node b;
    private static KeyVault hsm;
    private static List<String> initial;
    private static Random random;

    /** One fail-over a client reported. */
    record Move(int client, URI from, URI to, String why) {
    }

    @BeforeAll
    static void start(SoftHsmToken token, PostgresDatabase db) throws Exception {
        long seed = System.nanoTime();
        random = new Random(seed);
        System.out.println("[failover] seed=" + seed);
        cluster = KmsCluster.prepare(token, db, 2).startAll();
        a = cluster.node(0);
        b = cluster.node(1);
        hsm = token.openSharedVault("pkcs11");
        KmsHttpClient admin = b.client("admin");
        initial = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            initial.add(admin.createKey(ClusterChecks.JSON.createObjectNode().put("activate", true)).get("id").asText());
        }
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static List<KmsHttpClient> clientsAFirst(int n, Duration timeout, List<Move> moves) throws Exception {
        List<KmsHttpClient> clients = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int client = i;
            clients.add(cluster.client("admin", timeout, (from, to, why) -> moves.add(new Move(client, from, to, why)), a, b));
        }
        return clients;
    }

    @Test
    @Order(1)
    void firstNodeKilled_clientsMoveOnlyToTheSecond_idempotentCallsNeverFail_nonIdempotentNeverRepeated() throws Exception {
        List<Move> moves = new CopyOnWriteArrayList<>();
        List<KmsHttpClient> clients = clientsAFirst(4, Duration.ofSeconds(15), moves);
        Set<String> before = ClusterChecks.listAll(b.client("admin"));
        long createsBefore = countCreates(a) + countCreates(b);
        ClusterLoad load = new ClusterLoad(clients, ClusterLoad.Mix.standard(), random.nextLong(), initial, "fo1", true).start();
        load.awaitMoreAcks(40 + random.nextInt(60), Duration.ofSeconds(90));
        assertThat(moves).as("no fail-over while both nodes serve").isEmpty();
        a.kill9();
        System.out.println("[failover] killed " + a.id() + " after " + load.acks() + " acknowledged operations");
        load.awaitMoreAcks(80, Duration.ofSeconds(90));
        load.stop();
        System.out.println("[failover] moves " + moves + "; failures " + load.failures());

        assertThat(moves).as("clients moved, each once").isNotEmpty();
        assertThat(moves.stream().map(Move::client).distinct().count()).isEqualTo(moves.size());
        assertThat(moves).allSatisfy(m -> {
            assertThat(m.from()).isEqualTo(a.uri());
            assertThat(m.to()).isEqualTo(b.uri());
        });
        assertThat(load.mismatches()).isZero();
        assertThat(load.failures().stream().filter(f -> !f.lostRotationRace())).allSatisfy(f -> {
            assertThat(f.op()).as("idempotent calls are carried over: %s", f).isIn(ClusterLoad.Op.CREATE, ClusterLoad.Op.ROTATE);
            assertThat(f.ambiguous()).as("%s", f).isTrue();
            assertThat(f.message()).contains("it may have taken effect, so it was not repeated");
        });
        long ambiguous = load.ambiguous(ClusterLoad.Op.CREATE) + load.ambiguous(ClusterLoad.Op.ROTATE);
        assertThat(ambiguous).as("at most the calls in flight at the kill").isLessThanOrEqualTo(clients.size());

        // Creates that reached a node, from both audit trails, never exceed the calls the clients made:
        // a repeated create would reach a node twice.
        long createCalls = load.acks(ClusterLoad.Op.CREATE)
                + load.failures().stream().filter(f -> f.op() == ClusterLoad.Op.CREATE).count();
        long createsSeen = countCreates(a) + countCreates(b) - createsBefore;
        assertThat(createsSeen).isBetween(load.acks(ClusterLoad.Op.CREATE), createCalls);

        ClusterChecks.everyWrapUnwraps(b.client("admin"), load.ackedWraps(), b.id());
        a.start();
        ClusterChecks.everyWrapUnwraps(a.client("admin"), load.ackedWraps(), a.id());
        Set<String> expected = new HashSet<>(before);
        expected.addAll(load.ackedKeys());
        ClusterChecks.noKeyLostOrDuplicated(cluster, hsm, expected, ambiguous, clients.size());
    }

    @Test
    @Order(2)
    void firstNodeHangs_wrapsMoveOn_createsWhoseAnswerIsLostRunOnceOnTheFirstNodeAndNeverOnTheSecond() throws Exception {
        if (!a.running()) {
            a.start();
        }
        List<Move> moves = new CopyOnWriteArrayList<>();
        Duration timeout = Duration.ofSeconds(3);
        List<KmsHttpClient> creators = clientsAFirst(2, timeout, moves);
        List<Move> userMoves = new CopyOnWriteArrayList<>();
        List<KmsHttpClient> users = clientsAFirst(2, timeout, userMoves);
        ClusterLoad create = new ClusterLoad(creators, new ClusterLoad.Mix(1, 0, 0, 0), random.nextLong(), initial, "fo2", true);
        ClusterLoad use = new ClusterLoad(users, new ClusterLoad.Mix(0, 1, 1, 0), random.nextLong(), initial, "fo2u", true);
        create.start();
        use.start();
        create.awaitMoreAcks(10, Duration.ofSeconds(60));
        use.awaitMoreAcks(10, Duration.ofSeconds(60));

        a.process().suspend();
        try {
            System.out.println("[failover] " + a.id() + " frozen (SIGSTOP)");
            // every creator has a create sent to the frozen node time out; every user moves on
            ClusterLoad.awaitCondition(Duration.ofSeconds(60), () -> create.failures().stream()
                    .filter(ClusterLoad.Failure::ambiguous).map(ClusterLoad.Failure::worker).distinct().count() == creators.size(),
                    "each creator to lose the answer to a create");
            ClusterLoad.awaitCondition(Duration.ofSeconds(60), () -> userMoves.stream().map(Move::client).distinct().count()
                    == users.size(), "each user client to move to " + b.id());
        } finally {
            a.process().resume();
        }
        System.out.println("[failover] " + a.id() + " resumed (SIGCONT)");
        List<ClusterLoad.Failure> lost = create.failures().stream().filter(ClusterLoad.Failure::ambiguous).toList();
        // the frozen node finishes what it had received: each lost create shows up, exactly once
        KmsHttpClient adminB = b.client("admin");
        for (ClusterLoad.Failure f : lost) {
            ClusterLoad.awaitCondition(Duration.ofSeconds(60), () -> keysNamed(adminB, f.name()).size() == 1,
                    "the lost create " + f.name() + " to be executed by the resumed node");
        }
        create.awaitMoreAcks(10, Duration.ofSeconds(60));
        use.awaitMoreAcks(20, Duration.ofSeconds(60));
        create.stop();
        use.stop();
        System.out.println("[failover] lost answers " + lost.size() + ", creator failures " + create.failures()
                + ", user moves " + userMoves);

        assertThat(use.failures()).as("wraps and unwraps carried over to %s", b.id()).isEmpty();
        assertThat(use.mismatches()).isZero();
        assertThat(userMoves).allSatisfy(m -> assertThat(m.to()).isEqualTo(b.uri()));
        assertThat(create.failures()).allSatisfy(f -> {
            assertThat(f.ambiguous()).as("%s", f).isTrue();
            assertThat(f.message()).contains("it may have taken effect, so it was not repeated");
        });
        for (ClusterLoad.Failure f : lost) {
            List<String> ids = keysNamed(adminB, f.name());
            assertThat(ids).as("the lost create %s ran once", f.name()).hasSize(1);
            assertThat(createSucceededIn(a, ids.getFirst())).as("%s ran on %s", f.name(), a.id()).isTrue();
            assertThat(createSucceededIn(b, ids.getFirst())).as("%s was not repeated on %s", f.name(), b.id()).isFalse();
            assertThat(hsm.find(ids.getFirst())).isPresent();
        }
        // a create repeated on B after A ran it would have been refused there for its name
        Map<String, Integer> onB = ClusterChecks.auditCounts(b, "admin");
        assertThat(onB.keySet()).as("no create was refused on %s", b.id()).allMatch(k -> !k.startsWith("Create:") || k.equals("Create:success"));
        ClusterChecks.auditVerifies(cluster);
    }

    private static List<String> keysNamed(KmsHttpClient c, String name) {
        try {
            JsonNode page = c.listKeys(Map.of("name", name));
            List<String> ids = new ArrayList<>();
            page.path("items").forEach(k -> ids.add(k.get("id").asText()));
            return ids;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean createSucceededIn(KmsCluster.Node n, String keyId) throws Exception {
        for (String line : Files.readAllLines(n.auditFile())) {
            JsonNode r = ClusterChecks.JSON.readTree(line);
            if ("Create".equals(r.path("op").asText()) && keyId.equals(r.path("keyId").asText())) {
                return "success".equals(r.path("result").asText());
            }
        }
        return false;
    }

    /** Create records (any result) of the admin identity in a node's audit trail. */
    private static long countCreates(KmsCluster.Node n) throws Exception {
        long count = 0;
        for (String line : Files.readAllLines(n.auditFile())) {
            JsonNode r = ClusterChecks.JSON.readTree(line);
            if ("Create".equals(r.path("op").asText()) && "admin".equals(r.path("identity").asText())) {
                count++;
            }
        }
        return count;
    }
}
