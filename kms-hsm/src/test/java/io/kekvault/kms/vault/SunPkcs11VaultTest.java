package io.kekvault.kms.vault;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The contract on the secondary backend (the JDK's SunPKCS11 provider). */
class SunPkcs11VaultTest extends KeyVaultContract {
    @Override
    String backend() {
        return KeyVaults.SUNPKCS11;
    }

    @Test
    void providerTemplate_isTheOneInHsmConfig_andHasNoTokenAttributeInGenerate() throws Exception {
        Path shipped = Path.of("..", "hsm-config", "sunpkcs11.cfg.template");
        assertThat(Files.readString(shipped)).isEqualTo(io.kekvault.kms.vault.sunpkcs11.SunPkcs11Vault.readTemplate());
        String generateBlocks = io.kekvault.kms.vault.sunpkcs11.SunPkcs11Vault.readTemplate().lines()
                .filter(l -> !l.startsWith("#")).reduce("", (a, b) -> a + "\n" + b);
        assertThat(generateBlocks).doesNotContain("CKA_TOKEN");
    }
}
