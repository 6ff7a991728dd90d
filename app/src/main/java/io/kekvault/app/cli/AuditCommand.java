package io.kekvault.app.cli;

import io.kekvault.kms.audit.AuditVerifier;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code kekvault audit verify FILE}. */
@Command(name = "audit", description = "Audit trail tools.", subcommands = {AuditCommand.Verify.class})
public final class AuditCommand {

    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = "Check a hash-chained audit log; names the first bad record. Exit 0 if intact, 1 if tampered, 2 if unreadable.")
    static final class Verify implements Callable<Integer> {
        @Parameters(paramLabel = "FILE") Path file;

        @Override
        public Integer call() throws Exception {
            return AuditVerifier.run(file, System.out);
        }
    }
}
