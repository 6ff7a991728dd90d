package io.kekvault.esxi.host;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kekvault.kmip.error.KmsException;
import io.kekvault.kmip.error.ProblemDetails;

/** problem+json for the host API: the KMS's table and format ({@link ProblemDetails}). */
public final class Problems {
    public static final String CONTENT_TYPE = ProblemDetails.CONTENT_TYPE;

    private Problems() {
    }

    public static int status(KmsException e) {
        return ProblemDetails.status(e);
    }

    public static ObjectNode body(int status, String code, String detail) {
        return ProblemDetails.body(status, code, detail, null);
    }

    public static ObjectNode body(KmsException e) {
        return body(status(e), e.errorCode(), e.getMessage());
    }
}
