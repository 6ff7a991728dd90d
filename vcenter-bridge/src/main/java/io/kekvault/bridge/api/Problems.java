package io.kekvault.bridge.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kekvault.kmip.error.AuthenticationException;
import io.kekvault.kmip.error.ConflictException;
import io.kekvault.kmip.error.CryptographicFailureException;
import io.kekvault.kmip.error.GeneralFailureException;
import io.kekvault.kmip.error.InvalidRequestException;
import io.kekvault.kmip.error.KmsException;
import io.kekvault.kmip.error.LimitExceededException;
import io.kekvault.kmip.error.NotExtractableException;
import io.kekvault.kmip.error.NotFoundException;
import io.kekvault.kmip.error.PermissionDeniedException;
import io.kekvault.kmip.error.ResultReason;
import io.kekvault.kmip.error.UnavailableException;
import io.kekvault.kmip.error.UnsupportedException;
import io.kekvault.kmip.error.WrongStateException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import java.util.Locale;
import java.util.Map;

/**
 * RFC 9457 problem+json for the bridge API, with the same stable {@code code} values as the KMS
 * (the KMIP Result Reason in snake case) and one table from error family to HTTP status. A
 * refused task adds {@code taskId}, the record of the refusal.
 */
public final class Problems {
    public static final String CONTENT_TYPE = "application/problem+json";
    static final String TYPE_BASE = "https://kekvault.io/problems/";
    private static final ObjectMapper JSON = new ObjectMapper();

    static final Map<Class<? extends KmsException>, Integer> STATUS = Map.ofEntries(
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

    private Problems() {
    }

    public static int status(KmsException e) {
        return STATUS.getOrDefault(e.getClass(), 500);
    }

    /** The status of a stored error code (a refused or failed task). */
    public static int status(String code) {
        try {
            return status(KmsException.fromReason(ResultReason.valueOf(code.toUpperCase(Locale.ROOT)), code));
        } catch (IllegalArgumentException | NullPointerException e) {
            return 500;
        }
    }

    static String title(int status) {
        return switch (status) {
            case 400 -> "Bad request";
            case 401 -> "Not authenticated";
            case 403 -> "Forbidden";
            case 404 -> "Not found";
            case 409 -> "Conflict with the current state";
            case 413 -> "Too large";
            case 415 -> "Unsupported media type";
            case 422 -> "Cannot process";
            case 503 -> "Service unavailable";
            default -> "Server error";
        };
    }

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

    static void send(HttpServerResponse resp, int status, ObjectNode body) {
        if (resp.ended() || resp.closed()) {
            return;
        }
        resp.setStatusCode(status).putHeader("Content-Type", CONTENT_TYPE);
        if (status == 503) {
            resp.putHeader("Retry-After", "1");
        }
        resp.end(Buffer.buffer(body.toString()));
    }
}
