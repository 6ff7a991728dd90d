package io.kekvault.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.kekvault.kmip.vectors.ConformanceRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kekvault kmip conformance} against {@code kekvault kms --dev} in its own process (the
 * KMIP listener as the CLI wires it): every OASIS vector file of KMIP 1.4 and 2.0 in
 * {@code /work/shared/kmip-vectors} (the kmip module's copy), binary TTLV for all of them and the
 * MSGENC files over HTTPS in their own encodings. Then the runner's own honesty: a changed
 * expected value fails the file and the exit code, a skipped file never counts as passed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KmipConformanceCliTest {
    static final Path VECTORS = Path.of("..", "kmip", "src", "test", "resources", "kmip-vectors");

    @TempDir
    static Path temp;
    KmsDevModeCliTest.Running kms;
    Path dir;
    int kmipPort;

    @BeforeAll
    void start() throws Exception {
        assertThat(VECTORS.resolve("v1.4")).as("the OASIS vectors (kmip module test resources)").isDirectory();
        dir = temp.resolve("dev");
        kms = KmsDevModeCliTest.startDev(dir);
        Matcher m = Pattern.compile("kmip=127\\.0\\.0\\.1:(\\d+)").matcher(kms.readyLine());
        assertThat(m.find()).as("the ready line names the KMIP port: %s", kms.readyLine()).isTrue();
        kmipPort = Integer.parseInt(m.group(1));
    }

    @AfterAll
    void stop() throws Exception {
        if (kms != null) {
            kms.process().destroy();
            assertThat(kms.process().waitFor(60, TimeUnit.SECONDS)).isTrue();
        }
    }

    Object[] conformance(Path vectors, String... extra) {
        List<String> args = new java.util.ArrayList<>(List.of("kmip", "conformance", "--dir", vectors.toString(),
                "--server", "127.0.0.1:" + kmipPort, "--https", "127.0.0.1:" + kms.httpsPort(),
                "--ca", dir.resolve("pki/ca.pem").toString(), "--cert", dir.resolve("pki/kmip-client.pem").toString(),
                "--key", dir.resolve("pki/kmip-client.key").toString()));
        args.addAll(List.of(extra));
        return KmsDevModeCliTest.cli(args.toArray(String[]::new));
    }

    @Test
    void everyOasisVectorFile_ofKmip14And20_passes() throws Exception {
        long files;
        try (Stream<Path> s = Files.walk(VECTORS)) {
            files = s.filter(p -> p.toString().endsWith(".xml")).count();
        }
        int skips = ConformanceRunner.defaultSkips().size();
        Object[] r = conformance(VECTORS);
        String out = (String) r[1];
        System.out.println(out);
        assertThat(out.lines().filter(l -> l.startsWith("FAIL"))).as(out).isEmpty();
        assertThat(out).contains((files - skips) + " passed, 0 failed, " + skips + " skipped");
        for (String profile : List.of("SKLC", "SKFF", "AX", "MSGENC", "CS-BC")) {
            assertThat(out.lines().filter(l -> l.startsWith("pass") && l.contains("/" + profile + "-"))).as(profile).isNotEmpty();
        }
        assertThat(out).contains("MSGENC-XML-M-1-14.xml  (2 steps, xml over https)")
                .contains("MSGENC-JSON-M-1-14.xml  (2 steps, json over https)")
                .contains("MSGENC-HTTPS-M-1-14.xml  (2 steps, ttlv over https)");
        assertThat((int) r[0]).isZero();
    }

    @Test
    void changedExpectedValue_failsTheFileWithTheFirstDifference_andTheExitCode() throws Exception {
        Path d = Files.createDirectories(temp.resolve("tampered"));
        String sklc = Files.readString(VECTORS.resolve("v1.4/SKLC-M-1-14.xml"));
        // the Get Attributes answer must say 256 bits: expect 128 instead
        int at = sklc.indexOf("<AttributeValue type=\"Integer\" value=\"256\"/>", sklc.indexOf("<ResponseMessage>", sklc.indexOf("GetAttributes")));
        String tampered = sklc.substring(0, at) + sklc.substring(at).replaceFirst("value=\"256\"", "value=\"128\"");
        // a name of its own: the file stops before its Destroy, so the key keeps the name
        Files.writeString(d.resolve("SKLC-M-1-14.xml"), tampered.replace("value=\"SKLC-M-1-14\"", "value=\"tampered-SKLC-M-1\""));
        Object[] r = conformance(d);
        assertThat((int) r[0]).isEqualTo(1);
        assertThat((String) r[1]).contains("FAIL  SKLC-M-1-14.xml  step 1:").contains("expected 128").contains("got 256")
                .contains("0 passed, 1 failed, 0 skipped");
    }

    @Test
    void skippedFile_isReportedWithItsReason_andNeverCountsAsPassed() throws Exception {
        Path d = Files.createDirectories(temp.resolve("skipped"));
        Files.copy(VECTORS.resolve("v1.4/SKLC-M-1-14.xml"), d.resolve("SKLC-M-1-14.xml"));
        Files.copy(VECTORS.resolve("v1.4/SKFF-M-1-14.xml"), d.resolve("SKFF-M-1-14.xml"));
        Path skips = temp.resolve("skips.txt");
        Files.writeString(skips, "# test skip list\nSKLC-M-1-14.xml  not this time: a test of the skip list\n");
        Object[] r = conformance(d, "--skip-list", skips.toString());
        assertThat((String) r[1]).contains("skip  SKLC-M-1-14.xml  not this time: a test of the skip list")
                .contains("pass  SKFF-M-1-14.xml").contains("1 passed, 0 failed, 1 skipped");
        Files.writeString(skips, "SKLC-M-1-14.xml\n");
        assertThat((int) conformance(d, "--skip-list", skips.toString())[0]).as("a skip without reason is refused").isNotZero();
    }
}
