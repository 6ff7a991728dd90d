package io.kekvault.kmip.message;

import io.kekvault.kmip.error.InvalidRequestException;
import io.kekvault.kmip.ttlv.KmipEnums;
import io.kekvault.kmip.ttlv.Tag;
import io.kekvault.kmip.ttlv.TtlvItem;
import io.kekvault.kmip.ttlv.TtlvStructure;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The Request Header. Optional fields are {@code null} when absent; the Batch Count is not a
 * field here: {@link RequestMessage} derives it from its batch items and checks it when reading.
 *
 * @param authentication the Authentication structure as received (credentials: never log it)
 */
public record RequestHeader(
        ProtocolVersion protocolVersion,
        Integer maximumResponseSize,
        String clientCorrelationValue,
        String serverCorrelationValue,
        Boolean asynchronousIndicator,
        Boolean attestationCapableIndicator,
        List<Integer> attestationTypes,
        TtlvStructure authentication,
        BatchErrorContinuationOption batchErrorContinuationOption,
        Boolean batchOrderOption,
        Instant timeStamp) {

    public RequestHeader {
        Objects.requireNonNull(protocolVersion, "protocolVersion");
        attestationTypes = attestationTypes == null ? List.of() : List.copyOf(attestationTypes);
    }

    /** A header with only the protocol version. */
    public static RequestHeader of(ProtocolVersion version) {
        return new RequestHeader(version, null, null, null, null, null, List.of(), null, null, null, null);
    }

    public RequestHeader withMaximumResponseSize(Integer v) {
        return new RequestHeader(protocolVersion, v, clientCorrelationValue, serverCorrelationValue, asynchronousIndicator,
                attestationCapableIndicator, attestationTypes, authentication, batchErrorContinuationOption, batchOrderOption, timeStamp);
    }

    public RequestHeader withClientCorrelationValue(String v) {
        return new RequestHeader(protocolVersion, maximumResponseSize, v, serverCorrelationValue, asynchronousIndicator,
                attestationCapableIndicator, attestationTypes, authentication, batchErrorContinuationOption, batchOrderOption, timeStamp);
    }

    public RequestHeader withBatchErrorContinuationOption(BatchErrorContinuationOption v) {
        return new RequestHeader(protocolVersion, maximumResponseSize, clientCorrelationValue, serverCorrelationValue, asynchronousIndicator,
                attestationCapableIndicator, attestationTypes, authentication, v, batchOrderOption, timeStamp);
    }

    public RequestHeader withBatchOrderOption(Boolean v) {
        return new RequestHeader(protocolVersion, maximumResponseSize, clientCorrelationValue, serverCorrelationValue, asynchronousIndicator,
                attestationCapableIndicator, attestationTypes, authentication, batchErrorContinuationOption, v, timeStamp);
    }

    public RequestHeader withTimeStamp(Instant v) {
        return new RequestHeader(protocolVersion, maximumResponseSize, clientCorrelationValue, serverCorrelationValue, asynchronousIndicator,
                attestationCapableIndicator, attestationTypes, authentication, batchErrorContinuationOption, batchOrderOption, v);
    }

    public RequestHeader withAuthentication(TtlvStructure v) {
        return new RequestHeader(protocolVersion, maximumResponseSize, clientCorrelationValue, serverCorrelationValue, asynchronousIndicator,
                attestationCapableIndicator, attestationTypes, v, batchErrorContinuationOption, batchOrderOption, timeStamp);
    }

    /** The encoded header, fields in specification order. */
    TtlvStructure toTtlv(int batchCount) {
        var b = TtlvStructure.builder(Tag.REQUEST_HEADER)
                .add(protocolVersion.toTtlv())
                .optInteger(Tag.MAXIMUM_RESPONSE_SIZE, maximumResponseSize)
                .optText(Tag.CLIENT_CORRELATION_VALUE, clientCorrelationValue)
                .optText(Tag.SERVER_CORRELATION_VALUE, serverCorrelationValue)
                .optBool(Tag.ASYNCHRONOUS_INDICATOR, asynchronousIndicator)
                .optBool(Tag.ATTESTATION_CAPABLE_INDICATOR, attestationCapableIndicator);
        for (int t : attestationTypes) {
            b.enumeration(Tag.ATTESTATION_TYPE, t);
        }
        return b.opt(authentication)
                .optEnumeration(Tag.BATCH_ERROR_CONTINUATION_OPTION, batchErrorContinuationOption)
                .optBool(Tag.BATCH_ORDER_OPTION, batchOrderOption)
                .optDateTime(Tag.TIME_STAMP, timeStamp)
                .integer(Tag.BATCH_COUNT, batchCount)
                .build();
    }

    private static final Set<Tag> FIELDS = Set.of(Tag.PROTOCOL_VERSION, Tag.MAXIMUM_RESPONSE_SIZE, Tag.CLIENT_CORRELATION_VALUE,
            Tag.SERVER_CORRELATION_VALUE, Tag.ASYNCHRONOUS_INDICATOR, Tag.ATTESTATION_CAPABLE_INDICATOR, Tag.ATTESTATION_TYPE,
            Tag.AUTHENTICATION, Tag.BATCH_ERROR_CONTINUATION_OPTION, Tag.BATCH_ORDER_OPTION, Tag.TIME_STAMP, Tag.BATCH_COUNT);

    /** Reads a header; returns it with the declared Batch Count in {@code batchCount[0]}. */
    static RequestHeader fromTtlv(TtlvStructure s, int[] batchCount) throws InvalidRequestException {
        MessageFields f = new MessageFields("RequestHeader", FIELDS, Set.of(Tag.ATTESTATION_TYPE));
        for (TtlvItem c : s.children()) {
            f.check(c);
        }
        List<Integer> attestation = new ArrayList<>(s.enumerations(Tag.ATTESTATION_TYPE));
        Integer beco = s.optEnumeration(Tag.BATCH_ERROR_CONTINUATION_OPTION).orElse(null);
        batchCount[0] = s.integer(Tag.BATCH_COUNT);
        return new RequestHeader(
                ProtocolVersion.fromTtlv(s.structure(Tag.PROTOCOL_VERSION)),
                s.optInteger(Tag.MAXIMUM_RESPONSE_SIZE).orElse(null),
                s.optText(Tag.CLIENT_CORRELATION_VALUE).orElse(null),
                s.optText(Tag.SERVER_CORRELATION_VALUE).orElse(null),
                s.optBool(Tag.ASYNCHRONOUS_INDICATOR).orElse(null),
                s.optBool(Tag.ATTESTATION_CAPABLE_INDICATOR).orElse(null),
                attestation,
                s.optStructure(Tag.AUTHENTICATION).orElse(null),
                beco == null ? null : KmipEnums.fromValue(BatchErrorContinuationOption.class, Tag.BATCH_ERROR_CONTINUATION_OPTION, beco),
                s.optBool(Tag.BATCH_ORDER_OPTION).orElse(null),
                s.optDateTime(Tag.TIME_STAMP).orElse(null));
    }
}
