package io.kekvault.kms.vault;

import io.kekvault.kmip.error.ResultReason;
import io.kekvault.kmip.error.UnavailableException;

/** The HSM (module, slot or token) cannot be reached now; the request may be retried later. */
public final class HsmUnavailableException extends UnavailableException {
    private final long ckr;

    public HsmUnavailableException(String message, long ckr, Throwable cause) {
        super(ResultReason.PROTECTION_STORAGE_UNAVAILABLE, message, cause);
        this.ckr = ckr;
    }

    public long ckr() {
        return ckr;
    }
}
