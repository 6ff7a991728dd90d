package io.kekvault.kmip.message;

import io.kekvault.kmip.error.InvalidRequestException;
import io.kekvault.kmip.ttlv.Tag;
import io.kekvault.kmip.ttlv.TtlvItem;
import io.kekvault.kmip.ttlv.TtlvStructure;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/** A Request Message: header and at least one batch item. Immutable. */
public record RequestMessage(RequestHeader header, List<RequestBatchItem> batchItems) {

    public RequestMessage {
        Objects.requireNonNull(header, "header");
        batchItems = List.copyOf(batchItems);
        if (batchItems.isEmpty()) {
            throw new IllegalArgumentException("a request has at least one batch item");
        }
    }

    public static RequestMessage of(RequestHeader header, RequestBatchItem... items) {
        return new RequestMessage(header, List.of(items));
    }

    public ProtocolVersion protocolVersion() {
        return header.protocolVersion();
    }

    /** The TTLV tree, Batch Count derived from the items. */
    public TtlvStructure toTtlv() {
        return TtlvStructure.builder(Tag.REQUEST_MESSAGE)
                .add(header.toTtlv(batchItems.size()))
                .addAll(batchItems.stream().map(RequestBatchItem::toTtlv).toList())
                .build();
    }

    private static final Set<Tag> FIELDS = Set.of(Tag.REQUEST_HEADER, Tag.BATCH_ITEM);

    /**
     * Reads a request. Unknown or repeated header fields, a Batch Count that differs from the
     * number of items, or a missing item are {@code INVALID_MESSAGE}; a header field of the wrong
     * type is {@code INVALID_FIELD}. Payloads are not interpreted here.
     */
    public static RequestMessage fromTtlv(TtlvItem item) throws InvalidRequestException {
        if (!item.tag().equals(Tag.REQUEST_MESSAGE)) {
            throw MessageFields.invalid("expected a RequestMessage, got " + item.tag().name());
        }
        TtlvStructure s = item.asStructure();
        MessageFields f = new MessageFields("RequestMessage", FIELDS, Set.of(Tag.BATCH_ITEM));
        for (TtlvItem c : s.children()) {
            f.check(c);
        }
        if (s.children().isEmpty() || !s.children().getFirst().tag().equals(Tag.REQUEST_HEADER)) {
            throw MessageFields.invalid("a RequestMessage starts with its RequestHeader");
        }
        int[] count = new int[1];
        RequestHeader header = RequestHeader.fromTtlv(s.structure(Tag.REQUEST_HEADER), count);
        List<RequestBatchItem> items = new ArrayList<>();
        for (TtlvStructure b : s.structures(Tag.BATCH_ITEM)) {
            items.add(RequestBatchItem.fromTtlv(b));
        }
        if (items.isEmpty()) {
            throw MessageFields.invalid("a RequestMessage has at least one BatchItem");
        }
        if (count[0] != items.size()) {
            throw MessageFields.invalid("BatchCount is " + count[0] + " but the message has " + items.size() + " batch items");
        }
        return new RequestMessage(header, items);
    }
}
