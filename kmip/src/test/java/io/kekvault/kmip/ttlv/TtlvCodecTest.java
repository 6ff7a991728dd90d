package io.kekvault.kmip.ttlv;

import io.kekvault.kmip.TestData;
import io.kekvault.kmip.error.InvalidRequestException;
import io.kekvault.kmip.error.KmsException;
import io.kekvault.kmip.error.ResultReason;
import io.kekvault.kmip.message.RequestMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.math.BigInteger;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TtlvCodecTest {
    private static final HexFormat HEX = HexFormat.of();
    private static final Tag T = Tag.COMPROMISE_DATE; // 0x420020, the tag of the specification's examples

    /** The encoding examples of the KMIP specification (section "TTLV Encoding Examples"). */
    @Test
    void primitives_encodeAsInTheSpecificationExamples() {
        assertThat(hex(TtlvItem.integer(T, 8))).isEqualTo("42002002000000040000000800000000");
        assertThat(hex(TtlvItem.longInteger(T, 123456789000000000L))).isEqualTo("420020030000000801b69b4ba5749200");
        assertThat(hex(TtlvItem.bigInteger(T, new BigInteger("1234567890000000000000000000")))).isEqualTo(
                "42002004000000100000000003fd35eb6bc2df4618080000");
        assertThat(hex(TtlvItem.enumeration(T, 255))).isEqualTo("4200200500000004000000ff00000000");
        assertThat(hex(TtlvItem.bool(T, true))).isEqualTo("42002006000000080000000000000001");
        assertThat(hex(TtlvItem.text(T, "Hello World"))).isEqualTo("420020070000000b48656c6c6f20576f726c640000000000");
        assertThat(hex(TtlvItem.bytes(T, new byte[]{1, 2, 3}))).isEqualTo("42002008000000030102030000000000");
        assertThat(hex(TtlvItem.dateTime(T, Instant.parse("2008-03-14T11:56:40Z")))).isEqualTo("42002009000000080000000047da67f8");
        assertThat(hex(TtlvItem.interval(T, 864000))).isEqualTo("4200200a00000004000d2f0000000000");
        assertThat(hex(TtlvItem.structure(T, TtlvItem.enumeration(Tag.APPLICATION_SPECIFIC_INFORMATION, 254),
                TtlvItem.integer(Tag.ARCHIVE_DATE, 255))))
                .isEqualTo("42002001000000204200040500000004000000fe000000004200050200000004000000ff00000000");
    }

    @Test
    void negativeBigInteger_isSignExtendedToEightBytes() throws KmsException {
        TtlvItem i = TtlvItem.bigInteger(T, BigInteger.valueOf(-1));
        assertThat(hex(i)).isEqualTo("4200200400000008ffffffffffffffff");
        assertThat(TtlvDecoder.decode(TtlvEncoder.encode(i))).isEqualTo(i);
    }

    @Test
    void dateTimeExtended_keepsMicroseconds() throws KmsException {
        TtlvItem i = TtlvItem.dateTimeExtended(T, Instant.parse("2020-01-02T03:04:05.123456Z"));
        assertThat(TtlvDecoder.decode(TtlvEncoder.encode(i))).isEqualTo(i);
        assertThat(i.asDateTimeExtended()).isEqualTo(Instant.parse("2020-01-02T03:04:05.123456Z"));
    }

    @Test
    void emptyTextAndBytes_encodeWithoutPadding() throws KmsException {
        assertThat(hex(TtlvItem.text(T, ""))).isEqualTo("4200200700000000");
        assertThat(TtlvDecoder.decode(HEX.parseHex("4200200800000000"))).isEqualTo(TtlvItem.bytes(T, new byte[0]));
    }

    @Test
    void encodedLength_matchesTheBytes() {
        TtlvItem s = TtlvItem.structure(Tag.REQUEST_PAYLOAD, TtlvItem.text(Tag.UNIQUE_IDENTIFIER, "abc"), TtlvItem.integer(T, 1));
        assertThat(TtlvEncoder.encodedLength(s)).isEqualTo(TtlvEncoder.encode(s).length);
    }

    @Test
    void placeholder_isRefusedByTheBinaryEncoder() {
        TtlvItem s = TtlvItem.structure(Tag.RESPONSE_HEADER, new TtlvPlaceholder(Tag.TIME_STAMP, ItemType.DATE_TIME, "$NOW"));
        assertThatThrownBy(() -> TtlvEncoder.encode(s)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("$NOW");
    }

    static List<TestData.VcenterRequest> vcenter() {
        return TestData.vcenterRequests();
    }

    /** Every request vCenter 7.0.3 sent decodes and re-encodes to the identical bytes. */
    @ParameterizedTest
    @MethodSource("vcenter")
    void vcenterRequest_reencodesByteIdentical(TestData.VcenterRequest r) throws KmsException {
        TtlvItem item = TtlvDecoder.decode(r.bytes());
        assertThat(TtlvEncoder.encode(item)).isEqualTo(r.bytes());
    }

    /** ...and through the message model too (header order, batch items, unique batch item ids). */
    @ParameterizedTest
    @MethodSource("vcenter")
    void vcenterRequest_throughTheMessageModel_reencodesByteIdentical(TestData.VcenterRequest r) throws KmsException {
        RequestMessage m = RequestMessage.fromTtlv(TtlvDecoder.decode(r.bytes()));
        assertThat(TtlvEncoder.encode(m.toTtlv())).isEqualTo(r.bytes());
        assertThat(m.protocolVersion().toString()).isEqualTo("1.1");
    }

    @Test
    void vcenterTrace_hasEveryRequestOfTheCapture() {
        assertThat(vcenter()).extracting(TestData.VcenterRequest::name).containsExactly(
                "DISCOVER_VERSIONS_1", "DISCOVER_VERSIONS_2", "QUERY", "CREATE", "GET_ATTRIBUTES", "ADD_ATTRIBUTE", "GET");
    }

    @Test
    void typedGetters_nameTheFieldInTheirErrors() {
        TtlvStructure s = TtlvItem.structure(Tag.REQUEST_PAYLOAD, TtlvItem.integer(Tag.UNIQUE_IDENTIFIER, 3));
        assertThatThrownBy(() -> s.text(Tag.UNIQUE_IDENTIFIER))
                .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.reason()).isEqualTo(ResultReason.INVALID_FIELD))
                .hasMessage("UniqueIdentifier must be a TextString, not a Integer");
        assertThatThrownBy(() -> s.text(Tag.OBJECT_TYPE))
                .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.reason()).isEqualTo(ResultReason.MISSING_DATA))
                .hasMessage("RequestPayload is missing the required ObjectType");
    }

    @Test
    void toString_neverShowsTextOrBytes() {
        TtlvStructure s = TtlvItem.structure(Tag.KEY_VALUE, TtlvItem.bytes(Tag.KEY_MATERIAL, HEX.parseHex("00112233445566778899")),
                TtlvItem.text(Tag.PASSWORD, "hunter2"));
        assertThat(s.toString()).doesNotContain("hunter2").doesNotContain("0011").contains("10 bytes");
    }

    private static String hex(TtlvItem item) {
        return HEX.formatHex(TtlvEncoder.encode(item));
    }
}
