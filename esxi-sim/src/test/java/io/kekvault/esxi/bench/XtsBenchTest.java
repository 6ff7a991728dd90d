package io.kekvault.esxi.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The harness's parsing and plumbing; no timing is asserted. */
class XtsBenchTest {

    @Test
    void opensslSpeedOutput_isReadFromThe4096ByteColumnInThousandsOfBytes() {
        List<String> out = List.of(
                "Doing AES-256-XTS for 3s on 4096 size blocks: 5588322 AES-256-XTS's in 2.99s",
                "version: 3.0.19",
                "The 'numbers' are in 1000s of bytes per second processed.",
                "type           4096 bytes",
                "AES-256-XTS    7629910.02k");
        assertThat(XtsBench.parseOpensslSpeed(out)).hasValueSatisfying(v -> assertThat(v).isCloseTo(7.62991002, within()));
        assertThat(XtsBench.parseOpensslSpeed(List.of("garbage"))).isEmpty();
    }

    @Test
    void options_parseSizesListsAndRejectUnknownFlags() {
        XtsBench.Options o = XtsBench.Options.parse("--file-size=256m", "--workers=1,2,4", "--engines=jce",
                "--iterations=2", "--no-openssl");
        assertThat(o.fileBytes()).isEqualTo(256L << 20);
        assertThat(o.workerCounts()).containsExactly(1, 2, 4);
        assertThat(o.engines()).containsExactly("jce");
        assertThat(o.openssl()).isFalse();
        assertThat(XtsBench.Options.defaults().fileBytes()).isEqualTo(1L << 30);
        assertThatThrownBy(() -> XtsBench.Options.parse("--bogus")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> XtsBench.Options.parse("--file-size=1000")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void tinyRun_reportsEveryEngineAndBothWorkerCounts(@TempDir Path dir) throws Exception {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        XtsBench.Report r = XtsBench.run(new PrintStream(buf, true, StandardCharsets.UTF_8),
                XtsBench.Options.parse("--warmups=0", "--iterations=1", "--iteration-ms=20", "--file-size=1m",
                        "--dir=" + dir));
        String text = buf.toString(StandardCharsets.UTF_8);
        assertThat(r.engines()).extracting(XtsBench.EngineResult::engine).containsExactly("openssl", "jce");
        assertThat(r.engines()).allSatisfy(e -> assertThat(e.meanGbps()).isPositive());
        assertThat(r.opensslGbps()).as(text).isPresent();
        assertThat(r.files()).extracting(XtsBench.FileResult::workers).containsExactly(1, 2);
        assertThat(text).contains("vs-ossl").contains("workers=2");
    }

    private static org.assertj.core.data.Offset<Double> within() {
        return org.assertj.core.data.Offset.offset(1e-9);
    }
}
