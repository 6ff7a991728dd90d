package io.kekvault.kms.op;

import io.kekvault.kms.access.ExportPolicy;
import io.kekvault.kms.store.MetadataStore;
import io.kekvault.kms.vault.KeyVault;
import java.time.Clock;

/**
 * What operations work with: the HSM, the metadata store, the export policy and limits.
 *
 * @param maxBatch most DEKs in one wrap, unwrap or rewrap request
 */
public record KmsServices(KeyVault vault, MetadataStore store, ExportPolicy exportPolicy, Clock clock,
                          String nodeId, int maxBatch) {
}
