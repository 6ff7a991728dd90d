package io.kekvault.esxi.host;

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
import java.util.Map;

/**
 * Error family to HTTP status, and the problem+json body: the same table and format as the KMS
 * ({@code code} = KMIP Result Reason in lower snake case, stable; {@code detail} for humans).
 */
public final class Problems {
    public static final String CONTENT_TYPE = "application/problem+json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private static final Map<Class<? extends KmsException>, Integer> STATUS = Map.ofEntries(
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

    public static ObjectNode body(int status, String code, String detail) {
        ObjectNode n = JSON.createObjectNode();
        n.put("type", "https://kekvault.io/problems/" + code);
        n.put("title", switch (status) {
            case 400 -> "Bad request";
            case 401 -> "Not authenticated";
            case 403 -> "Forbidden";
            case 404 -> "Not found";
            case 409 -> "Conflict with the VM's state";
            case 413 -> "Too large";
            case 422 -> "Cannot process";
            case 503 -> "Service unavailable";
            default -> "Server error";
        });
        n.put("status", status);
        n.put("code", code);
        n.put("detail", detail);
        return n;
    }

    public static ObjectNode body(KmsException e) {
        return body(status(e), e.errorCode(), e.getMessage());
    }
}
