package io.kekvault.kmip.ttlv;

import io.kekvault.kmip.TestData;
import io.kekvault.kmip.error.KmsException;
import io.kekvault.kmip.message.AttributeCodec;
import io.kekvault.kmip.message.KmipAttribute;
import io.kekvault.kmip.message.ProtocolVersion;
import io.kekvault.kmip.message.RequestBatchItem;
import io.kekvault.kmip.message.RequestMessage;
import io.kekvault.kmip.message.ResponseMessage;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Every OASIS KMIP 1.4 and 2.0 mandatory test vector file, through every codec and the message model. */
class VectorFilesTest {
    private static final Instant NOW = Instant.parse("2024-06-01T12:00:00Z");

    static List<Path> files() {
        return TestData.vectorFiles();
    }

    private static List<TtlvItem> read(Path file) throws Exception {
        try (InputStream in = Files.newInputStream(file)) {
            return KmipXml.readAll(in, TextCodecOptions.VECTORS);
        }
    }

    @ParameterizedTest
    @MethodSource("files")
    void vectorFile_parsesIntoRequestResponsePairs(Path file) throws Exception {
        List<TtlvItem> messages = read(file);
        assertThat(messages).isNotEmpty();
        assertThat(messages.size() % 2).isZero();
        for (int i = 0; i < messages.size(); i += 2) {
            assertThat(messages.get(i).tag()).isEqualTo(Tag.REQUEST_MESSAGE);
            assertThat(messages.get(i + 1).tag()).isEqualTo(Tag.RESPONSE_MESSAGE);
        }
    }

    /**
     * XML -> model -> binary TTLV -> model -> XML: with the placeholders substituted by stand-ins
     * for the binary leg, the result matches the original (placeholders by type), and the XML
     * written back reads to the very same tree.
     */
    @ParameterizedTest
    @MethodSource("files")
    void everyMessage_roundTripsThroughBinaryAndXml(Path file) throws Exception {
        for (TtlvItem original : read(file)) {
            TtlvItem concrete = Placeholders.substitute(original, Placeholders.synthetic(NOW));
            assertThat(Placeholders.containsPlaceholders(concrete)).isFalse();

            TtlvItem fromBinary = TtlvDecoder.decode(TtlvEncoder.encode(concrete));
            assertThat(fromBinary).isEqualTo(concrete);

            Object model = concrete.tag().equals(Tag.REQUEST_MESSAGE)
                    ? RequestMessage.fromTtlv(fromBinary) : ResponseMessage.fromTtlv(fromBinary);
            TtlvItem fromModel = model instanceof RequestMessage r ? r.toTtlv() : ((ResponseMessage) model).toTtlv();
            assertThat(fromModel).as("message model round trip of %s", file.getFileName()).isEqualTo(concrete);

            String xml = KmipXml.write(fromModel);
            TtlvItem back = KmipXml.read(xml, TextCodecOptions.STRICT);
            assertThat(back).isEqualTo(concrete);
            Map<String, TtlvItem> bindings = new HashMap<>();
            assertThat(TtlvMatcher.match(original, back, bindings)).as("%s", file.getFileName()).isEmpty();

            // the placeholder-preserving XML form also round trips unchanged
            assertThat(KmipXml.read(KmipXml.write(original), TextCodecOptions.VECTORS)).isEqualTo(original);
        }
    }

    /** The attribute containers of every request read into the neutral model and write back identically. */
    @ParameterizedTest
    @MethodSource("files")
    void attributesInRequests_roundTripThroughTheAttributeModel(Path file) throws Exception {
        int containers = 0;
        for (TtlvItem original : read(file)) {
            if (!original.tag().equals(Tag.REQUEST_MESSAGE)) {
                continue;
            }
            TtlvItem concrete = Placeholders.substitute(original, Placeholders.synthetic(NOW));
            RequestMessage m = RequestMessage.fromTtlv(concrete);
            ProtocolVersion v = m.protocolVersion();
            for (RequestBatchItem item : m.batchItems()) {
                for (TtlvItem c : item.payloadOrEmpty().children()) {
                    if (c.tag().equals(Tag.TEMPLATE_ATTRIBUTE) || c.tag().equals(Tag.ATTRIBUTES)) {
                        List<KmipAttribute> attrs = AttributeCodec.readContainer(c.asStructure());
                        assertThat(AttributeCodec.writeContainer(attrs, v)).isEqualTo(c);
                        containers++;
                    }
                }
            }
        }
        String text = Files.readString(file);
        boolean hasContainers = text.contains("<TemplateAttribute>") || text.contains("<Attributes>");
        if (hasContainers) {
            assertThat(containers).isPositive();
        } else {
            assertThat(containers).isZero();
        }
    }

    /** A vector's expected response compared with itself after a binary round trip binds every placeholder consistently. */
    @ParameterizedTest
    @MethodSource("files")
    void matcher_bindsPlaceholdersConsistentlyAcrossAFile(Path file) throws Exception {
        Map<String, TtlvItem> bindings = new HashMap<>();
        for (TtlvItem original : read(file)) {
            TtlvItem concrete = Placeholders.substitute(original, Placeholders.synthetic(NOW));
            assertThat(TtlvMatcher.match(original, concrete, bindings)).isEmpty();
        }
        for (Map.Entry<String, TtlvItem> e : bindings.entrySet()) {
            assertThat(e.getKey()).startsWith("$");
        }
    }

    @org.junit.jupiter.api.Test
    void matcher_reportsAMismatchWithItsPath() throws KmsException {
        TtlvItem expected = KmipXml.read("""
                <ResponsePayload>
                  <UniqueIdentifier type="TextString" value="$UNIQUE_IDENTIFIER_0"/>
                  <State type="Enumeration" value="Active"/>
                </ResponsePayload>""", TextCodecOptions.VECTORS);
        TtlvItem actual = TtlvItem.structure(Tag.RESPONSE_PAYLOAD, TtlvItem.text(Tag.UNIQUE_IDENTIFIER, "42"),
                TtlvItem.enumeration(Tag.STATE, 1));
        Map<String, TtlvItem> bindings = new HashMap<>();
        var m = TtlvMatcher.match(expected, actual, bindings);
        assertThat(m).hasValueSatisfying(x -> assertThat(x.toString()).isEqualTo("ResponsePayload/State[1]: expected Active, got PreActive"));
        assertThat(bindings).containsEntry("$UNIQUE_IDENTIFIER_0", TtlvItem.text(Tag.UNIQUE_IDENTIFIER, "42"));
        // a later request resolves the identifier learnt from the response
        TtlvItem request = KmipXml.read("<RequestPayload><UniqueIdentifier type=\"TextString\" value=\"$UNIQUE_IDENTIFIER_0\"/>"
                + "<ActivationDate type=\"DateTime\" value=\"$NOW-3600\"/></RequestPayload>", TextCodecOptions.VECTORS);
        TtlvStructure resolved = Placeholders.substitute(request, Placeholders.resolver(NOW, bindings)).asStructure();
        assertThat(resolved.text(Tag.UNIQUE_IDENTIFIER)).isEqualTo("42");
        assertThat(resolved.dateTime(Tag.ACTIVATION_DATE)).isEqualTo(NOW.minusSeconds(3600));
    }
}
