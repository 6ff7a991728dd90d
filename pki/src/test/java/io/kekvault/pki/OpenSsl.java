package io.kekvault.pki;

import static org.assertj.core.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the openssl command line tool; a missing tool fails the test loudly. */
public final class OpenSsl {

    /** Exit code and merged stdout/stderr of one run. */
    public record Result(int exitCode, String output) {
        public Result expectSuccess() {
            if (exitCode != 0) {
                fail("openssl exited with " + exitCode + ":\n" + output);
            }
            return this;
        }
    }

    private OpenSsl() {
    }

    public static Result run(Path workDir, String... args) {
        List<String> command = new ArrayList<>();
        command.add("openssl");
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new AssertionError("cannot run openssl; install it with: apt-get install -y openssl", e);
        }
        try (InputStream out = process.getInputStream()) {
            ByteArrayOutputStream buffer = new ByteArrayOutputStream();
            // Read on a virtual thread so a hung process is bounded by the waitFor below.
            Thread reader = Thread.ofVirtual().start(() -> {
                try {
                    out.transferTo(buffer);
                } catch (IOException ignored) {
                    // The process was killed; the exit check reports it.
                }
            });
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                fail("openssl " + String.join(" ", args) + " did not finish within 60 s");
            }
            reader.join();
            return new Result(process.exitValue(), buffer.toString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    public static String ok(Path workDir, String... args) {
        return run(workDir, args).expectSuccess().output();
    }
}
