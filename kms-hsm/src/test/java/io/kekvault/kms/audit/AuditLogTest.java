package io.kekvault.kms.audit;

import io.kekvault.kmip.error.NotFoundException;
import io.kekvault.kmip.error.ResultReason;
import io.kekvault.kmip.error.UnavailableException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AuditLogTest {

    @TempDir
    Path dir;

    private AuditConfig config() {
        return AuditConfig.of(dir, "kms-1").withClock(new TickingClock(Instant.parse("2026-05-01T10:00:00Z"), Duration.ofMillis(1500)));
    }

    @Test
    void append_writesCanonicalLinesChainedFromTheNodesGenesis() throws Exception {
        List<AuditRecord> records = new ArrayList<>();
        try (AuditLog log = AuditLog.open(config())) {
            records.add(log.append(AuditEvent.success("vcenter", "create", "k-1", "req-1")));
            records.add(log.append(AuditEvent.failure("esxi-h1", "unwrap", "k-1", "req-2", ResultReason.ITEM_NOT_FOUND)));
            records.add(log.append(AuditEvent.failure("esxi-h2", "wrap", null, null, new NotFoundException("x")).withDetail("count=3")));
            assertThat(log.lastSequence()).isEqualTo(3);
        }
        assertThat(records).extracting(AuditRecord::sequence).containsExactly(1L, 2L, 3L);
        assertThat(records.get(0).previousHash()).isEqualTo(AuditCodec.genesis("kms-1"));
        assertThat(records.get(1).previousHash()).isEqualTo(records.get(0).hash());
        assertThat(records.get(2).previousHash()).isEqualTo(records.get(1).hash());
        assertThat(records.get(1).result()).isEqualTo("item_not_found");
        assertThat(records.get(1).succeeded()).isFalse();
        assertThat(records.get(0).succeeded()).isTrue();

        List<String> lines = Files.readAllLines(config().file());
        assertThat(lines).hasSize(3);
        assertThat(lines.get(0)).isEqualTo("{\"v\":1,\"seq\":1,\"time\":\"2026-05-01T10:00:00Z\",\"node\":\"kms-1\","
                + "\"identity\":\"vcenter\",\"op\":\"create\",\"keyId\":\"k-1\",\"result\":\"success\",\"requestId\":\"req-1\","
                + "\"detail\":null,\"prev\":\"" + AuditCodec.genesis("kms-1") + "\",\"hash\":\"" + records.get(0).hash() + "\"}");
        assertThat(lines.get(2)).contains("\"time\":\"2026-05-01T10:00:03Z\"", "\"keyId\":null", "\"requestId\":null", "\"detail\":\"count=3\"");
        for (int i = 0; i < 3; i++) {
            assertThat(AuditCodec.parse(lines.get(i).getBytes(StandardCharsets.UTF_8))).isEqualTo(records.get(i));
        }
        assertThat(AuditVerifier.verify(config().file())).isEqualTo(AuditVerification.ok(3));
    }

    @Test
    void concurrentAppends_fromManyThreads_areOrderedChainedAndAllPresent() throws Exception {
        int threads = 16;
        int perThread = 500;
        ConcurrentLinkedQueue<AuditRecord> returned = new ConcurrentLinkedQueue<>();
        CountDownLatch start = new CountDownLatch(1);
        try (AuditLog log = AuditLog.open(AuditConfig.of(dir, "kms-1"));
             ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < perThread; i++) {
                        returned.add(log.append(AuditEvent.success("esxi-" + thread, "unwrap", "k-" + (i % 7), thread + "/" + i)));
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : futures) {
                f.get();
            }
            assertThat(log.lastSequence()).isEqualTo((long) threads * perThread);
        }
        AuditVerification v = AuditVerifier.verify(dir.resolve("audit-kms-1.jsonl"));
        assertThat(v.ok()).as(v.message()).isTrue();
        assertThat(v.records()).isEqualTo((long) threads * perThread);
        Set<Long> seqs = new HashSet<>();
        Set<String> requests = new HashSet<>();
        for (AuditRecord r : returned) {
            seqs.add(r.sequence());
            requests.add(r.requestId());
        }
        assertThat(seqs).hasSize(threads * perThread);
        assertThat(requests).hasSize(threads * perThread);
        // every returned record is the one in the file at its sequence number
        List<String> lines = Files.readAllLines(dir.resolve("audit-kms-1.jsonl"));
        for (AuditRecord r : returned) {
            assertThat(AuditCodec.parse(lines.get((int) r.sequence() - 1).getBytes(StandardCharsets.UTF_8))).isEqualTo(r);
        }
    }

    @Test
    void concurrentAppends_inFsyncMode_verify() throws Exception {
        try (AuditLog log = AuditLog.open(AuditConfig.of(dir, "kms-2").withDurability(AuditDurability.FSYNC));
             ExecutorService pool = Executors.newFixedThreadPool(8)) {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                futures.add(pool.submit(() -> {
                    for (int i = 0; i < 50; i++) {
                        log.append(AuditEvent.success("esxi-h1", "wrap", "k", null));
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        }
        assertThat(AuditVerifier.verify(dir.resolve("audit-kms-2.jsonl"))).isEqualTo(AuditVerification.ok(400));
    }

    @Test
    void reopen_resumesTheChainWhereItStopped() throws Exception {
        AuditRecord last;
        try (AuditLog log = AuditLog.open(config())) {
            log.append(AuditEvent.success("a", "create", "k", "r1"));
            last = log.append(AuditEvent.success("a", "activate", "k", "r2"));
        }
        try (AuditLog log = AuditLog.open(config())) {
            assertThat(log.recovery()).isEqualTo(new AuditRecovery(2, false, 0, 0, null));
            AuditRecord next = log.append(AuditEvent.success("a", "wrap", "k", "r3"));
            assertThat(next.sequence()).isEqualTo(3);
            assertThat(next.previousHash()).isEqualTo(last.hash());
        }
        assertThat(AuditVerifier.verify(config().file())).isEqualTo(AuditVerification.ok(3));
    }

    @Test
    void open_whileAlreadyOpen_isRefused() throws Exception {
        try (AuditLog log = AuditLog.open(config())) {
            assertThatThrownBy(() -> AuditLog.open(config())).isInstanceOf(IOException.class).hasMessageContaining("open in another");
            log.append(AuditEvent.success("a", "create", "k", "r1"));
        }
    }

    @Test
    void open_withATornLastLine_cutsOnlyThatLineReportsItAndRecordsTheRecovery() throws Exception {
        try (AuditLog log = AuditLog.open(config())) {
            for (int i = 0; i < 5; i++) {
                log.append(AuditEvent.success("a", "wrap", "k", "r" + i));
            }
        }
        long intactSize = Files.size(config().file());
        byte[] partial = "{\"v\":1,\"seq\":6,\"time\":\"2026-05-01T1".getBytes(StandardCharsets.UTF_8);
        Files.write(config().file(), partial, StandardOpenOption.APPEND);
        assertThat(AuditVerifier.verify(config().file()).problem()).isEqualTo(AuditVerification.Problem.TORN_LINE);

        try (AuditLog log = AuditLog.open(config())) {
            AuditRecovery rec = log.recovery();
            assertThat(rec.tornLine()).isTrue();
            assertThat(rec.tornLineNumber()).isEqualTo(6);
            assertThat(rec.truncatedBytes()).isEqualTo(partial.length);
            assertThat(rec.lastSequence()).isEqualTo(5);
            assertThat(Files.readAllBytes(rec.tornFragment())).isEqualTo(partial);
            AuditRecord next = log.append(AuditEvent.success("a", "wrap", "k", "r6"));
            assertThat(next.sequence()).isEqualTo(7);
        }
        List<String> lines = Files.readAllLines(config().file());
        assertThat(lines).hasSize(7);
        AuditRecord recovery = AuditCodec.parse(lines.get(5).getBytes(StandardCharsets.UTF_8));
        assertThat(recovery.operation()).isEqualTo(AuditLog.RECOVER_OPERATION);
        assertThat(recovery.sequence()).isEqualTo(6);
        assertThat(recovery.detail()).contains("line 6", partial.length + " bytes");
        assertThat(Files.size(config().file())).isGreaterThan(intactSize);
        assertThat(AuditVerifier.verify(config().file())).isEqualTo(AuditVerification.ok(7));
    }

    @Test
    void open_withACorruptLastCompleteRecord_isRefusedAndChangesNothing() throws Exception {
        try (AuditLog log = AuditLog.open(config())) {
            log.append(AuditEvent.success("a", "wrap", "k", "r1"));
            log.append(AuditEvent.success("a", "wrap", "k", "r2"));
        }
        String text = Files.readString(config().file()).replace("\"requestId\":\"r2\"", "\"requestId\":\"rX\"");
        Files.writeString(config().file(), text);
        assertThatThrownBy(() -> AuditLog.open(config())).isInstanceOf(IOException.class).hasMessageContaining("does not match its hash");
        assertThat(Files.readString(config().file())).isEqualTo(text);

        Files.writeString(config().file(), text.substring(0, text.indexOf('\n') + 1) + "garbage\n");
        assertThatThrownBy(() -> AuditLog.open(config())).isInstanceOf(IOException.class).hasMessageContaining("corrupt");
    }

    @Test
    void open_theLogOfAnotherNode_isRefused() throws Exception {
        try (AuditLog log = AuditLog.open(config())) {
            log.append(AuditEvent.success("a", "wrap", "k", "r1"));
        }
        Files.move(config().file(), dir.resolve("audit-kms-9.jsonl"));
        assertThatThrownBy(() -> AuditLog.open(AuditConfig.of(dir, "kms-9"))).isInstanceOf(IOException.class)
                .hasMessageContaining("belongs to node kms-1");
    }

    @Test
    void append_fromAnInterruptedThread_isWrittenAndLeavesTheLogUsable() throws Exception {
        try (AuditLog log = AuditLog.open(config())) {
            Thread.currentThread().interrupt();
            try {
                log.append(AuditEvent.success("a", "wrap", "k", "while-interrupted"));
                assertThat(Thread.currentThread().isInterrupted()).as("interrupt status kept").isTrue();
            } finally {
                Thread.interrupted();
            }
            log.append(AuditEvent.success("a", "wrap", "k", "after"));
            assertThat(log.query(AuditQuery.builder().build()).records()).extracting(AuditRecord::requestId)
                    .containsExactly("after", "while-interrupted");
        }
        assertThat(AuditVerifier.verify(config().file())).isEqualTo(AuditVerification.ok(2));
    }

    @Test
    void append_afterClose_isUnavailable() throws Exception {
        AuditLog log = AuditLog.open(config());
        log.close();
        assertThatThrownBy(() -> log.append(AuditEvent.success("a", "wrap", "k", "r1"))).isInstanceOf(UnavailableException.class);
    }

    @Test
    void awkwardStrings_areEscapedBoundedAndStillVerify() throws Exception {
        String nasty = "quote\" backslash\\ nl\n cr\r tab\t nul\u0000 bell\u0007 é 漢 😀 lone\uD800 end";
        AuditRecord r;
        try (AuditLog log = AuditLog.open(config())) {
            r = log.append(new AuditEvent(nasty, "op", "k", "success", "x".repeat(1000), nasty.repeat(100)));
            log.append(new AuditEvent(null, "op", null, "success", null, "after"));
        }
        assertThat(r.identity()).contains("lone\uFFFD end").contains("😀");
        assertThat(r.requestId()).hasSize(AuditEvent.MAX_REQUEST_ID);
        assertThat(r.detail()).hasSizeLessThanOrEqualTo(AuditEvent.MAX_DETAIL);
        List<String> lines = Files.readAllLines(config().file());
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0)).contains("\\u0000", "\\u0007", "\\n", "\\\"");
        assertThat(AuditCodec.parse(lines.get(0).getBytes(StandardCharsets.UTF_8))).isEqualTo(r);
        assertThat(AuditCodec.parse(lines.get(1).getBytes(StandardCharsets.UTF_8)).identity()).isEqualTo("-");
        assertThat(AuditVerifier.verify(config().file())).isEqualTo(AuditVerification.ok(2));
    }

    @Test
    void clean_doesNotSplitASurrogatePairAtTheCut() {
        String s = "a".repeat(9) + "😀";
        assertThat(AuditEvent.clean(s, 10)).isEqualTo("a".repeat(9));
        assertThat(AuditEvent.clean(s, 11)).isEqualTo(s);
    }

    @Test
    void config_refusesNodeIdsThatAreNotSafeFileNames() {
        for (String bad : new String[] {"", "../x", "a/b", ".hidden", "x".repeat(65), "sp ace"}) {
            assertThatThrownBy(() -> AuditConfig.of(dir, bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
        assertThat(AuditConfig.of(dir, "kms-1.dc_2").file().getFileName().toString()).isEqualTo("audit-kms-1.dc_2.jsonl");
    }
}
