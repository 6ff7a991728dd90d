package io.kekvault.kms.op;

import io.kekvault.kms.access.Caller;

/**
 * Per-request context handed to an operation: who is calling, and a slot for the key the
 * operation is about (for the audit record).
 */
public final class OpContext {
    private final Caller caller;
    private String keyId;
    private String detail;

    public OpContext(Caller caller) {
        this.caller = caller;
    }

    public Caller caller() {
        return caller;
    }

    /** Names the key this operation touches, for the audit trail. */
    public void auditKey(String id) {
        if (keyId == null) {
            keyId = id;
        }
    }

    /** A short, non-secret note for the audit record (e.g. batch size, new key id). */
    public void auditDetail(String d) {
        detail = d;
    }

    String keyId() {
        return keyId;
    }

    String detail() {
        return detail;
    }
}
