package io.kekvault.kmip.ttlv;

import io.kekvault.kmip.error.KmsException;

/** Supplies the concrete value of a {@link TtlvPlaceholder} (same tag and type). */
@FunctionalInterface
public interface PlaceholderResolver {
    TtlvItem resolve(TtlvPlaceholder placeholder) throws KmsException;
}
