package io.kekvault.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.kekvault.kms.vault.KeySpec;
import io.kekvault.kms.vault.KeyVault;
import io.kekvault.kms.vault.KeyVaults;
import io.kekvault.kms.vault.PinSource;
import io.kekvault.kms.vault.VaultConfig;
import io.kekvault.kms.vault.softhsm.SoftHsm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** hsm-config/setup-token.sh makes a token the KMS vault finds by label and uses. */
class SetupTokenScriptTest {

    @Test
    void setupScript_createsATokenFoundByLabel_withPinsFromFiles(@TempDir Path tmp) throws Exception {
        SoftHsm.requireInstalled();
        Path dir = tmp.resolve("hsm");
        Path pinFile = tmp.resolve("token-pin");
        Path soPinFile = tmp.resolve("so-pin");
        Files.writeString(pinFile, "user-pin-" + UUID.randomUUID());
        Files.writeString(soPinFile, "so-pin-" + UUID.randomUUID());
        ProcessBuilder pb = new ProcessBuilder("bash", Path.of("..", "hsm-config", "setup-token.sh").toString(),
                "--dir", dir.toString(), "--label", "script-test").redirectErrorStream(true);
        pb.environment().put("KEKVAULT_PIN_FILE", pinFile.toString());
        pb.environment().put("KEKVAULT_SO_PIN_FILE", soPinFile.toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).contains("token 'script-test' ready").doesNotContain(Files.readString(pinFile));
        assertThat(Files.readString(dir.resolve("softhsm2.conf"))).contains(dir.resolve("tokens").toRealPath().toString());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("softhsm2.conf")))).isEqualTo("rw-------");

        SoftHsm.useConfig(dir.resolve("softhsm2.conf"));
        VaultConfig cfg = new VaultConfig(KeyVaults.PKCS11, SoftHsm.MODULE, "script-test", new PinSource.File(pinFile), 2, Map.of());
        try (KeyVault vault = KeyVaults.open(cfg)) {
            String id = UUID.randomUUID().toString();
            assertThat(vault.generate(id, KeySpec.kek()).isProtectedKek()).isTrue();
        }

        // run again: the existing token is left alone
        Process again = pb.start();
        String out2 = new String(again.getInputStream().readAllBytes());
        assertThat(again.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(again.exitValue()).isZero();
        assertThat(out2).contains("already exists");
    }
}
