package io.kekvault.kms.store;

import io.kekvault.kmip.error.UnavailableException;

/**
 * The database failed while committing (the connection broke after the commit was sent): the
 * write may or may not have been applied. Every other {@link UnavailableException} of a write
 * means nothing was written. Clients see the same 503 either way; the KMS uses the difference
 * to decide whether an HSM object made for the write may be destroyed.
 */
public final class CommitOutcomeUnknownException extends UnavailableException {
    public CommitOutcomeUnknownException(String message, Throwable cause) {
        super(message, cause);
    }
}
