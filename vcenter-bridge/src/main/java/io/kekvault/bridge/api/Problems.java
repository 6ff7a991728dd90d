package io.kekvault.bridge.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kekvault.kmip.error.KmsException;
import io.kekvault.kmip.error.ProblemDetails;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;

/**
 * RFC 9457 problem+json for the bridge API, with the same stable {@code code} values as the KMS
 * (the KMIP Result Reason in snake case) and the one table from error family to HTTP status ({@link ProblemDetails}). A
 * refused task adds {@code taskId}, the record of the refusal.
 */
public final class Problems {
    public static final String CONTENT_TYPE = ProblemDetails.CONTENT_TYPE;

    private Problems() {
    }

    public static int status(KmsException e) {
        return ProblemDetails.status(e);
    }

    /** The status of a stored error code (a refused or failed task). */
    public static int status(String code) {
        return ProblemDetails.status(code);
    }

    public static ObjectNode body(int status, String code, String detail, String requestId) {
        return ProblemDetails.body(status, code, detail, requestId);
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
