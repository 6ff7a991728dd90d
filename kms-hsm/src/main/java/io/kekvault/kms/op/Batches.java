package io.kekvault.kms.op;

import io.kekvault.kmip.error.InvalidRequestException;
import io.kekvault.kmip.error.KmsException;
import io.kekvault.kmip.error.LimitExceededException;
import io.kekvault.kmip.error.ResultReason;
import java.util.List;

/** Batch limits and per-item error context for wrap, unwrap and rewrap. */
final class Batches {
    private Batches() {
    }

    static void check(List<?> items, int max) throws KmsException {
        if (items == null || items.isEmpty()) {
            throw new InvalidRequestException(ResultReason.MISSING_DATA, "at least one item is required", null);
        }
        if (items.size() > max) {
            throw new LimitExceededException("a batch holds at most " + max + " items, not " + items.size());
        }
    }

    interface ItemCall<T> {
        T call() throws KmsException;
    }

    /** Runs one item; a failure keeps its type and says which item failed (batches of one say nothing). */
    static <T> T at(int index, ItemCall<T> call) throws KmsException {
        try {
            return call.call();
        } catch (KmsException e) {
            if (index == 0) {
                throw e;
            }
            throw KmsException.withMessage(e, "item " + index + ": " + e.getMessage());
        }
    }
}
