package io.kekvault.kms.vault;

import static org.assertj.core.api.Assertions.assertThat;

import io.kekvault.kms.testkit.SoftHsmExtension;
import io.kekvault.kms.testkit.SoftHsmToken;
import io.kekvault.secret.SecretBytes;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Both backends on one token: a blob wrapped by one unwraps with the other, both ways. */
@ExtendWith(SoftHsmExtension.class)
class BackendInteropTest {

    @Test
    void blobWrappedByOneBackend_unwrapsWithTheOther(SoftHsmToken token) throws Exception {
        KeyVault primary = token.openVault(KeyVaults.PKCS11);
        KeyVault secondary = token.openVault(KeyVaults.SUNPKCS11);
        SecureRandom random = new SecureRandom();
        byte[] aad = "vm-7".getBytes(StandardCharsets.UTF_8);
        for (KeyVault creator : new KeyVault[] {primary, secondary}) {
            String id = UUID.randomUUID().toString();
            creator.generate(id, KeySpec.kek());
            assertThat(primary.find(id)).isPresent();
            assertThat(secondary.find(id)).isPresent();
            try (SecretBytes dek = SecretBytes.random(64, random)) {
                byte[] byPrimary = primary.wrap(id, dek, aad);
                byte[] bySecondary = secondary.wrap(id, dek, aad);
                try (SecretBytes a = secondary.unwrap(id, byPrimary, aad);
                     SecretBytes b = primary.unwrap(id, bySecondary, aad)) {
                    assertThat(a.contentEquals(dek)).isTrue();
                    assertThat(b.contentEquals(dek)).isTrue();
                }
            }
            assertThat(secondary.find(id).orElseThrow()).isEqualTo(primary.find(id).orElseThrow());
        }
    }
}
