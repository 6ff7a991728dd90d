package io.kekvault.app;

import io.kekvault.app.bench.BenchCommand;
import io.kekvault.app.cli.AuditCommand;
import io.kekvault.app.cli.BridgeCommand;
import io.kekvault.app.cli.HostCommand;
import io.kekvault.app.cli.HsmCommand;
import io.kekvault.app.cli.KeyCommand;
import io.kekvault.app.cli.KmipCommand;
import io.kekvault.app.cli.KmsCommand;
import io.kekvault.app.cli.PkiCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The one executable: every service's main and every operator command. */
@Command(name = "kekvault", mixinStandardHelpOptions = true, version = "kekvault 0.1.0",
        description = "Key manager for VM encryption whose KEKs never leave the HSM.",
        subcommands = {io.kekvault.app.demo.DemoCommand.class, KmsCommand.class, KmipCommand.class, HostCommand.class, BridgeCommand.class, PkiCommand.class, KeyCommand.class, AuditCommand.class, HsmCommand.class, BenchCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs a command line and returns its exit code (tests call this without exiting). */
    public static int run(String... args) {
        return new CommandLine(new Main())
                .setCaseInsensitiveEnumValuesAllowed(true)
                .setExecutionExceptionHandler((e, cmd, parsed) -> {
                    // Operators get one line saying what failed; the stack trace only on request.
                    cmd.getErr().println("kekvault " + cmd.getCommandName() + ": " + describe(e));
                    if (System.getenv("KEKVAULT_DEBUG") != null) {
                        e.printStackTrace(cmd.getErr());
                    }
                    return 1;
                })
                .execute(args);
    }

    public static String describe(Throwable e) {
        StringBuilder sb = new StringBuilder(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        for (Throwable c = e.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
            if (c.getMessage() != null && !sb.toString().contains(c.getMessage())) {
                sb.append(": ").append(c.getMessage());
            }
        }
        return sb.toString();
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
