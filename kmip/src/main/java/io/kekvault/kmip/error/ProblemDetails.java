package io.kekvault.kmip.error;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Locale;
import java.util.Map;

/**
 * The one table from error family to HTTP status, and the RFC 9457 problem+json body, shared by
 * every Kekvault HTTP API (KMS, bridge, hosts). The {@code code} member is stable (the KMIP Result
 * Reason in lower snake case): clients branch on it, not on the human {@code detail}, which never
 * carries key material (the exceptions it comes from never do).
 */
public final class ProblemDetails {
    public static final String CONTENT_TYPE = "application/problem+json";
    public static final String TYPE_BASE = "https://kekvault.io/problems/";

    /** Error family -> HTTP status; exhaustive over the sealed family. */
    public static final Map<Class<? extends KmsException>, Integer> STATUS = Map.ofEntries(
            Map.entry(InvalidRequestException.class, 400),
            Map.entry(AuthenticationException.class, 401),
            Map.entry(PermissionDeniedException.class, 403),
            Map.entry(NotExtractableException.class, 403),
            Map.entry(NotFoundException.class, 404),
            Map.entry(WrongStateException.class, 409),
            Map.entry(ConflictException.class, 409),
            Map.entry(LimitExceededException.class, 413),
            Map.entry(CryptographicFailureException.class, 422),
            Map.entry(UnsupportedException.class, 422),
            Map.entry(GeneralFailureException.class, 500),
            Map.entry(UnavailableException.class, 503));

    private static final ObjectMapper JSON = new ObjectMapper();

    private ProblemDetails() {
    }

    /** The status of an error, by its family (a subclass maps like its family). */
    public static int status(KmsException e) {
        for (Class<?> c = e.getClass(); c != null && KmsException.class.isAssignableFrom(c); c = c.getSuperclass()) {
            Integer s = STATUS.get(c);
            if (s != null) {
                return s;
            }
        }
        return 500;
    }

    /** The status of a stored error code (e.g. a refused task's); 500 for an unknown code. */
    public static int status(String code) {
        try {
            return status(KmsException.fromReason(ResultReason.valueOf(code.toUpperCase(Locale.ROOT)), code));
        } catch (IllegalArgumentException | NullPointerException e) {
            return 500;
        }
    }

    public static String title(int status) {
        return switch (status) {
            case 400 -> "Bad request";
            case 401 -> "Not authenticated";
            case 403 -> "Forbidden";
            case 404 -> "Not found";
            case 405 -> "Method not allowed";
            case 409 -> "Conflict with the current state";
            case 413 -> "Too large";
            case 415 -> "Unsupported media type";
            case 422 -> "Cannot process";
            case 503 -> "Service unavailable";
            default -> "Server error";
        };
    }

    /** A problem+json body; {@code requestId} is left out when null. */
    public static ObjectNode body(int status, String code, String detail, String requestId) {
        ObjectNode n = JSON.createObjectNode();
        n.put("type", TYPE_BASE + code);
        n.put("title", title(status));
        n.put("status", status);
        n.put("code", code);
        n.put("detail", detail);
        if (requestId != null) {
            n.put("requestId", requestId);
        }
        return n;
    }
}
