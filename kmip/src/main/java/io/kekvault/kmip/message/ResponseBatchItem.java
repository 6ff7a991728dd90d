package io.kekvault.kmip.message;

import io.kekvault.kmip.error.InvalidRequestException;
import io.kekvault.kmip.error.KmsException;
import io.kekvault.kmip.error.ResultReason;
import io.kekvault.kmip.ttlv.Tag;
import io.kekvault.kmip.ttlv.TtlvItem;
import io.kekvault.kmip.ttlv.TtlvStructure;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * One response batch item: the result of one request item.
 *
 * @param operation     wire value of the operation, or null (a server may omit it on failures)
 * @param resultReason  required when the status is not Success; null otherwise
 * @param resultMessage client-safe text, or null
 * @param payload       the Response Payload (tag {@code ResponsePayload}), or null
 */
public record ResponseBatchItem(Integer operation, BatchItemId uniqueBatchItemId, ResultStatus resultStatus,
                                ResultReason resultReason, String resultMessage, byte[] asynchronousCorrelationValue,
                                TtlvStructure payload, List<TtlvStructure> messageExtensions) {

    public ResponseBatchItem {
        Objects.requireNonNull(resultStatus, "resultStatus");
        messageExtensions = messageExtensions == null ? List.of() : List.copyOf(messageExtensions);
        asynchronousCorrelationValue = asynchronousCorrelationValue == null ? null : asynchronousCorrelationValue.clone();
        if (payload != null && !payload.tag().equals(Tag.RESPONSE_PAYLOAD)) {
            payload = payload.withTag(Tag.RESPONSE_PAYLOAD);
        }
    }

    /** A Success item with {@code payload} (may be null for operations without one). */
    public static ResponseBatchItem success(Integer operation, BatchItemId id, TtlvStructure payload) {
        return new ResponseBatchItem(operation, id, ResultStatus.SUCCESS, null, null, null, payload, List.of());
    }

    public static ResponseBatchItem success(Operation operation, BatchItemId id, TtlvStructure payload) {
        return success(operation.value(), id, payload);
    }

    /**
     * An Operation Failed item carrying the exception's Result Reason and message. The message
     * of a {@link KmsException} is client-safe by contract; the cause is never sent.
     */
    public static ResponseBatchItem failure(Integer operation, BatchItemId id, KmsException e) {
        return new ResponseBatchItem(operation, id, ResultStatus.OPERATION_FAILED, e.reason(), e.getMessage(), null, null, List.of());
    }

    /** The failure item for {@code e} answering {@code request}. */
    public static ResponseBatchItem failure(RequestBatchItem request, KmsException e) {
        return failure(request.operation(), request.uniqueBatchItemId(), e);
    }

    public boolean isSuccess() {
        return resultStatus == ResultStatus.SUCCESS;
    }

    public Optional<Operation> knownOperation() {
        return operation == null ? Optional.empty() : Operation.fromValue(operation);
    }

    /** The typed exception for a failed item ({@link KmsException#fromReason}); empty on success. */
    public Optional<KmsException> toException() {
        if (isSuccess()) {
            return Optional.empty();
        }
        ResultReason r = resultReason != null ? resultReason : ResultReason.GENERAL_FAILURE;
        String m = resultMessage != null ? resultMessage
                : "operation " + knownOperation().map(Enum::name).orElse("?") + " " + resultStatus.name().toLowerCase(java.util.Locale.ROOT);
        return Optional.of(KmsException.fromReason(r, m));
    }

    /** The payload, or an empty Response Payload. */
    public TtlvStructure payloadOrEmpty() {
        return payload != null ? payload : TtlvStructure.builder(Tag.RESPONSE_PAYLOAD).build();
    }

    @Override
    public byte[] asynchronousCorrelationValue() {
        return asynchronousCorrelationValue == null ? null : asynchronousCorrelationValue.clone();
    }

    TtlvStructure toTtlv() {
        var b = TtlvStructure.builder(Tag.BATCH_ITEM);
        if (operation != null) {
            b.enumeration(Tag.OPERATION, operation);
        }
        b.optBytes(Tag.UNIQUE_BATCH_ITEM_ID, uniqueBatchItemId == null ? null : uniqueBatchItemId.bytes())
                .enumeration(Tag.RESULT_STATUS, resultStatus);
        if (resultReason != null) {
            b.enumeration(Tag.RESULT_REASON, resultReason.value());
        }
        return b.optText(Tag.RESULT_MESSAGE, resultMessage)
                .optBytes(Tag.ASYNCHRONOUS_CORRELATION_VALUE, asynchronousCorrelationValue)
                .opt(payload)
                .addAll(messageExtensions)
                .build();
    }

    private static final Set<Tag> FIELDS = Set.of(Tag.OPERATION, Tag.UNIQUE_BATCH_ITEM_ID, Tag.RESULT_STATUS, Tag.RESULT_REASON,
            Tag.RESULT_MESSAGE, Tag.ASYNCHRONOUS_CORRELATION_VALUE, Tag.RESPONSE_PAYLOAD, Tag.MESSAGE_EXTENSION);

    static ResponseBatchItem fromTtlv(TtlvStructure s) throws InvalidRequestException {
        MessageFields f = new MessageFields("BatchItem", FIELDS, Set.of(Tag.MESSAGE_EXTENSION));
        for (TtlvItem c : s.children()) {
            f.check(c);
        }
        ResultStatus status = s.enumeration(Tag.RESULT_STATUS, ResultStatus.class);
        Optional<Integer> reason = s.optEnumeration(Tag.RESULT_REASON);
        return new ResponseBatchItem(
                s.optEnumeration(Tag.OPERATION).orElse(null),
                s.optBytes(Tag.UNIQUE_BATCH_ITEM_ID).map(BatchItemId::of).orElse(null),
                status,
                reason.map(ResultReason::fromValue).orElse(null),
                s.optText(Tag.RESULT_MESSAGE).orElse(null),
                s.optBytes(Tag.ASYNCHRONOUS_CORRELATION_VALUE).orElse(null),
                s.optStructure(Tag.RESPONSE_PAYLOAD).orElse(null),
                s.structures(Tag.MESSAGE_EXTENSION));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ResponseBatchItem r && Objects.equals(operation, r.operation)
                && Objects.equals(uniqueBatchItemId, r.uniqueBatchItemId) && resultStatus == r.resultStatus
                && resultReason == r.resultReason && Objects.equals(resultMessage, r.resultMessage)
                && Arrays.equals(asynchronousCorrelationValue, r.asynchronousCorrelationValue)
                && Objects.equals(payload, r.payload) && messageExtensions.equals(r.messageExtensions);
    }

    @Override
    public int hashCode() {
        return Objects.hash(operation, uniqueBatchItemId, resultStatus, resultReason, resultMessage,
                Arrays.hashCode(asynchronousCorrelationValue), payload, messageExtensions);
    }

    @Override
    public String toString() {
        return "ResponseBatchItem[" + knownOperation().map(Enum::name).orElse(String.valueOf(operation)) + ", " + resultStatus
                + (resultReason != null ? ", " + resultReason : "") + "]";
    }
}
