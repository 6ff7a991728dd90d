package io.kekvault.kms.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kekvault.kmip.error.KmsException;
import io.kekvault.kmip.http.KmsHttpClient;
import io.kekvault.kms.audit.AuditVerification;
import io.kekvault.kms.audit.AuditVerifier;
import io.kekvault.kms.testkit.ClusterLoad;
import io.kekvault.kms.testkit.KmsCluster;
import io.kekvault.kms.vault.KeyVault;
import io.kekvault.secret.SecretBytes;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The after-the-storm checks the multi-node tests share: nothing acknowledged lost, nothing duplicated. */
final class ClusterChecks {
    static final ObjectMapper JSON = new ObjectMapper();

    private ClusterChecks() {
    }

    /** Every acknowledged wrap unwraps through {@code client} to the DEK that was wrapped (batches of 100). */
    /** {@code n} active keys created through {@code admin}; their identifiers. */
    static List<String> createActiveKeys(KmsHttpClient admin, int n) throws KmsException {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ids.add(admin.createKey(JSON.createObjectNode().put("activate", true)).get("id").asText());
        }
        return ids;
    }

    static void everyWrapUnwraps(KmsHttpClient client, List<ClusterLoad.AckedWrap> wraps, String where) throws KmsException {
        for (int from = 0; from < wraps.size(); from += 100) {
            List<ClusterLoad.AckedWrap> chunk = wraps.subList(from, Math.min(wraps.size(), from + 100));
            List<KmsHttpClient.WrappedItem> items = new ArrayList<>();
            chunk.forEach(w -> items.add(new KmsHttpClient.WrappedItem(w.blob(), w.aad())));
            List<SecretBytes> deks = client.unwrap(items);
            try {
                assertThat(deks).hasSize(chunk.size());
                for (int i = 0; i < chunk.size(); i++) {
                    assertThat(MessageDigest.isEqual(ClusterLoad.sha256(deks.get(i).expose()), chunk.get(i).dekSha256()))
                            .as("DEK of an acknowledged wrap under %s, unwrapped on %s", chunk.get(i).keyId(), where).isTrue();
                }
            } finally {
                deks.forEach(SecretBytes::close);
            }
        }
    }

    /** Every key id in the store, through {@code client} (keyset paging). */
    static Set<String> listAll(KmsHttpClient c) throws KmsException {
        Set<String> ids = new HashSet<>();
        String cursor = null;
        do {
            Map<String, String> q = new HashMap<>();
            q.put("limit", "500");
            q.put("cursor", cursor);
            JsonNode page = c.listKeys(q);
            page.path("items").forEach(k -> assertThat(ids.add(k.get("id").asText())).as("listed once").isTrue());
            cursor = page.path("nextCursor").isTextual() ? page.get("nextCursor").asText() : null;
        } while (cursor != null);
        return ids;
    }

    /**
     * No key lost or duplicated: the store (read through every node) holds every acknowledged key
     * and at most {@code ambiguous} more (non-idempotent calls whose answer was lost); each of
     * them has exactly one HSM object; HSM objects without metadata (a node killed between HSM
     * create and store insert) are at most {@code maxOrphans}.
     */
    static Set<String> noKeyLostOrDuplicated(KmsCluster cluster, KeyVault hsm, Set<String> expected, long ambiguous,
                                             int maxOrphans) throws Exception {
        Set<String> stored = null;
        for (KmsCluster.Node n : cluster.nodes()) {
            Set<String> listed = listAll(n.client("admin"));
            if (stored == null) {
                stored = listed;
            } else {
                assertThat(listed).as("the same store seen from " + n.id()).isEqualTo(stored);
            }
        }
        assertThat(stored).as("every acknowledged key is in the store").containsAll(expected);
        Set<String> extra = new HashSet<>(stored);
        extra.removeAll(expected);
        assertThat((long) extra.size()).as("keys beyond the acknowledged ones: only ambiguous creates/rotations "
                + extra).isLessThanOrEqualTo(ambiguous);
        List<String> objects = hsm.list();
        assertThat(new HashSet<>(objects)).as("one HSM object per label").hasSize(objects.size());
        assertThat(new HashSet<>(objects)).as("every stored key has its HSM object").containsAll(stored);
        Set<String> orphans = new HashSet<>(objects);
        orphans.removeAll(stored);
        assertThat(orphans.size()).as("HSM objects without metadata " + orphans).isLessThanOrEqualTo(maxOrphans);
        return stored;
    }

    /** Each node's audit file verifies, and names only that node. */
    static void auditVerifies(KmsCluster cluster) throws Exception {
        for (KmsCluster.Node n : cluster.nodes()) {
            AuditVerification v = AuditVerifier.verify(n.auditFile());
            assertThat(v.ok()).as("audit of %s: %s", n.id(), v).isTrue();
            for (String line : Files.readAllLines(n.auditFile())) {
                assertThat(JSON.readTree(line).get("node").asText()).isEqualTo(n.id());
            }
            System.out.println("[cluster] audit " + n.id() + ": " + v);
        }
    }

    /** Operations of the audit file with this result prefix, counted by operation name. */
    static Map<String, Integer> auditCounts(KmsCluster.Node n, String identity) throws Exception {
        Map<String, Integer> counts = new HashMap<>();
        for (String line : Files.readAllLines(n.auditFile())) {
            JsonNode r = JSON.readTree(line);
            if (identity.equals(r.path("identity").asText())) {
                counts.merge(r.path("op").asText() + ":" + r.path("result").asText(), 1, Integer::sum);
            }
        }
        return counts;
    }
}
