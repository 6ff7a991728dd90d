package io.kekvault.kms.server.kmip;

import io.kekvault.kmip.error.InvalidRequestException;
import io.kekvault.kmip.error.KmsException;
import io.kekvault.kmip.error.LimitExceededException;
import io.kekvault.kmip.error.ResultReason;
import io.kekvault.kmip.error.UnsupportedException;
import io.kekvault.kmip.message.BatchErrorContinuationOption;
import io.kekvault.kmip.message.MessageEncoding;
import io.kekvault.kmip.message.Operation;
import io.kekvault.kmip.message.ProtocolVersion;
import io.kekvault.kmip.message.RequestBatchItem;
import io.kekvault.kmip.message.RequestMessage;
import io.kekvault.kmip.message.ResponseBatchItem;
import io.kekvault.kmip.message.ResponseHeader;
import io.kekvault.kmip.message.ResponseMessage;
import io.kekvault.kmip.message.ResultStatus;
import io.kekvault.kmip.ttlv.Tag;
import io.kekvault.kmip.ttlv.TtlvEncoder;
import io.kekvault.kmip.ttlv.TtlvItem;
import io.kekvault.kmip.ttlv.TtlvLimits;
import io.kekvault.kmip.ttlv.TtlvStructure;
import io.kekvault.kms.access.Caller;
import io.kekvault.kms.op.Dispatcher;
import io.kekvault.kms.op.OpContext;
import io.kekvault.kms.op.kmip.KmipBatch;
import io.kekvault.kms.op.kmip.KmipCall;
import io.kekvault.kms.op.kmip.KmipHandler;
import io.kekvault.kms.op.kmip.KmipHandlers;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One KMIP request message in, one response message out, whatever the transport (binary TTLV on
 * port 5696, XML or JSON at {@code POST /kmip}).
 *
 * <p>Guarantees: every batch item runs through the {@link Dispatcher} (timed and audited, allowed
 * or refused, unknown operations included); the response speaks the request's protocol version
 * (1.0 to 2.1) and only uses Result Reasons that version defines; every item is answered with its
 * Operation, Unique Batch Item ID, Result Status, Reason and Message; the Batch Error Continuation
 * Option is honoured (Stop by default: items after a failure are not run and not answered;
 * Continue; Undo: what earlier items did is taken back and they answer Operation Undone, except
 * Destroy, which cannot be undone). Input that cannot be read is answered with one failed item
 * and never throws.
 */
public final class KmipProcessor {
    private static final Logger log = LoggerFactory.getLogger(KmipProcessor.class);
    /** The version of answers to messages whose version cannot be read. */
    static final ProtocolVersion FALLBACK_VERSION = ProtocolVersion.V1_0;

    private final Dispatcher dispatcher;
    private final KmipHandlers handlers;
    private final Clock clock;
    private final TtlvLimits limits;

    public KmipProcessor(Dispatcher dispatcher, KmipHandlers handlers, Clock clock, TtlvLimits limits) {
        this.dispatcher = dispatcher;
        this.handlers = handlers;
        this.clock = clock;
        this.limits = limits;
    }

    public TtlvLimits limits() {
        return limits;
    }

    /** Decodes, runs and encodes one message; bad input gets a failure response, never an exception. */
    public byte[] handle(byte[] request, MessageEncoding encoding, Caller caller) {
        TtlvItem item;
        try {
            item = encoding.decodeItem(request, limits);
        } catch (KmsException e) {
            ProtocolVersion v = encoding == MessageEncoding.TTLV ? peekVersion(request).orElse(FALLBACK_VERSION) : FALLBACK_VERSION;
            return encoding.encode(refuse(v, caller, e));
        } catch (RuntimeException e) {
            log.warn("event=kmip_decoder_failed request={} error={}", caller.requestId(), e.toString());
            return encoding.encode(refuse(FALLBACK_VERSION, caller, new InvalidRequestException(ResultReason.INVALID_MESSAGE,
                    "the message cannot be decoded", null)));
        }
        RequestMessage message;
        try {
            message = RequestMessage.fromTtlv(item);
        } catch (KmsException e) {
            // Whatever is wrong with the message itself (a field of the wrong type, an unknown tag
            // in the header, a batch count that does not match) makes it an invalid message.
            KmsException invalid = e.reason() == ResultReason.INVALID_MESSAGE ? e
                    : new InvalidRequestException(ResultReason.INVALID_MESSAGE, "invalid request message: " + e.getMessage(), null);
            return encoding.encode(refuse(supported(ProtocolVersion.peek(item).orElse(FALLBACK_VERSION)), caller, invalid));
        }
        return encoding.encode(process(message, caller));
    }

