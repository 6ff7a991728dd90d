package io.kekvault.kms.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.kekvault.kms.vault.KeyVault;
import io.kekvault.secret.SecretBytes;
import java.security.SecureRandom;
import java.util.Collection;
import java.util.List;

/** Checks on a {@link KeyVault} that several vault tests share. */
public final class VaultChecks {
    private VaultChecks() {
    }

    /** Each key wraps a random 32-byte DEK and unwraps it back to the same bytes. */
    public static void assertWrapsAndUnwraps(KeyVault vault, Collection<String> keyIds) throws Exception {
        try (SecretBytes dek = SecretBytes.random(32, new SecureRandom())) {
            for (String id : keyIds) {
                byte[] blob = vault.wrap(id, dek, null);
                try (SecretBytes back = vault.unwrap(id, blob, null)) {
                    assertThat(back.contentEquals(dek)).as("key %s unwraps to the DEK it wrapped", id).isTrue();
                }
            }
        }
    }

    /** {@link #assertWrapsAndUnwraps(KeyVault, Collection)} for one key. */
    public static void assertWrapsAndUnwraps(KeyVault vault, String keyId) throws Exception {
        assertWrapsAndUnwraps(vault, List.of(keyId));
    }
}
