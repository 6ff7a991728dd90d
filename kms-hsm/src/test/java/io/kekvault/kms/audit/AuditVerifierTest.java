package io.kekvault.kms.audit;

import io.kekvault.kms.audit.AuditVerification.Problem;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Every kind of tampering is detected, at the right first bad record. */
class AuditVerifierTest {
    private static final int RECORDS = 12;

    @TempDir
    Path dir;
    Path file;
    List<String> lines;

    @BeforeEach
    void writeLog() throws Exception {
        AuditConfig config = AuditConfig.of(dir, "kms-1").withClock(new TickingClock(Instant.parse("2026-05-01T10:00:00Z"), Duration.ofSeconds(1)));
        try (AuditLog log = AuditLog.open(config)) {
            for (int i = 1; i <= RECORDS; i++) {
                AuditEvent e = i % 3 == 0
                        ? new AuditEvent("esxi-h" + i, "unwrap", "key-" + i, "item_not_found", "req-" + i, "detail " + i)
                        : new AuditEvent("esxi-h" + i, "wrap", "key-" + i, "success", "req-" + i, "detail " + i);
                log.append(e);
            }
        }
        file = config.file();
        lines = new ArrayList<>(Files.readAllLines(file));
        assertThat(lines).hasSize(RECORDS);
    }

    private AuditVerification rewrite() throws Exception {
        Files.writeString(file, String.join("\n", lines) + "\n");
        return AuditVerifier.verify(file);
    }

    private static void assertBad(AuditVerification v, long line, long sequence, Problem problem) {
        assertThat(v.ok()).as(v.message()).isFalse();
        assertThat(v.problem()).as(v.message()).isEqualTo(problem);
        assertThat(v.line()).as(v.message()).isEqualTo(line);
        assertThat(v.sequence()).as(v.message()).isEqualTo(sequence);
        assertThat(v.records()).isEqualTo(line - 1);
        assertThat(v.message()).startsWith("FAILED at line " + line);
    }

    @Test
    void intactLog_isOkWithItsRecordCount() throws Exception {
        AuditVerification v = AuditVerifier.verify(file);
        assertThat(v.ok()).isTrue();
        assertThat(v.records()).isEqualTo(RECORDS);
        assertThat(v.message()).isEqualTo("OK: 12 records, chain intact");
    }

