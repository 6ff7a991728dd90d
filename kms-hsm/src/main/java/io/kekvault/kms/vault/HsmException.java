package io.kekvault.kms.vault;

import io.kekvault.kmip.error.GeneralFailureException;
import io.kekvault.kmip.error.ResultReason;

/**
 * An HSM call failed in a way the caller cannot fix. Carries the PKCS#11 return code for the
 * server log and metrics; the client-facing message never includes it, nor any key material.
 */
public final class HsmException extends GeneralFailureException {
    private final long ckr;
    private final String function;

    public HsmException(String function, long ckr, Throwable cause) {
        super(ResultReason.GENERAL_FAILURE, "HSM operation failed", cause);
        this.ckr = ckr;
        this.function = function;
    }

    /** The PKCS#11 return code (CKR_*), or -1 when the failure was not a PKCS#11 error. */
    public long ckr() {
        return ckr;
    }

    /** The PKCS#11 function that failed, e.g. {@code C_Encrypt}. */
    public String function() {
        return function;
    }

    /** For operators: function and return code, still without secrets. */
    public String detail() {
        return function + " returned " + Ckr.name(ckr);
    }
}
