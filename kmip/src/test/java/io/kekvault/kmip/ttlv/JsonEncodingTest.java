package io.kekvault.kmip.ttlv;

import io.kekvault.kmip.TestData;
import io.kekvault.kmip.error.InvalidRequestException;
import io.kekvault.kmip.error.KmsException;
import io.kekvault.kmip.message.RequestMessage;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.nio.file.Files;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JsonEncodingTest {

    /** The messages of the MSGENC-JSON vector go to JSON and back unchanged (and match the XML reading). */
    @Test
    void msgencJsonVector_roundTripsThroughJson() throws Exception {
        List<TtlvItem> messages;
        try (InputStream in = Files.newInputStream(TestData.resource("kmip-vectors/v1.4/MSGENC-JSON-M-1-14.xml"))) {
            messages = KmipXml.readAll(in, TextCodecOptions.VECTORS);
        }
        assertThat(messages).hasSize(4);
        for (TtlvItem m : messages) {
            String json = KmipJson.write(m);
            assertThat(KmipJson.read(json, TextCodecOptions.VECTORS)).isEqualTo(m);
            TtlvItem concrete = Placeholders.substitute(m, Placeholders.synthetic(Instant.parse("2024-01-01T00:00:00Z")));
            assertThat(KmipJson.read(KmipJson.write(concrete, true))).isEqualTo(concrete);
        }
        RequestMessage first = RequestMessage.fromTtlv(KmipJson.read(KmipJson.write(messages.getFirst())));
        assertThat(first.header().maximumResponseSize()).isEqualTo(256);
    }

    @Test
    void json_usesTheProfileSpelling() throws KmsException {
        TtlvItem item = TtlvItem.structure(Tag.REQUEST_PAYLOAD,
                TtlvItem.enumeration(Tag.QUERY_FUNCTION, 1),
                TtlvItem.integer(Tag.CRYPTOGRAPHIC_USAGE_MASK, 12),
                TtlvItem.integer(Tag.CRYPTOGRAPHIC_LENGTH, 256),
                TtlvItem.longInteger(Tag.USAGE_LIMITS_TOTAL, 1L << 60),
                TtlvItem.bytes(Tag.DATA, new byte[]{(byte) 0xCA, (byte) 0xFE}),
                TtlvItem.dateTime(Tag.ACTIVATION_DATE, Instant.parse("2024-01-02T03:04:05Z")),
                TtlvItem.text(Tag.of(0x540001), "ext"));
        String json = KmipJson.write(item);
        assertThat(json).isEqualTo("{\"tag\":\"RequestPayload\",\"value\":["
                + "{\"tag\":\"QueryFunction\",\"type\":\"Enumeration\",\"value\":\"QueryOperations\"},"
                + "{\"tag\":\"CryptographicUsageMask\",\"type\":\"Integer\",\"value\":\"Encrypt|Decrypt\"},"
                + "{\"tag\":\"CryptographicLength\",\"type\":\"Integer\",\"value\":256},"
                + "{\"tag\":\"UsageLimitsTotal\",\"type\":\"LongInteger\",\"value\":\"0x1000000000000000\"},"
                + "{\"tag\":\"Data\",\"type\":\"ByteString\",\"value\":\"cafe\"},"
                + "{\"tag\":\"ActivationDate\",\"type\":\"DateTime\",\"value\":\"2024-01-02T03:04:05+00:00\"},"
                + "{\"tag\":\"0x540001\",\"type\":\"TextString\",\"value\":\"ext\"}]}");
        assertThat(KmipJson.read(json)).isEqualTo(item);
        // hex spellings and numbers are accepted too
        assertThat(KmipJson.read("{\"tag\":\"QueryFunction\",\"type\":\"Enumeration\",\"value\":\"0x00000001\"}"))
                .isEqualTo(TtlvItem.enumeration(Tag.QUERY_FUNCTION, 1));
        assertThat(KmipJson.read("{\"tag\":\"CryptographicUsageMask\",\"type\":\"Integer\",\"value\":\"Decrypt Encrypt\"}"))
                .isEqualTo(TtlvItem.integer(Tag.CRYPTOGRAPHIC_USAGE_MASK, 12));
    }

    @Test
    void badJson_isRefusedAsInvalidMessage() {
        for (String bad : List.of("", "[", "{\"tag\":\"Nope\",\"type\":\"Integer\",\"value\":1}",
                "{\"tag\":\"CryptographicLength\",\"type\":\"Integer\",\"value\":1,\"value\":2}",
                "{\"tag\":\"CryptographicLength\",\"type\":\"Integer\",\"value\":4294967296}",
                "{\"tag\":\"CryptographicLength\",\"type\":\"Integer\",\"value\":\"many\"}",
                "{\"tag\":\"CryptographicLength\",\"type\":\"Integer\",\"value\":1,\"extra\":0}",
                "{\"tag\":\"RequestPayload\",\"value\":{}}",
                "{\"tag\":\"UniqueIdentifier\",\"type\":\"TextString\",\"value\":5}")) {
            assertThatThrownBy(() -> KmipJson.read(bad)).as(bad).isInstanceOf(InvalidRequestException.class);
        }
    }

    @Test
    void xml_refusesUnknownNamesAndBadValues() {
        for (String bad : List.of("<Nope type=\"Integer\" value=\"1\"/>",
                "<CryptographicLength type=\"Integer\" value=\"x\"/>",
                "<CryptographicAlgorithm type=\"Enumeration\" value=\"NotAnAlgorithm\"/>",
                "<ActivationDate type=\"DateTime\" value=\"yesterday\"/>",
                "<UniqueIdentifier type=\"TextString\"/>",
                "<RequestPayload>text</RequestPayload>",
                "<UniqueIdentifier type=\"TextString\" value=\"$UNIQUE_IDENTIFIER_0\"><X/></UniqueIdentifier>",
                "<ActivationDate type=\"DateTime\" value=\"$NOW\"/>")) {
            assertThatThrownBy(() -> KmipXml.read(bad)).as(bad).isInstanceOf(InvalidRequestException.class);
        }
    }

    @Test
    void xml_escapesAndRestoresAwkwardText() throws KmsException {
        TtlvItem t = TtlvItem.text(Tag.DESCRIPTION, "line1\nline2\t\"<&>\" \u00e9\ud83d\udd11");
        assertThat(KmipXml.read(KmipXml.write(t))).isEqualTo(t);
        assertThatThrownBy(() -> KmipXml.write(TtlvItem.text(Tag.DESCRIPTION, "\u0001")))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