    @Test
    void emptyLog_isOk() throws Exception {
        Files.writeString(file, "");
        assertThat(AuditVerifier.verify(file)).isEqualTo(AuditVerification.ok(0));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "\"seq\":5,|\"seq\":50,",
            "\"time\":\"2026-05-01T10:00:04Z\"|\"time\":\"2026-05-01T10:00:09Z\"",
            "\"node\":\"kms-1\"|\"node\":\"kms-2\"",
            "\"identity\":\"esxi-h5\"|\"identity\":\"vcenter\"",
            "\"op\":\"wrap\"|\"op\":\"destroy\"",
            "\"keyId\":\"key-5\"|\"keyId\":\"key-6\"",
            "\"keyId\":\"key-5\"|\"keyId\":null",
            "\"result\":\"success\"|\"result\":\"permission_denied\"",
            "\"requestId\":\"req-5\"|\"requestId\":\"req-X\"",
            "\"detail\":\"detail 5\"|\"detail\":\"detail 6\"",
            "\"prev\":\"|\"prev\":\"0",
            "\"hash\":\"|\"hash\":\"0",
    })
    void editingAnyFieldOfARecord_isAHashMismatchAtThatRecord(String from, String to) throws Exception {
        String original = lines.get(4);
        String edited = from.startsWith("\"prev\"") || from.startsWith("\"hash\"")
                ? original.replace(from, to).replaceFirst("(\"" + (from.startsWith("\"prev\"") ? "prev" : "hash") + "\":\"[0-9a-f]{64})[0-9a-f]", "$1")
                : original.replace(from, to);
        assertThat(edited).isNotEqualTo(original);
        lines.set(4, edited);
        long claimedSeq = from.startsWith("\"seq\"") ? 50 : 5;
        assertBad(rewrite(), 5, claimedSeq, Problem.HASH_MISMATCH);
    }

    @Test
    void reformattingARecord_isNotCanonical() throws Exception {
        lines.set(6, lines.get(6).replace(",\"op\":", ", \"op\":"));
        assertBad(rewrite(), 7, 7, Problem.NOT_CANONICAL);
    }

    @Test
    void droppingARecord_isASequenceGapAtTheNextRecord() throws Exception {
        lines.remove(4);
        assertBad(rewrite(), 5, 6, Problem.SEQUENCE_GAP);
    }

    @Test
    void droppingTheFirstRecord_isASequenceGapAtLineOne() throws Exception {
        lines.removeFirst();
        assertBad(rewrite(), 1, 2, Problem.SEQUENCE_GAP);
    }

    @Test
    void insertingADuplicate_isASequenceRegressionAtTheCopy() throws Exception {
        lines.add(5, lines.get(4));
        assertBad(rewrite(), 6, 5, Problem.SEQUENCE_REGRESSION);
    }

    @Test
    void insertingAWellForgedRecord_isCaughtAtTheRecordAfterIt() throws Exception {
        // The forger knows the format: correct sequence number, previous hash and own hash.
        AuditRecord before = AuditCodec.parse(lines.get(4).getBytes(StandardCharsets.UTF_8));
        lines.add(5, forge(before.sequence() + 1, before.hash(), "mallory"));
        assertBad(rewrite(), 7, 6, Problem.SEQUENCE_REGRESSION);
    }

    @Test
    void replacingARecordWithAWellForgedOne_breaksTheChainAtTheNextRecord() throws Exception {
        AuditRecord before = AuditCodec.parse(lines.get(3).getBytes(StandardCharsets.UTF_8));
        lines.set(4, forge(5, before.hash(), "mallory"));
        assertBad(rewrite(), 6, 6, Problem.BROKEN_CHAIN);
    }

    @Test
    void aFirstRecordNotChainedToGenesis_isABrokenChain() throws Exception {
        lines.set(0, forge(1, "0".repeat(64), "mallory"));
        assertBad(rewrite(), 1, 1, Problem.BROKEN_CHAIN);
    }

    @Test
    void swappingTwoRecords_isCaughtAtTheFirstOfThem() throws Exception {
        Collections.swap(lines, 7, 8);
        assertBad(rewrite(), 8, 9, Problem.SEQUENCE_GAP);
    }

    @Test
    void truncatingMidLine_isATornLineAtTheLastLine() throws Exception {
        String text = String.join("\n", lines) + "\n";
        int cut = text.length() - lines.getLast().length() / 2 - 1;
        Files.writeString(file, text.substring(0, cut));
        AuditVerification v = AuditVerifier.verify(file);
        assertThat(v.problem()).isEqualTo(Problem.TORN_LINE);
        assertThat(v.line()).isEqualTo(RECORDS);
        assertThat(v.records()).isEqualTo(RECORDS - 1);
    }

    @Test
    void aRecordOfAnotherNodeWithAValidHash_isANodeMismatch() throws Exception {
        AuditRecord before = AuditCodec.parse(lines.get(2).getBytes(StandardCharsets.UTF_8));
        AuditRecord foreign = new AuditRecord(4, Instant.parse("2026-05-01T10:00:03Z"), "kms-2", "esxi-h4", "wrap",
                "key-4", "success", "req-4", null, before.hash(), null);
        String canonical = AuditCodec.canonical(foreign);
        lines.set(3, new String(AuditCodec.line(canonical, AuditCodec.hash(AuditCodec.sha256(), canonical)), StandardCharsets.UTF_8).strip());
        assertBad(rewrite(), 4, 4, Problem.NODE_MISMATCH);
    }

    @Test
    void aLineThatIsNotARecord_isMalformed() throws Exception {
        lines.set(2, "{\"v\":1,\"seq\":3}");
        assertBad(rewrite(), 3, -1, Problem.MALFORMED);
        lines.set(2, "not json at all");
        assertBad(rewrite(), 3, -1, Problem.MALFORMED);
        lines.set(2, lines.get(3).replace("}", ",\"extra\":1}"));
        assertBad(rewrite(), 3, -1, Problem.MALFORMED);
        lines.set(2, lines.get(3).replace("\"op\":\"wrap\"", "\"op\":\"wrap\",\"op\":\"destroy\""));
        assertBad(rewrite(), 3, -1, Problem.MALFORMED);
    }

    @Test
    void run_printsTheOutcomeAndReturnsTheExitCode() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(AuditVerifier.run(file, new PrintStream(out, true, StandardCharsets.UTF_8))).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("OK: 12 records");

        lines.remove(3);
        rewrite();
        out.reset();
        assertThat(AuditVerifier.run(file, new PrintStream(out, true, StandardCharsets.UTF_8))).isEqualTo(1);
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("FAILED at line 4 (sequence 5): SEQUENCE_GAP");

        out.reset();
        assertThat(AuditVerifier.run(dir.resolve("missing.jsonl"), new PrintStream(out, true, StandardCharsets.UTF_8))).isEqualTo(2);
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("cannot read");
    }

    private static String forge(long seq, String prev, String identity) {
        AuditRecord fake = new AuditRecord(seq, Instant.parse("2026-05-01T10:00:30Z"), "kms-1", identity, "destroy",
                "key-x", "success", "req-forged", null, prev, null);
        String canonical = AuditCodec.canonical(fake);
        return new String(AuditCodec.line(canonical, AuditCodec.hash(AuditCodec.sha256(), canonical)), StandardCharsets.UTF_8).strip();
    }
}
