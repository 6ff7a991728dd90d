package io.kekvault.kms.vault;

import java.nio.file.Path;
import java.util.Map;

/**
 * How to reach the HSM.
 *
 * @param backend        {@code pkcs11} (the IAIK/xipki wrapper, primary) or {@code sunpkcs11}
 * @param modulePath     the PKCS#11 library, e.g. /usr/lib/softhsm/libsofthsm2.so
 * @param tokenLabel     the token is found by label, never by slot number (SoftHSM renumbers slots)
 * @param pin            where the user PIN comes from
 * @param maxSessions    session pool capacity
 * @param environment    extra environment for the module, e.g. SOFTHSM2_CONF; applied by the
 *                       launcher (a JVM cannot set its own environment), checked here
 * @param sharedToken    other processes may change the token's objects while this one runs (KMS
 *                       nodes on one SoftHSM2 token directory); a SoftHSM2 token then gets its
 *                       object calls serialized, see Pkcs11Vault
 */
public record VaultConfig(String backend, Path modulePath, String tokenLabel, PinSource pin,
                          int maxSessions, Map<String, String> environment, boolean sharedToken) {

    public static final Path SOFTHSM_MODULE = Path.of("/usr/lib/softhsm/libsofthsm2.so");

    public VaultConfig {
        if (tokenLabel == null || tokenLabel.isBlank()) {
            throw new IllegalArgumentException("token label is required");
        }
        if (maxSessions < 1) {
            throw new IllegalArgumentException("maxSessions must be at least 1");
        }
        environment = environment == null ? Map.of() : Map.copyOf(environment);
    }

    /** A token only this process changes. */
    public VaultConfig(String backend, Path modulePath, String tokenLabel, PinSource pin,
                       int maxSessions, Map<String, String> environment) {
        this(backend, modulePath, tokenLabel, pin, maxSessions, environment, false);
    }

    public VaultConfig withSharedToken(boolean shared) {
        return new VaultConfig(backend, modulePath, tokenLabel, pin, maxSessions, environment, shared);
    }

    public static VaultConfig softHsm(String backend, String tokenLabel, PinSource pin) {
        return new VaultConfig(backend, SOFTHSM_MODULE, tokenLabel, pin,
                Math.max(4, 2 * Runtime.getRuntime().availableProcessors()), Map.of());
    }
}
