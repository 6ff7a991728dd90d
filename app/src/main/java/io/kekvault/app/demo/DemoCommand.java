package io.kekvault.app.demo;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code kekvault demo}: the end-to-end run a newcomer starts with. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Run the whole flow on loopback: SoftHSM2 token, PKI, PostgreSQL, two KMS nodes, the bridge and",
            "three hosts; every bridge task on real disk files, data checked after each step, no clear DEK in any file.",
            "Prints a summary and exits non-zero if a check failed."})
public final class DemoCommand implements Callable<Integer> {
    @Option(names = "--dir", description = "work directory (default: kekvault-work/demo-<time> in the repository)")
    Path dir;

    @Override
    public Integer call() throws Exception {
        return new Demo(dir == null ? Demo.defaultWorkDir() : dir.toAbsolutePath(), System.out).run();
    }
}
