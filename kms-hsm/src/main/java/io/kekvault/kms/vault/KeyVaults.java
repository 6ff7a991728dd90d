package io.kekvault.kms.vault;

import io.kekvault.kmip.error.KmsException;
import io.kekvault.kms.vault.pkcs11.Pkcs11Vault;
import io.kekvault.kms.vault.sunpkcs11.SunPkcs11Vault;

/** Opens the backend a configuration names. */
public final class KeyVaults {
    public static final String PKCS11 = "pkcs11";
    public static final String SUNPKCS11 = "sunpkcs11";

    private KeyVaults() {
    }

    public static KeyVault open(VaultConfig config) throws KmsException {
        return switch (config.backend()) {
            case PKCS11 -> Pkcs11Vault.open(config);
            case SUNPKCS11 -> SunPkcs11Vault.open(config);
            default -> throw new IllegalArgumentException("unknown HSM backend '" + config.backend()
                    + "' (" + PKCS11 + " or " + SUNPKCS11 + ")");
        };
    }
}
