package io.kekvault.kms.audit;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;

class AuditQueryTest {
    private static final Instant T0 = Instant.parse("2026-05-01T10:00:00Z");

    @TempDir
    Path dir;
    AuditLog log;

    @BeforeEach
    void fill() throws Exception {
        log = AuditLog.open(AuditConfig.of(dir, "kms-1").withClock(new TickingClock(T0, Duration.ofSeconds(1))));
        // record n (1-based) has time T0 + (n-1) s
        for (int n = 1; n <= 40; n++) {
            String identity = n % 2 == 0 ? "esxi-h1" : "esxi-h2";
            String op = n % 4 == 0 ? "unwrap" : "wrap";
            String result = n % 5 == 0 ? "permission_denied" : AuditRecord.SUCCESS;
            String key = n % 3 == 0 ? null : "key-" + (n % 3);
            log.append(new AuditEvent(identity, op, key, result, "req-" + n, null));
        }
    }

    @org.junit.jupiter.api.AfterEach
    void close() {
        log.close();
    }

    private List<Long> all(AuditQuery q) throws Exception {
        List<Long> out = new ArrayList<>();
        AuditQuery page = q;
        while (true) {
            AuditPage p = log.query(page);
            assertThat(p.records()).hasSizeLessThanOrEqualTo(q.limit());
            p.records().forEach(r -> out.add(r.sequence()));
            if (p.nextCursor() == null) {
                return out;
            }
            page = page.toBuilder().cursor(p.nextCursor()).build();
        }
    }

    private static List<Long> seqs(java.util.function.LongPredicate keep, boolean newestFirst) {
        List<Long> l = new ArrayList<>(LongStream.rangeClosed(1, 40).filter(keep).boxed().toList());
        if (newestFirst) {
            java.util.Collections.reverse(l);
        }
        return l;
    }

    @Test
    void noFilter_pagesThroughEverythingInBothOrders() throws Exception {
        assertThat(all(AuditQuery.builder().limit(7).build())).isEqualTo(seqs(n -> true, true));
        assertThat(all(AuditQuery.builder().order(AuditOrder.OLDEST_FIRST).limit(7).build())).isEqualTo(seqs(n -> true, false));
        AuditPage first = log.query(AuditQuery.builder().limit(3).build());
        assertThat(first.records()).extracting(AuditRecord::requestId).containsExactly("req-40", "req-39", "req-38");
        assertThat(first.nextCursor()).isEqualTo(38L);
    }

    @Test
    void eachFilter_selectsExactlyTheMatchingRecords() throws Exception {
        Function<AuditQuery.Builder, List<Long>> newest = b -> {
            try {
                return all(b.limit(4).build());
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        };
        assertThat(newest.apply(AuditQuery.builder().keyId("key-1"))).isEqualTo(seqs(n -> n % 3 == 1, true));
        assertThat(newest.apply(AuditQuery.builder().identity("esxi-h1"))).isEqualTo(seqs(n -> n % 2 == 0, true));
        assertThat(newest.apply(AuditQuery.builder().operation("unwrap"))).isEqualTo(seqs(n -> n % 4 == 0, true));
        assertThat(newest.apply(AuditQuery.builder().result("permission_denied"))).isEqualTo(seqs(n -> n % 5 == 0, true));
        assertThat(newest.apply(AuditQuery.builder().result(AuditRecord.SUCCESS).identity("esxi-h1").operation("unwrap")))
                .isEqualTo(seqs(n -> n % 4 == 0 && n % 5 != 0, true));
        // time range [T0+10s, T0+20s): records 11..20
        assertThat(newest.apply(AuditQuery.builder().from(T0.plusSeconds(10)).to(T0.plusSeconds(20)).order(AuditOrder.OLDEST_FIRST)))
                .isEqualTo(seqs(n -> n >= 11 && n <= 20, false));
        assertThat(newest.apply(AuditQuery.builder().keyId("no-such-key"))).isEmpty();
    }

    @Test
    void newestFirstPaging_isStableWhileRecordsAreAppended() throws Exception {
        AuditPage p1 = log.query(AuditQuery.builder().limit(10).build());
        for (int i = 0; i < 5; i++) {
            log.append(AuditEvent.success("esxi-h3", "wrap", "key-9", "late-" + i));
        }
        AuditPage p2 = log.query(AuditQuery.builder().limit(10).cursor(p1.nextCursor()).build());
        assertThat(p1.records()).extracting(AuditRecord::sequence).isEqualTo(seqs(n -> n > 30, true));
        assertThat(p2.records()).extracting(AuditRecord::sequence).isEqualTo(seqs(n -> n > 20 && n <= 30, true));
        assertThat(log.query(AuditQuery.builder().identity("esxi-h3").build()).records()).hasSize(5);
    }

    @Test
    void readerOfTheFile_ignoresAnIncompleteLastLine() throws Exception {
        log.close();
        Files.write(dir.resolve("audit-kms-1.jsonl"), "{\"v\":1,\"seq\":41,\"ti".getBytes(StandardCharsets.UTF_8), StandardOpenOption.APPEND);
        AuditPage newest = AuditReader.query(dir.resolve("audit-kms-1.jsonl"), AuditQuery.builder().limit(2).build());
        assertThat(newest.records()).extracting(AuditRecord::sequence).containsExactly(40L, 39L);
        AuditPage oldest = AuditReader.query(dir.resolve("audit-kms-1.jsonl"),
                AuditQuery.builder().order(AuditOrder.OLDEST_FIRST).cursor(38L).limit(5).build());
        assertThat(oldest.records()).extracting(AuditRecord::sequence).containsExactly(39L, 40L);
        assertThat(oldest.nextCursor()).isNull();
        log = AuditLog.open(AuditConfig.of(dir, "kms-1"));
    }
}
