package io.kekvault.kms.op;

import io.kekvault.kmip.error.KmsException;
import io.kekvault.kmip.error.UnavailableException;
import io.kekvault.kms.store.CommitOutcomeUnknownException;
import io.kekvault.kms.store.KeyRecord;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Settles a key whose HSM object was created but whose metadata write failed. A refused write
 * (conflict, invalid value) or one that failed before its commit wrote nothing, so the HSM
 * object is destroyed. A write that broke during its commit
 * ({@link CommitOutcomeUnknownException}: the database stopped mid-commit) may have been
 * applied: the store is asked again; if the record is there the create did succeed; if the store
 * cannot say, the HSM object is kept, since destroying it could leave metadata without key
 * material, whereas an HSM object without metadata is unusable and only logged for clean-up.
 */
final class HsmCompensation {
    private static final Logger log = LoggerFactory.getLogger(HsmCompensation.class);

    private HsmCompensation() {
    }

    /** The stored record if the failed write did commit after all; else empty (HSM object destroyed or kept). */
    static Optional<KeyRecord> settle(KmsServices s, String id, Exception failure, String op) {
        if (failure instanceof CommitOutcomeUnknownException) {
            try {
                Optional<KeyRecord> stored = s.store().get(id);
                if (stored.isPresent()) {
                    log.warn("event=store_commit_confirmed op={} key={} reason=write_reported_unavailable_but_committed", op, id);
                    return stored;
                }
            } catch (UnavailableException stillDown) {
                log.error("event=orphan_hsm_object op={} key={} reason=store_outcome_unknown action=kept", op, id);
                return Optional.empty();
            }
        }
        try {
            s.vault().destroy(id);
        } catch (KmsException | RuntimeException e) {
            log.error("event=orphan_hsm_object op={} key={} reason=store_write_failed_and_destroy_failed code={}", op, id,
                    e instanceof KmsException k ? k.errorCode() : e.getClass().getSimpleName());
        }
        return Optional.empty();
    }
}
