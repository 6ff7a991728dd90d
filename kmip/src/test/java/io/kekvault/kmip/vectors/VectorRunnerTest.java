package io.kekvault.kmip.vectors;

import io.kekvault.kmip.TestData;
import io.kekvault.kmip.ttlv.Placeholders;
import io.kekvault.kmip.ttlv.Tag;
import io.kekvault.kmip.ttlv.TtlvItem;
import io.kekvault.kmip.ttlv.TtlvPlaceholder;
import io.kekvault.kmip.ttlv.TtlvStructure;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class VectorRunnerTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2024-06-01T12:00:00Z"), ZoneOffset.UTC);

    /**
     * A fake server that answers each request with the expected response of the file, its
     * placeholders filled with values of its own choosing (fresh ones per key). Every step must
     * pass: so every placeholder of every request is resolvable from what earlier responses taught.
     */
    @Test
    void everyVectorFile_playsThroughWithEveryRequestPlaceholderResolved() throws Exception {
        VectorRunner runner = new VectorRunner(CLOCK);
        List<VectorFile> files = new ArrayList<>();
        for (Path p : TestData.vectorFiles()) {
            files.add(VectorFile.read(p));
        }
        int steps = 0;
        for (VectorFile f : files) {
            VectorRunner.Result r = runner.run(f, replaying(f, "server-"));
            assertThat(r.passed()).as(r.toString()).isTrue();
            assertThat(r.passedSteps()).isEqualTo(f.steps().size());
            steps += r.passedSteps();
        }
        assertThat(steps).isEqualTo(653);
    }

    @Test
    void requestPlaceholders_receiveTheValuesTheServerReturned() throws Exception {
        VectorFile f = VectorFile.read(TestData.resource("kmip-vectors/v1.4/SKLC-M-1-14.xml"));
        List<TtlvItem> sent = new ArrayList<>();
        VectorRunner.Exchange server = replaying(f, "srv-");
        VectorRunner.Result r = new VectorRunner(CLOCK).run(f, req -> {
            sent.add(req);
            return server.exchange(req);
        });
        assertThat(r.passed()).isTrue();
        assertThat(Placeholders.containsPlaceholders(sent.get(1))).isFalse();
        TtlvStructure payload = sent.get(1).asStructure().structure(Tag.BATCH_ITEM).structure(Tag.REQUEST_PAYLOAD);
        assertThat(payload.text(Tag.UNIQUE_IDENTIFIER)).isEqualTo("srv-$UNIQUE_IDENTIFIER_0");
    }

    @Test
    void wrongAnswer_failsTheFileAtThatStepWithThePath() throws Exception {
        VectorFile f = VectorFile.read(TestData.resource("kmip-vectors/v1.4/SKLC-M-1-14.xml"));
        VectorRunner.Exchange server = replaying(f, "srv-");
        int[] n = {0};
        VectorRunner.Result r = new VectorRunner(CLOCK).run(f, req -> {
            TtlvItem resp = server.exchange(req);
            if (n[0]++ == 1) {
                // the second answer claims a failure instead of success
                TtlvStructure m = resp.asStructure();
                TtlvStructure item = m.structure(Tag.BATCH_ITEM);
                List<TtlvItem> children = new ArrayList<>(item.children());
                children.set(1, TtlvItem.enumeration(Tag.RESULT_STATUS, 1));
                return new TtlvStructure(m.tag(), List.of(m.children().get(0), new TtlvStructure(Tag.BATCH_ITEM, children)));
            }
            return resp;
        });
        assertThat(r.passed()).isFalse();
        assertThat(r.passedSteps()).isEqualTo(1);
        assertThat(r.failure()).hasValueSatisfying(s -> assertThat(s).contains("BatchItem[1]/ResultStatus[1]").contains("expected Success"));
    }

    /** Answers step i with the expected response i, placeholders filled with "prefix + key" values. */
    private static VectorRunner.Exchange replaying(VectorFile f, String prefix) {
        Iterator<VectorFile.Step> steps = f.steps().iterator();
        Map<String, TtlvItem> chosen = new HashMap<>();
        var synthetic = Placeholders.synthetic(CLOCK.instant());
        return req -> {
            VectorFile.Step s = steps.next();
            return Placeholders.substitute(s.expectedResponse(), p -> {
                if (p.name().equals("NOW")) {
                    return synthetic.resolve(p);
                }
                TtlvItem v = chosen.get(p.key());
                if (v == null) {
                    v = p.type() == io.kekvault.kmip.ttlv.ItemType.TEXT_STRING
                            ? TtlvItem.text(p.tag(), prefix + p.key()) : synthetic.resolve(new TtlvPlaceholder(p.tag(), p.type(), p.key()));
                    chosen.put(p.key(), v);
                }
                return v.withTag(p.tag());
            });
        };
    }
}
