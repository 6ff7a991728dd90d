package io.kekvault.esxi.disk;

import io.kekvault.esxi.crypto.XtsEngine;
import io.kekvault.esxi.crypto.XtsKeys;
import io.kekvault.secret.SecretBytes;

/**
 * The form a flat disk file is in: plaintext, or XTS-AES-256 (4096-byte data units, tweak =
 * data-unit number) under one DEK.
 *
 * <p>{@link #label()} names the form without revealing the key (the XTS label carries the key
 * check value, see {@link XtsKeys#checkValue}); transforms record labels in their journal so a
 * restarted host can tell which form an interrupted transform left the file in.
 */
public sealed interface DiskForm permits DiskForm.Plain, DiskForm.Xts {

    /** Stable, non-secret name of this form, e.g. {@code plain} or {@code xts-aes-256/4096/kcv1:...}. */
    String label();

    static DiskForm plain() {
        return Plain.INSTANCE;
    }

    /** Encrypted under {@code key}; the caller keeps ownership of the key. */
    static DiskForm xts(SecretBytes key) {
        return new Xts(key, null);
    }

    /**
     * Encrypted under {@code key}, which must have the check value {@code expectedCheck} recorded
     * for the disk; a transform refuses to start when it does not (wrong key).
     */
    static DiskForm xts(SecretBytes key, String expectedCheck) {
        return new Xts(key, expectedCheck);
    }

    /** Plaintext. */
    record Plain() implements DiskForm {
        static final Plain INSTANCE = new Plain();

        @Override
        public String label() {
            return "plain";
        }
    }

    /** XTS-AES-256 under {@code key} (toString is redacted by {@link SecretBytes}). */
    record Xts(SecretBytes key, String expectedCheck) implements DiskForm {
        public Xts {
            XtsKeys.validate(key);
        }

        @Override
        public String label() {
            return "xts-aes-256/" + XtsEngine.DISK_DATA_UNIT + "/" + XtsKeys.checkValue(key);
        }

        /** Whether the key matches the expected check value, or no check value was given. */
        public boolean keyMatchesExpectation() {
            return expectedCheck == null || XtsKeys.matches(key, expectedCheck);
        }
    }
}
