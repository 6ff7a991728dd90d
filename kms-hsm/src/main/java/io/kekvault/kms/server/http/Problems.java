package io.kekvault.kms.server.http;

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
import io.kekvault.kmip.error.UnavailableException;
import io.kekvault.kmip.error.UnsupportedException;
import io.kekvault.kmip.error.WrongStateException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import java.util.Map;

/**
 * The one table from error families to HTTP status, and the RFC 9457 problem+json body. The
 * {@code code} member is stable (the KMIP Result Reason in lower snake case); clients branch on
 * it, not on the human {@code detail}.
 */
public final class Problems {
    public static final String CONTENT_TYPE = "application/problem+json";
    public static final String TYPE_BASE = "https://kekvault.io/problems/";

    /** Error family -> HTTP status. Exhaustive over the sealed family. */
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

    private Problems() {
    }

    public static int status(KmsException e) {
        for (Class<?> c = e.getClass(); c != null && KmsException.class.isAssignableFrom(c); c = c.getSuperclass()) {
            Integer s = STATUS.get(c);
            if (s != null) {
                return s;
            }
        }
        return 500;
    }

    public static String title(int status) {
        return switch (status) {
            case 400 -> "Bad request";
            case 401 -> "Not authenticated";
            case 403 -> "Forbidden";
            case 404 -> "Not found";
            case 405 -> "Method not allowed";
            case 409 -> "Conflict with the key's state";
            case 413 -> "Too large";
            case 415 -> "Unsupported media type";
            case 422 -> "Cannot process";
            case 503 -> "Service unavailable";
            default -> "Server error";
        };
    }

    public static Buffer body(int status, String code, String detail, String requestId) {
        ObjectNode n = JSON.createObjectNode();
        n.put("type", TYPE_BASE + code);
        n.put("title", title(status));
        n.put("status", status);
        n.put("code", code);
        n.put("detail", detail);
        if (requestId != null) {
            n.put("requestId", requestId);
        }
        return Buffer.buffer(n.toString());
    }

    public static void send(HttpServerResponse resp, KmsException e, String requestId) {
        send(resp, status(e), e.errorCode(), e.getMessage(), requestId);
    }

    public static void send(HttpServerResponse resp, int status, String code, String detail, String requestId) {
        if (resp.ended() || resp.closed()) {
            return;
        }
        resp.setStatusCode(status).putHeader("Content-Type", CONTENT_TYPE);
        if (status == 503) {
            resp.putHeader("Retry-After", "1");
        }
        resp.end(body(status, code, detail, requestId));
    }
}
