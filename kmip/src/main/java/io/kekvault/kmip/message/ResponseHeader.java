package io.kekvault.kmip.message;

import io.kekvault.kmip.error.InvalidRequestException;
import io.kekvault.kmip.ttlv.Tag;
import io.kekvault.kmip.ttlv.TtlvItem;
import io.kekvault.kmip.ttlv.TtlvStructure;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The Response Header; optional fields are {@code null} when absent, the Batch Count is derived by
 * {@link ResponseMessage}. The Time Stamp is required by the specification; {@link #of} sets it.
 */
public record ResponseHeader(
        ProtocolVersion protocolVersion,
        Instant timeStamp,
        TtlvStructure nonce,
        byte[] serverHashedPassword,
        List<Integer> attestationTypes,
        String clientCorrelationValue,
        String serverCorrelationValue) {

    public ResponseHeader {
        Objects.requireNonNull(protocolVersion, "protocolVersion");
        attestationTypes = attestationTypes == null ? List.of() : List.copyOf(attestationTypes);
        serverHashedPassword = serverHashedPassword == null ? null : serverHashedPassword.clone();
    }

    /** A header for {@code version} stamped with {@code now} (seconds precision). */
    public static ResponseHeader of(ProtocolVersion version, Instant now) {
        return new ResponseHeader(version, Instant.ofEpochSecond(now.getEpochSecond()), null, null, List.of(), null, null);
    }

    /** Echoes the request's correlation values, as a server should. */
    public ResponseHeader withCorrelationValues(String client, String server) {
        return new ResponseHeader(protocolVersion, timeStamp, nonce, serverHashedPassword, attestationTypes, client, server);
    }

    @Override
    public byte[] serverHashedPassword() {
        return serverHashedPassword == null ? null : serverHashedPassword.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ResponseHeader h && protocolVersion.equals(h.protocolVersion) && Objects.equals(timeStamp, h.timeStamp)
                && Objects.equals(nonce, h.nonce) && java.util.Arrays.equals(serverHashedPassword, h.serverHashedPassword)
                && attestationTypes.equals(h.attestationTypes) && Objects.equals(clientCorrelationValue, h.clientCorrelationValue)
                && Objects.equals(serverCorrelationValue, h.serverCorrelationValue);
    }

    @Override
    public int hashCode() {
        return Objects.hash(protocolVersion, timeStamp, nonce, java.util.Arrays.hashCode(serverHashedPassword), attestationTypes,
                clientCorrelationValue, serverCorrelationValue);
    }

    @Override
    public String toString() {
        return "ResponseHeader[" + protocolVersion + ", " + timeStamp + "]";
    }

    TtlvStructure toTtlv(int batchCount) {
        var b = TtlvStructure.builder(Tag.RESPONSE_HEADER)
                .add(protocolVersion.toTtlv())
                .optDateTime(Tag.TIME_STAMP, timeStamp)
                .opt(nonce)
                .optBytes(Tag.SERVER_HASHED_PASSWORD, serverHashedPassword);
        for (int t : attestationTypes) {
            b.enumeration(Tag.ATTESTATION_TYPE, t);
        }
        return b.optText(Tag.CLIENT_CORRELATION_VALUE, clientCorrelationValue)
                .optText(Tag.SERVER_CORRELATION_VALUE, serverCorrelationValue)
                .integer(Tag.BATCH_COUNT, batchCount)
                .build();
    }

    private static final Set<Tag> FIELDS = Set.of(Tag.PROTOCOL_VERSION, Tag.TIME_STAMP, Tag.NONCE, Tag.SERVER_HASHED_PASSWORD,
            Tag.ATTESTATION_TYPE, Tag.CLIENT_CORRELATION_VALUE, Tag.SERVER_CORRELATION_VALUE, Tag.BATCH_COUNT);

    static ResponseHeader fromTtlv(TtlvStructure s, int[] batchCount) throws InvalidRequestException {
        MessageFields f = new MessageFields("ResponseHeader", FIELDS, Set.of(Tag.ATTESTATION_TYPE));
        for (TtlvItem c : s.children()) {
            f.check(c);
        }
        batchCount[0] = s.integer(Tag.BATCH_COUNT);
        return new ResponseHeader(
                ProtocolVersion.fromTtlv(s.structure(Tag.PROTOCOL_VERSION)),
                s.optDateTime(Tag.TIME_STAMP).orElse(null),
                s.optStructure(Tag.NONCE).orElse(null),
                s.optBytes(Tag.SERVER_HASHED_PASSWORD).orElse(null),
                new ArrayList<>(s.enumerations(Tag.ATTESTATION_TYPE)),
                s.optText(Tag.CLIENT_CORRELATION_VALUE).orElse(null),
                s.optText(Tag.SERVER_CORRELATION_VALUE).orElse(null));
    }
}
