package io.kekvault.kms.audit;

import io.kekvault.kmip.error.KmsException;
import io.kekvault.kmip.error.ResultReason;

import java.util.Objects;

/**
 * What the caller tells the audit log about one operation; {@link AuditLog#append} adds time,
 * node, sequence number and hashes.
 *
 * <p>Never put key material, PINs or request bodies here, not even in {@code detail}: the log is
 * plain text for operators. Fields are bounded (longer values are cut) and lone UTF-16 surrogates
 * are replaced, so any string the caller has can be logged and verified.
 *
 * @param identity  the authenticated caller (client certificate CN); {@code "-"} when unknown
 * @param operation the operation, e.g. {@code create}, {@code wrap}, {@code kmip.Get}
 * @param keyId     the key concerned, or null
 * @param result    {@link AuditRecord#SUCCESS} or the failure's error code ({@link ResultReason#code()})
 * @param requestId the request's identifier, or null
 * @param detail    optional short detail (identifiers and counts only), or null
 */
public record AuditEvent(String identity, String operation, String keyId, String result, String requestId, String detail) {
    public static final int MAX_IDENTITY = 256;
    public static final int MAX_OPERATION = 64;
    public static final int MAX_KEY_ID = 128;
    public static final int MAX_RESULT = 64;
    public static final int MAX_REQUEST_ID = 128;
    public static final int MAX_DETAIL = 512;

    public AuditEvent {
        identity = identity == null ? "-" : clean(identity, MAX_IDENTITY);
        operation = clean(Objects.requireNonNull(operation, "operation"), MAX_OPERATION);
        keyId = keyId == null ? null : clean(keyId, MAX_KEY_ID);
        result = clean(Objects.requireNonNull(result, "result"), MAX_RESULT);
        requestId = requestId == null ? null : clean(requestId, MAX_REQUEST_ID);
        detail = detail == null ? null : clean(detail, MAX_DETAIL);
    }

    public static AuditEvent success(String identity, String operation, String keyId, String requestId) {
        return new AuditEvent(identity, operation, keyId, AuditRecord.SUCCESS, requestId, null);
    }

    public static AuditEvent failure(String identity, String operation, String keyId, String requestId, ResultReason reason) {
        return new AuditEvent(identity, operation, keyId, reason.code(), requestId, null);
    }

    public static AuditEvent failure(String identity, String operation, String keyId, String requestId, KmsException e) {
        return new AuditEvent(identity, operation, keyId, e.errorCode(), requestId, null);
    }

    /** The same event with a short detail (identifiers and counts only). */
    public AuditEvent withDetail(String detail) {
        return new AuditEvent(identity, operation, keyId, result, requestId, detail);
    }

    /** Cuts to {@code max} chars without splitting a surrogate pair and replaces lone surrogates. */
    static String clean(String s, int max) {
        if (s.length() > max) {
            int cut = max;
            if (Character.isHighSurrogate(s.charAt(cut - 1))) {
                cut--;
            }
            s = s.substring(0, cut);
        }
        StringBuilder b = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean lone = Character.isSurrogate(c)
                    && !(Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1)))
                    && !(Character.isLowSurrogate(c) && i > 0 && Character.isHighSurrogate(s.charAt(i - 1)));
            if (lone) {
                if (b == null) {
                    b = new StringBuilder(s);
                }
                b.setCharAt(i, '\uFFFD');
            }
        }
        return b == null ? s : b.toString();
    }
}
