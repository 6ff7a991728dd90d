package io.kekvault.kms.server.http;

import io.kekvault.kmip.error.KmsException;
import io.kekvault.kmip.error.ProblemDetails;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;

/**
 * Sends RFC 9457 problem+json answers; the table from error families to HTTP status and the body
 * are {@link ProblemDetails}, shared with the bridge and the hosts. A 503 carries
 * {@code Retry-After: 1}.
 */
public final class Problems {
    public static final String CONTENT_TYPE = ProblemDetails.CONTENT_TYPE;

    private Problems() {
    }

    public static int status(KmsException e) {
        return ProblemDetails.status(e);
    }

    public static String title(int status) {
        return ProblemDetails.title(status);
    }

    public static Buffer body(int status, String code, String detail, String requestId) {
        return Buffer.buffer(ProblemDetails.body(status, code, detail, requestId).toString());
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
