package io.kekvault.kmip.message;

import io.kekvault.kmip.error.InvalidRequestException;
import io.kekvault.kmip.error.KmsException;
import io.kekvault.kmip.ttlv.Tag;
import io.kekvault.kmip.ttlv.TtlvItem;
import io.kekvault.kmip.ttlv.TtlvStructure;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/** A Response Message: header and one item per answered request item. Immutable. */
public record ResponseMessage(ResponseHeader header, List<ResponseBatchItem> batchItems) {

    public ResponseMessage {
        Objects.requireNonNull(header, "header");
        batchItems = List.copyOf(batchItems);
    }

    public static ResponseMessage of(ResponseHeader header, ResponseBatchItem... items) {
        return new ResponseMessage(header, List.of(items));
    }

    /**
     * The answer to a request that could not be read at all (malformed, over a limit, unknown
     * version): one failed item without operation, as KMIP servers do.
     */
    public static ResponseMessage failure(ProtocolVersion version, Instant now, KmsException e) {
        return new ResponseMessage(ResponseHeader.of(version, now), List.of(ResponseBatchItem.failure((Integer) null, null, e)));
    }

    public ProtocolVersion protocolVersion() {
        return header.protocolVersion();
    }

    public TtlvStructure toTtlv() {
        return TtlvStructure.builder(Tag.RESPONSE_MESSAGE)
                .add(header.toTtlv(batchItems.size()))
                .addAll(batchItems.stream().map(ResponseBatchItem::toTtlv).toList())
                .build();
    }

    private static final Set<Tag> FIELDS = Set.of(Tag.RESPONSE_HEADER, Tag.BATCH_ITEM);

    /** Reads a response; the same strictness as {@link RequestMessage#fromTtlv}. */
    public static ResponseMessage fromTtlv(TtlvItem item) throws InvalidRequestException {
        if (!item.tag().equals(Tag.RESPONSE_MESSAGE)) {
            throw MessageFields.invalid("expected a ResponseMessage, got " + item.tag().name());
        }
        TtlvStructure s = item.asStructure();
        MessageFields f = new MessageFields("ResponseMessage", FIELDS, Set.of(Tag.BATCH_ITEM));
        for (TtlvItem c : s.children()) {
            f.check(c);
        }
        int[] count = new int[1];
        ResponseHeader header = ResponseHeader.fromTtlv(s.structure(Tag.RESPONSE_HEADER), count);
        List<ResponseBatchItem> items = new ArrayList<>();
        for (TtlvStructure b : s.structures(Tag.BATCH_ITEM)) {
            items.add(ResponseBatchItem.fromTtlv(b));
        }
        if (count[0] != items.size()) {
            throw MessageFields.invalid("BatchCount is " + count[0] + " but the message has " + items.size() + " batch items");
        }
        return new ResponseMessage(header, items);
    }
}
