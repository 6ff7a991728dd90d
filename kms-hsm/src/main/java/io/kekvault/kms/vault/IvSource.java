package io.kekvault.kms.vault;

import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;

/**
 * Random IVs for wrapping, from NIST DRBGs. One DRBG serialises its callers, so requests on many
 * threads draw from a few independently seeded DRBGs chosen by thread, instead of queueing on one.
 */
public final class IvSource extends SecureRandom {
    private static final int STRIPES = 16;
    private final SecureRandom[] stripes = new SecureRandom[STRIPES];

    public IvSource() {
        try {
            for (int i = 0; i < STRIPES; i++) {
                stripes[i] = SecureRandom.getInstance("DRBG");
            }
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("no DRBG in this JVM", e);
        }
    }

    @Override
    public void nextBytes(byte[] bytes) {
        stripes[(int) (Thread.currentThread().threadId() & (STRIPES - 1))].nextBytes(bytes);
    }

    @Override
    public String getAlgorithm() {
        return "DRBG (striped)";
    }
}
