package io.kekvault.kms.op;

import io.kekvault.kmip.error.KmsException;
import java.time.Instant;

/** Where the dispatcher sends one record per operation, allowed or refused. */
public interface AuditSink {

    /**
     * One operation's outcome. Never key material, never PINs, never request bodies.
     *
     * @param result {@code success} or the failure's stable error code
     */
    record Event(Instant time, String identity, String operation, String keyId, String result,
                 String requestId, String detail) {
    }

    /** Appends durably (at least to the OS) before returning. */
    void record(Event event) throws KmsException;
}
