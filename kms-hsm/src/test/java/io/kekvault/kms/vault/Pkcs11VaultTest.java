package io.kekvault.kms.vault;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The contract on the primary backend (xipki ipkcs11wrapper). */
class Pkcs11VaultTest extends KeyVaultContract {
    @Override
    String backend() {
        return KeyVaults.PKCS11;
    }

    @Test
    void kekValue_readDirectly_isRefusedByTheHsm() throws Exception {
        String id = UUID.randomUUID().toString();
        vault.generate(id, KeySpec.kek());
        long ckr = ((io.kekvault.kms.vault.pkcs11.Pkcs11Vault) vault).probeValueRead(id);
        assertThat(ckr).as("C_GetAttributeValue(CKA_VALUE) on a KEK").isEqualTo(Ckr.ATTRIBUTE_SENSITIVE);
    }
}
