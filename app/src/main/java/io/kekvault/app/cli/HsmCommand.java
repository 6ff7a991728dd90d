package io.kekvault.app.cli;

import io.kekvault.kms.vault.softhsm.SoftHsm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code kekvault hsm ...}: token set-up for lab and test HSMs. */
@Command(name = "hsm", description = "HSM token set-up (SoftHSM2 lab tokens).",
        subcommands = {HsmCommand.InitToken.class})
public final class HsmCommand {

    @Command(name = "init-token", mixinStandardHelpOptions = true,
            description = "Create a SoftHSM2 configuration and token under DIR through PKCS#11 "
                    + "(C_InitToken, C_InitPIN): no PIN on any command line.")
    static final class InitToken implements Callable<Integer> {
        @Option(names = "--dir", required = true, description = "directory for softhsm2.conf, tokens/ and PIN files")
        Path dir;

        @Option(names = "--label", defaultValue = "kekvault", description = "token label (default: ${DEFAULT-VALUE})")
        String label;

        @Option(names = "--pin-file", description = "user PIN file to use (created with a random PIN if missing; default DIR/token-pin)")
        Path pinFile;

        @Option(names = "--so-pin-file", description = "SO PIN file (created with a random PIN if missing; default DIR/so-pin)")
        Path soPinFile;

        @Override
        public Integer call() throws Exception {
            SoftHsm.requireInstalled();
            Files.createDirectories(dir);
            Path conf = SoftHsm.writeConfig(dir);
            SoftHsm.useConfig(conf);
            SecureRandom random = new SecureRandom();
            char[] pin = readOrCreate(pinFile == null ? dir.resolve("token-pin") : pinFile, random);
            char[] so = readOrCreate(soPinFile == null ? dir.resolve("so-pin") : soPinFile, random);
            try {
                SoftHsm.initToken(label, so, pin);
            } finally {
                Arrays.fill(pin, '\0');
                Arrays.fill(so, '\0');
            }
            System.out.println("token '" + label + "' ready; export SOFTHSM2_CONF=" + conf.toAbsolutePath());
            return 0;
        }

        private static char[] readOrCreate(Path file, SecureRandom random) {
            if (Files.exists(file)) {
                return new io.kekvault.kms.vault.PinSource.File(file).read();
            }
            char[] pin = SoftHsm.randomPin(random);
            SoftHsm.writePinFile(file, pin);
            return pin;
        }
    }
}
