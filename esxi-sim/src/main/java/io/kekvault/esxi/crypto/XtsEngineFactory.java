package io.kekvault.esxi.crypto;

import io.kekvault.secret.SecretBytes;

/**
 * Makes {@link XtsEngine}s of one implementation. Thread-safe; the engines it makes are not, so
 * each worker thread takes its own.
 */
public interface XtsEngineFactory {

    /** Implementation name, e.g. {@code openssl} or {@code jce}. */
    String name();

    /** A line for logs and reports: implementation and the library version behind it. */
    String description();

    /**
     * A new engine for {@code key} (64 bytes: data key then tweak key, halves distinct) and the
     * given data-unit size (a positive multiple of 16). The key is copied; the caller still owns
     * and closes {@code key}.
     *
     * @throws IllegalArgumentException if the key or the data-unit size is invalid
     */
    XtsEngine create(SecretBytes key, int dataUnitSize);

    /** A new engine with the disk data unit of 4096 bytes. */
    default XtsEngine create(SecretBytes key) {
        return create(key, XtsEngine.DISK_DATA_UNIT);
    }
}
