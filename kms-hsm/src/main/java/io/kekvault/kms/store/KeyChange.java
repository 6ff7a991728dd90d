package io.kekvault.kms.store;

import io.kekvault.kmip.error.KmsException;

/**
 * A change to a record for {@link MetadataStore#modify}: given the current record, return the
 * changed one (or the same record for no change), or throw to refuse (for example a wrong
 * lifecycle state). It may run several times, once per attempt, so it must have no side effects.
 */
@FunctionalInterface
public interface KeyChange {
    KeyRecord apply(KeyRecord current) throws KmsException;
}
