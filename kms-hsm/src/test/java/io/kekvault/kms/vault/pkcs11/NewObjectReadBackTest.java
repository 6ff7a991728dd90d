package io.kekvault.kms.vault.pkcs11;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kekvault.kms.testkit.SoftHsmExtension;
import io.kekvault.kms.testkit.SoftHsmToken;
import io.kekvault.kms.testkit.VaultChecks;
import io.kekvault.kms.vault.HsmException;
import io.kekvault.kms.vault.HsmKeyInfo;
import io.kekvault.kms.vault.KeySpec;
import io.kekvault.kms.vault.KeyVault;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A new key object whose attributes read back empty (seen once with two processes writing one
 * SoftHSM2 token directory) is looked for again after a re-index and checked like any other;
 * the empty read-back is injected, the token, the objects and the re-index are real.
 */
@ExtendWith(SoftHsmExtension.class)
class NewObjectReadBackTest {

    @AfterEach
    void noInjectionLeft() {
        Pkcs11Vault.EMPTY_READ_BACKS_FOR_TEST.set(0);
    }

    @Test
    void emptyReadBackOnce_createSucceedsWithTheObjectItMade_afterOneReindex(SoftHsmToken token) throws Exception {
        KeyVault vault = token.openVault("pkcs11");
        String id = UUID.randomUUID().toString();
        long recoveries = vault.stats().moduleRecoveries();

        Pkcs11Vault.EMPTY_READ_BACKS_FOR_TEST.set(1);
        HsmKeyInfo info = vault.generate(id, KeySpec.kek());

        assertThat(info.isProtectedKek()).as("the object was checked against the template: %s", info).isTrue();
        assertThat(vault.stats().moduleRecoveries()).as("one forced re-index").isEqualTo(recoveries + 1);
        assertThat(vault.list()).as("the object made by the first attempt, not a second one").containsOnlyOnce(id);
        VaultChecks.assertWrapsAndUnwraps(vault, id);
    }

    @Test
    void emptyReadBackEveryTime_createFails_andLeavesNoObject(SoftHsmToken token) throws Exception {
        KeyVault vault = token.openVault("pkcs11");
        String id = UUID.randomUUID().toString();
        int before = vault.list().size();

        Pkcs11Vault.EMPTY_READ_BACKS_FOR_TEST.set(100);
        assertThatThrownBy(() -> vault.generate(id, KeySpec.kek())).isInstanceOf(HsmException.class);
        Pkcs11Vault.EMPTY_READ_BACKS_FOR_TEST.set(0);

        assertThat(vault.find(id)).as("the unconfirmed object was removed").isEmpty();
        assertThat(vault.list()).hasSize(before);
    }
}
