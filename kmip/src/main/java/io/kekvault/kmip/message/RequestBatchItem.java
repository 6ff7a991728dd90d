package io.kekvault.kmip.message;

import io.kekvault.kmip.error.InvalidRequestException;
import io.kekvault.kmip.ttlv.Tag;
import io.kekvault.kmip.ttlv.TtlvItem;
import io.kekvault.kmip.ttlv.TtlvStructure;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * One request batch item. The operation is kept as its wire value so that a request for an
 * operation this library does not know still parses (the server then answers
 * {@code OPERATION_NOT_SUPPORTED} for that item); {@link #knownOperation()} gives the enum.
 *
 * @param payload the Request Payload structure (tag {@code RequestPayload}); null when absent
 */
public record RequestBatchItem(int operation, Boolean ephemeral, BatchItemId uniqueBatchItemId, TtlvStructure payload,
                               List<TtlvStructure> messageExtensions) {

    public RequestBatchItem {
        messageExtensions = messageExtensions == null ? List.of() : List.copyOf(messageExtensions);
        if (payload != null && !payload.tag().equals(Tag.REQUEST_PAYLOAD)) {
            payload = payload.withTag(Tag.REQUEST_PAYLOAD);
        }
    }

    public static RequestBatchItem of(Operation operation, BatchItemId id, TtlvStructure payload) {
        return new RequestBatchItem(operation.value(), null, id, payload, List.of());
    }

    public Optional<Operation> knownOperation() {
        return Operation.fromValue(operation);
    }

    /** The payload, or an empty Request Payload when the item had none. */
    public TtlvStructure payloadOrEmpty() {
        return payload != null ? payload : TtlvStructure.builder(Tag.REQUEST_PAYLOAD).build();
    }

    TtlvStructure toTtlv() {
        return TtlvStructure.builder(Tag.BATCH_ITEM)
                .enumeration(Tag.OPERATION, operation)
                .optBool(Tag.EPHEMERAL, ephemeral)
                .optBytes(Tag.UNIQUE_BATCH_ITEM_ID, uniqueBatchItemId == null ? null : uniqueBatchItemId.bytes())
                .opt(payload)
                .addAll(messageExtensions)
                .build();
    }

    private static final Set<Tag> FIELDS = Set.of(Tag.OPERATION, Tag.EPHEMERAL, Tag.UNIQUE_BATCH_ITEM_ID, Tag.REQUEST_PAYLOAD,
            Tag.MESSAGE_EXTENSION);

    static RequestBatchItem fromTtlv(TtlvStructure s) throws InvalidRequestException {
        MessageFields f = new MessageFields("BatchItem", FIELDS, Set.of(Tag.MESSAGE_EXTENSION));
        for (TtlvItem c : s.children()) {
            f.check(c);
        }
        return new RequestBatchItem(
                s.enumeration(Tag.OPERATION),
                s.optBool(Tag.EPHEMERAL).orElse(null),
                s.optBytes(Tag.UNIQUE_BATCH_ITEM_ID).map(BatchItemId::of).orElse(null),
                s.optStructure(Tag.REQUEST_PAYLOAD).orElse(null),
                s.structures(Tag.MESSAGE_EXTENSION));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RequestBatchItem r && operation == r.operation && Objects.equals(ephemeral, r.ephemeral)
                && Objects.equals(uniqueBatchItemId, r.uniqueBatchItemId) && Objects.equals(payload, r.payload)
                && messageExtensions.equals(r.messageExtensions);
    }

    @Override
    public int hashCode() {
        return Objects.hash(operation, ephemeral, uniqueBatchItemId, payload, messageExtensions);
    }
}