    /**
     * The answer to a message refused as a whole (unreadable, over a limit, client not
     * authenticated): one failed item without operation, audited.
     */
    public ResponseMessage refuse(ProtocolVersion version, Caller caller, KmsException e) {
        dispatcher.refuse("KMIP", caller, e);
        ResultReason reason = KmipResults.forVersion(e.reason(), version);
        return new ResponseMessage(ResponseHeader.of(version, clock.instant()), List.of(new ResponseBatchItem(null, null,
                ResultStatus.OPERATION_FAILED, reason, e.getMessage(), null, null, List.of())));
    }

    /** Runs the items of a parsed request message. */
    public ResponseMessage process(RequestMessage request, Caller caller) {
        ProtocolVersion requested = request.protocolVersion();
        if (!ProtocolVersion.SUPPORTED.contains(requested)) {
            ProtocolVersion answer = supported(requested);
            return refuse(answer, caller, new UnsupportedException(ResultReason.UNSUPPORTED_PROTOCOL_VERSION,
                    "KMIP " + requested + " is not supported; this server speaks " + ProtocolVersion.SUPPORTED, null));
        }
        BatchErrorContinuationOption onError = request.header().batchErrorContinuationOption() == null
                ? BatchErrorContinuationOption.STOP : request.header().batchErrorContinuationOption();
        KmipBatch batch = new KmipBatch(onError == BatchErrorContinuationOption.UNDO);
        List<ResponseBatchItem> out = new ArrayList<>();
        List<RequestBatchItem> items = request.batchItems();
        for (int i = 0; i < items.size(); i++) {
            batch.begin(i);
            ResponseBatchItem r = run(items.get(i), requested, batch, caller);
            out.add(r);
            if (!r.isSuccess() && onError != BatchErrorContinuationOption.CONTINUE) {
                if (onError == BatchErrorContinuationOption.UNDO) {
                    undo(batch, out, items, caller);
                }
                break;
            }
        }
        ResponseMessage response = new ResponseMessage(ResponseHeader.of(requested, clock.instant()), out);
        Integer max = request.header().maximumResponseSize();
        if (max != null) {
            long size = TtlvEncoder.encodedLength(response.toTtlv());
            if (size > max) {
                response = tooLarge(response, size, max, requested);
            }
        }
        return response;
    }

    private ResponseBatchItem run(RequestBatchItem item, ProtocolVersion version, KmipBatch batch, Caller caller) {
        Optional<Operation> op = item.knownOperation();
        Optional<KmipHandler> handler = op.flatMap(handlers::handler);
        try {
            if (handler.isEmpty()) {
                String name = op.map(o -> "Operation " + o.name()).orElse("Operation 0x" + Integer.toHexString(item.operation()));
                UnsupportedException e = new UnsupportedException(ResultReason.OPERATION_NOT_SUPPORTED,
                        name + " is not supported by this server", null);
                dispatcher.refuse(op.map(Enum::name).orElse("UnknownOperation"), caller, e);
                throw e;
            }
            for (TtlvStructure ext : item.messageExtensions()) {
                if (ext.optBool(Tag.CRITICALITY_INDICATOR).orElse(false)) {
                    UnsupportedException e = new UnsupportedException(ResultReason.UNKNOWN_MESSAGE_EXTENSION,
                            "a critical message extension is not supported", null);
                    dispatcher.refuse(handler.get().name(), caller, e);
                    throw e;
                }
            }
            if (Boolean.TRUE.equals(item.ephemeral())) {
                UnsupportedException e = new UnsupportedException(ResultReason.FEATURE_NOT_SUPPORTED,
                        "ephemeral objects are not supported", null);
                dispatcher.refuse(handler.get().name(), caller, e);
                throw e;
            }
            TtlvStructure payload = dispatcher.runParsed(handler.get(), caller,
                    () -> new KmipCall(version, item.payloadOrEmpty(), batch));
            return new ResponseBatchItem(item.operation(), item.uniqueBatchItemId(), ResultStatus.SUCCESS, null, null, null,
                    payload, List.of());
        } catch (KmsException e) {
            return new ResponseBatchItem(item.operation(), item.uniqueBatchItemId(), ResultStatus.OPERATION_FAILED,
                    KmipResults.forVersion(e.reason(), version), e.getMessage(), null, null, List.of());
        }
    }

