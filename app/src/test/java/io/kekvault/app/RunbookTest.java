package io.kekvault.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.kekvault.kms.dev.PostgresDatabase;
import io.kekvault.kms.dev.PostgresServer;
import io.kekvault.kms.testkit.ChildJvm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Runs every {@code ```sh test} block of every runbook under docs/runbooks, one script per runbook
 * in a fresh directory where {@code ./kekvault} runs this build, so the runbooks cannot rot.
 */
class RunbookTest {
    static final Path RUNBOOKS = Path.of("..", "docs", "runbooks");

    /** The test blocks of a markdown file, in order. */
    static List<String> testBlocks(String markdown) {
        List<String> blocks = new ArrayList<>();
        StringBuilder cur = null;
        for (String line : markdown.split("\n", -1)) {
            if (cur == null && line.trim().equals("```sh test")) {
                cur = new StringBuilder();
            } else if (cur != null && line.trim().equals("```")) {
                blocks.add(cur.toString());
                cur = null;
            } else if (cur != null) {
                cur.append(line).append('\n');
            }
        }
        return blocks;
    }

    @TestFactory
    Stream<DynamicTest> everyRunbook_runsItsTestBlocks() throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.list(RUNBOOKS)) {
            files = s.filter(p -> p.toString().endsWith(".md")).sorted().toList();
        }
        assertThat(files).isNotEmpty();
        return files.stream().filter(f -> {
            try {
                return !testBlocks(Files.readString(f)).isEmpty();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }).map(f -> DynamicTest.dynamicTest(f.getFileName().toString(), () -> run(f)));
    }

    static void run(Path runbook) throws Exception {
        Path work = Files.createTempDirectory("runbook-");
        Path shim = work.resolve("kekvault");
        List<String> javaCmd = new ArrayList<>(List.of(ChildJvm.javaExecutable()));
        javaCmd.addAll(ChildJvm.JVM_FLAGS);
        javaCmd.add("-Dlogback.configurationFile=logback.xml");
        Files.writeString(shim, "#!/bin/sh\nexec " + String.join(" ", javaCmd.stream().map(RunbookTest::quote).toList())
                + " -cp " + quote(System.getProperty("java.class.path")) + " io.kekvault.app.Main \"$@\"\n");
        Files.setPosixFilePermissions(shim, PosixFilePermissions.fromString("rwx------"));
        // the ERR trap names the failing line without expanding it (no values of variables in the log)
        StringBuilder script = new StringBuilder("set -euo pipefail\ntrap 'jobs -p | xargs -r kill -9 2>/dev/null' EXIT\n"
                + "trap 'echo \"runbook: failed at line $LINENO: $BASH_COMMAND\" >&2' ERR\n");
        testBlocks(Files.readString(runbook)).forEach(b -> script.append(b).append('\n'));
        Path sh = work.resolve("runbook.sh");
        Files.writeString(sh, script);
        Path log = work.resolve("runbook.log");
        ProcessBuilder pb = new ProcessBuilder("bash", sh.toString()).directory(work.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        boolean done;
        Process p;
        // a runbook that needs a database names it by these variables; it gets a throw-away PostgreSQL
        try (PostgresServer pg = script.indexOf("KEKVAULT_DB_URL") >= 0 ? PostgresServer.launch() : null) {
            if (pg != null) {
                PostgresDatabase db = pg.createDatabase("runbook");
                pb.environment().put("KEKVAULT_DB_URL", db.jdbcUrl());
                pb.environment().put("KEKVAULT_DB_USER", db.user());
                pb.environment().put("KEKVAULT_DB_PASSWORD_FILE", db.passwordFile().toString());
            }
            p = pb.start();
            done = p.waitFor(5, TimeUnit.MINUTES);
            if (!done) {
                p.destroyForcibly();
            }
        }
        String out = Files.readString(log);
        System.out.println("[runbook] " + runbook.getFileName() + " in " + work);
        assertThat(done).as("%s finished in time; output:\n%s", runbook.getFileName(), out).isTrue();
        assertThat(p.exitValue()).as("%s exit code; output:\n%s", runbook.getFileName(), out).isZero();
        try (Stream<Path> w = Files.walk(work)) {
            w.sorted(java.util.Comparator.reverseOrder()).forEach(x -> x.toFile().delete());
        }
    }

    static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }
}
