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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code kekvault hsm init-token} makes a token with random PINs in owner-only files. */
class HsmInitTokenCommandTest {

    @Test
    void initToken_createsTokenAndPrivatePinFiles(@TempDir Path tmp) throws Exception {
        assertThat(Main.run("hsm", "init-token", "--dir", tmp.toString(), "--label", "cli-test")).isZero();
        for (String f : new String[] {"token-pin", "so-pin"}) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(tmp.resolve(f)))).isEqualTo("rw-------");
            assertThat(Files.readString(tmp.resolve(f))).hasSize(32);
        }
        VaultConfig cfg = new VaultConfig(KeyVaults.PKCS11, SoftHsm.MODULE, "cli-test",
                new PinSource.File(tmp.resolve("token-pin")), 2, Map.of());
        try (KeyVault vault = KeyVaults.open(cfg)) {
            assertThat(vault.generate(UUID.randomUUID().toString(), KeySpec.kek()).isProtectedKek()).isTrue();
        }
        // a second token with the same label is refused
        assertThat(Main.run("hsm", "init-token", "--dir", tmp.toString(), "--label", "cli-test")).isNotZero();
    }
}