    /** Takes back what the earlier items of an Undo batch did, newest first; they answer Operation Undone. */
    private void undo(KmipBatch batch, List<ResponseBatchItem> out, List<RequestBatchItem> items, Caller caller) {
        java.util.Set<Integer> undone = new java.util.HashSet<>();
        java.util.Set<Integer> failed = new java.util.HashSet<>();
        for (KmipBatch.UndoEntry u : batch.undoLog()) {
            if (u.item() >= out.size() - 1) {
                continue; // the failed item itself changed nothing
            }
            try {
                dispatcher.run(new UndoOperation(u), caller, u);
                undone.add(u.item());
            } catch (KmsException e) {
                failed.add(u.item());
                log.error("event=kmip_undo_failed request={} item={} key={} code={}", caller.requestId(), u.item(), u.keyId(),
                        e.errorCode());
            }
        }
        for (int i = 0; i < out.size() - 1; i++) {
            ResponseBatchItem r = out.get(i);
            if (r.isSuccess() && undone.contains(i) && !failed.contains(i)) {
                out.set(i, new ResponseBatchItem(r.operation(), r.uniqueBatchItemId(), ResultStatus.OPERATION_UNDONE, null,
                        null, null, null, List.of()));
            } else if (r.isSuccess() && !isReadOnly(items.get(i))) {
                log.warn("event=kmip_item_not_undone request={} item={} operation={}", caller.requestId(), i,
                        items.get(i).knownOperation().map(Enum::name).orElse("?"));
            }
        }
    }

    private static boolean isReadOnly(RequestBatchItem item) {
        return item.knownOperation().map(io.kekvault.kmip.client.KmipClient.IDEMPOTENT::contains).orElse(false);
    }

    /** An undo action, run (and audited) like an operation. */
    private record UndoOperation(KmipBatch.UndoEntry entry) implements io.kekvault.kms.op.Operation<KmipBatch.UndoEntry, Void> {
        @Override
        public String name() {
            return "Undo";
        }

        @Override
        public Void handle(OpContext ctx, KmipBatch.UndoEntry u) throws KmsException {
            ctx.auditKey(u.keyId());
            ctx.auditDetail("item=" + u.item());
            u.action().run();
            return null;
        }
    }

    private static ResponseMessage tooLarge(ResponseMessage response, long size, int max, ProtocolVersion v) {
        List<ResponseBatchItem> items = new ArrayList<>();
        for (ResponseBatchItem r : response.batchItems()) {
            items.add(r.isSuccess() ? new ResponseBatchItem(r.operation(), r.uniqueBatchItemId(), ResultStatus.OPERATION_FAILED,
                    KmipResults.forVersion(ResultReason.RESPONSE_TOO_LARGE, v), "the response would be " + size
                    + " bytes; the request allows " + max, null, null, List.of()) : r);
        }
        return new ResponseMessage(response.header(), items);
    }

    /** A supported version to answer a request of {@code v} in: itself, else the nearest one below. */
    static ProtocolVersion supported(ProtocolVersion v) {
        if (ProtocolVersion.SUPPORTED.contains(v)) {
            return v;
        }
        for (ProtocolVersion s : ProtocolVersion.SUPPORTED) { // newest first
            if (s.compareTo(v) < 0) {
                return s;
            }
        }
        return FALLBACK_VERSION;
    }

    /**
     * The protocol version of a binary request that may not decode as a whole, read at the fixed
     * offsets every well-formed KMIP request shares (message, header, Protocol Version, Major,
     * Minor), each checked before it is used.
     */
    public static Optional<ProtocolVersion> peekVersion(byte[] m) {
        if (m.length < 56) {
            return Optional.empty();
        }
        boolean ok = tagAt(m, 0) == Tag.REQUEST_MESSAGE.value() && tagAt(m, 8) == Tag.REQUEST_HEADER.value()
                && tagAt(m, 16) == Tag.PROTOCOL_VERSION.value() && intAt(m, 20) == 32
                && tagAt(m, 24) == Tag.PROTOCOL_VERSION_MAJOR.value() && (m[27] & 0xFF) == 0x02 && intAt(m, 28) == 4
                && tagAt(m, 40) == Tag.PROTOCOL_VERSION_MINOR.value() && (m[43] & 0xFF) == 0x02 && intAt(m, 44) == 4;
        if (!ok) {
            return Optional.empty();
        }
        return Optional.of(supported(new ProtocolVersion(intAt(m, 32), intAt(m, 48))));
    }

    private static int tagAt(byte[] m, int p) {
        return ((m[p] & 0xFF) << 16) | ((m[p + 1] & 0xFF) << 8) | (m[p + 2] & 0xFF);
    }

    private static int intAt(byte[] m, int p) {
        return ((m[p] & 0xFF) << 24) | ((m[p + 1] & 0xFF) << 16) | ((m[p + 2] & 0xFF) << 8) | (m[p + 3] & 0xFF);
    }

    /** A message over the size limit, refused from its header alone. */
    public ResponseMessage tooLong(long declared, Caller caller) {
        return refuse(FALLBACK_VERSION, caller, new LimitExceededException(ResultReason.SERVER_LIMIT_EXCEEDED,
                "message of " + declared + " bytes exceeds the limit of " + limits.maxMessageBytes() + " bytes", null));
    }
}
