package io.kekvault.bridge.host;

import io.kekvault.kmip.error.KmsException;
import io.kekvault.kmip.error.ResultReason;
import io.kekvault.kmip.error.UnavailableException;
import java.util.Locale;

/**
 * A host command failed: the host's problem+json ({@code status}, stable {@code code}, {@code
 * detail}), or {@code status == 0} when the host could not be reached.
 */
public final class HostException extends Exception {
    private final String host;
    private final int status;
    private final String code;
    private final String detail;

    public HostException(String host, int status, String code, String detail, Throwable cause) {
        super("host " + host + ": " + (status == 0 ? "unreachable" : status + " " + code) + (detail == null ? "" : ": " + detail), cause);
        this.host = host;
        this.status = status;
        this.code = code;
        this.detail = detail;
    }

    public String host() {
        return host;
    }

    /** The HTTP status, 0 if the host did not answer. */
    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    public String detail() {
        return detail;
    }

    public boolean unreachable() {
        return status == 0;
    }

    /** The same failure as the typed error the bridge's own clients get. */
    public KmsException toKmsException() {
        if (status == 0 || status == 503) {
            return new UnavailableException(ResultReason.GENERAL_FAILURE, getMessage(), this);
        }
        ResultReason reason = null;
        if (code != null) {
            try {
                reason = ResultReason.valueOf(code.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException ignored) {
                // not a KMIP reason: decide by status below
            }
        }
        if (reason == null) {
            reason = switch (status) {
                case 400 -> ResultReason.INVALID_FIELD;
                case 401 -> ResultReason.AUTHENTICATION_NOT_SUCCESSFUL;
                case 403 -> ResultReason.PERMISSION_DENIED;
                case 404 -> ResultReason.ITEM_NOT_FOUND;
                case 409 -> ResultReason.ILLEGAL_OPERATION;
                default -> ResultReason.GENERAL_FAILURE;
            };
        }
        return KmsException.withMessage(KmsException.fromReason(reason, getMessage()), getMessage());
    }
}
