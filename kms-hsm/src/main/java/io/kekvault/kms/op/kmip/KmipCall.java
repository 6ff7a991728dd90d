package io.kekvault.kms.op.kmip;

import io.kekvault.kmip.error.InvalidRequestException;
import io.kekvault.kmip.error.ResultReason;
import io.kekvault.kmip.message.ProtocolVersion;
import io.kekvault.kmip.ttlv.Tag;
import io.kekvault.kmip.ttlv.TtlvStructure;
import java.util.Objects;
import java.util.Optional;

/**
 * One batch item as a handler sees it: the request's protocol version (which decides the
 * attribute forms and the Result Reasons a client understands), the Request Payload, and the
 * batch it belongs to (ID Placeholder, undo log).
 */
public record KmipCall(ProtocolVersion version, TtlvStructure payload, KmipBatch batch) {

    public KmipCall {
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(payload, "payload");
        Objects.requireNonNull(batch, "batch");
    }

    /**
     * The payload's Unique Identifier or, when it has none, the ID Placeholder an earlier item of
     * the batch left (KMIP: Create then Get in one batch, the Get without identifier).
     */
    public String uniqueIdentifier() throws InvalidRequestException {
        Optional<String> uid = payload.optText(Tag.UNIQUE_IDENTIFIER);
        if (uid.isPresent()) {
            return uid.get();
        }
        return batch.idPlaceholder().orElseThrow(() -> new InvalidRequestException(ResultReason.MISSING_DATA,
                "the request names no Unique Identifier and no earlier batch item set the ID Placeholder", null));
    }
}
