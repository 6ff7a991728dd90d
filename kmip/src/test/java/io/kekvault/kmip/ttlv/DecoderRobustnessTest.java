package io.kekvault.kmip.ttlv;

import io.kekvault.kmip.TestData;
import io.kekvault.kmip.error.InvalidRequestException;
import io.kekvault.kmip.error.KmsException;
import io.kekvault.kmip.error.LimitExceededException;
import io.kekvault.kmip.error.ResultReason;
import io.kekvault.kmip.message.RequestMessage;
import io.kekvault.kmip.message.ResponseMessage;
import org.assertj.core.api.ThrowableAssert;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

class DecoderRobustnessTest {
    private static final HexFormat HEX = HexFormat.of();

    private static byte[] vcenterCreate() {
        return TestData.vcenterRequests().stream().filter(r -> r.name().equals("CREATE")).findFirst().orElseThrow().bytes();
    }

    private static void assertInvalidMessage(ThrowableAssert.ThrowingCallable call, String messagePart) {
        assertThatThrownBy(call).isInstanceOfSatisfying(InvalidRequestException.class,
                e -> assertThat(e.reason()).isEqualTo(ResultReason.INVALID_MESSAGE)).hasMessageContaining(messagePart);
    }

    @Test
    void truncatedMessage_isRejectedAsInvalidMessage() {
        byte[] m = vcenterCreate();
        for (int len : new int[]{0, 3, 7, 8, 20, m.length / 2, m.length - 1}) {
            byte[] t = Arrays.copyOf(m, len);
            assertInvalidMessage(() -> TtlvDecoder.decode(t), len < 8 ? "truncated item header" : "declares");
        }
    }

    @Test
    void lengthPastTheEnd_isRejectedAsInvalidMessage() {
        byte[] m = vcenterCreate();
        ByteBuffer.wrap(m).putInt(4, m.length); // the message claims 8 bytes more than it has
        assertInvalidMessage(() -> TtlvDecoder.decode(m), "declares " + m.length + " bytes but only " + (m.length - 8) + " remain");
    }

    @Test
    void childLengthPastItsStructure_isRejectedAsInvalidMessage() {
        // RequestPayload of 8 bytes holding an Integer header that announces 4 bytes plus padding beyond it
        byte[] m = HEX.parseHex("4200790100000008" + "4200200200000004");
        assertInvalidMessage(() -> TtlvDecoder.decode(m), "declares 4 bytes but only 0 remain");
    }

    @Test
    void hundredLevelNesting_isRefusedAsLimitExceeded() {
        TtlvItem item = TtlvItem.integer(Tag.ATTRIBUTE_INDEX, 1);
        for (int i = 0; i < 100; i++) {
            item = TtlvItem.structure(Tag.ATTRIBUTE_VALUE, item);
        }
        byte[] bytes = TtlvEncoder.encode(item);
        assertThatThrownBy(() -> TtlvDecoder.decode(bytes)).isInstanceOf(LimitExceededException.class).hasMessageContaining("32 levels");
        String xml = KmipXml.write(item);
        assertThatThrownBy(() -> KmipXml.read(xml)).isInstanceOf(LimitExceededException.class);
        String json = KmipJson.write(item);
        assertThatThrownBy(() -> KmipJson.read(json)).isInstanceOf(LimitExceededException.class);
    }

    @Test
    void nestingAtTheLimit_isAccepted() throws KmsException {
        TtlvItem item = TtlvItem.integer(Tag.ATTRIBUTE_INDEX, 1);
        for (int i = 0; i < 32; i++) {
            item = TtlvItem.structure(Tag.ATTRIBUTE_VALUE, item);
        }
        assertThat(TtlvDecoder.decode(TtlvEncoder.encode(item))).isEqualTo(item);
    }

    @Test
    void wrongLengthForFixedType_isRejectedAsInvalidMessage() {
        // an Integer of 8 bytes, an Enumeration of 2, a Boolean of 4, a DateTime of 4
        assertInvalidMessage(() -> TtlvDecoder.decode(HEX.parseHex("42002002000000080000000000000001")), "it must be 4");
        assertInvalidMessage(() -> TtlvDecoder.decode(HEX.parseHex("42002005000000020001000000000000")), "it must be 4");
        assertInvalidMessage(() -> TtlvDecoder.decode(HEX.parseHex("42002006000000040000000100000000")), "it must be 8");
        assertInvalidMessage(() -> TtlvDecoder.decode(HEX.parseHex("42002009000000040000000100000000")), "it must be 8");
        assertInvalidMessage(() -> TtlvDecoder.decode(HEX.parseHex("42002004000000040000000100000000")), "multiple of 8");
    }

    @Test
    void badValues_areRejectedAsInvalidMessage() {
        assertInvalidMessage(() -> TtlvDecoder.decode(HEX.parseHex("42002006000000080000000000000002")), "must be 0 or 1");
        assertInvalidMessage(() -> TtlvDecoder.decode(HEX.parseHex("42002007000000020ffe000000000000")), "not valid UTF-8");
        assertInvalidMessage(() -> TtlvDecoder.decode(HEX.parseHex("42002007000000014100000000000001")), "non-zero padding");
        assertInvalidMessage(() -> TtlvDecoder.decode(HEX.parseHex("4200200c000000040000000100000000")), "unknown item type 0xc");
        assertInvalidMessage(() -> TtlvDecoder.decode(HEX.parseHex("12345602000000040000000100000000")), "outside the KMIP");
        assertInvalidMessage(() -> TtlvDecoder.decode(HEX.parseHex("420020020000000400000001000000004200200200000004")), "trailing bytes");
    }

    @Test
    void unknownTagsInRange_passThroughTheCodec() throws KmsException {
        byte[] m = HEX.parseHex("5400010200000004000000070000000042ffff0700000001410000000000000000");
        TtlvItem ext = TtlvDecoder.decode(Arrays.copyOf(m, 16));
        assertThat(ext).isEqualTo(TtlvItem.integer(Tag.of(0x540001), 7));
        TtlvItem unknown = TtlvDecoder.decode(Arrays.copyOfRange(m, 16, 32));
        assertThat(unknown.tag().isKnown()).isFalse();
        assertThat(KmipXml.write(unknown)).contains("<TTLV tag=\"0x42FFFF\" type=\"TextString\" value=\"A\"/>");
    }

    @Test
    void wrongItemTypesInAMessage_areTypedErrors() {
        // a RequestMessage whose RequestHeader is an Integer
        TtlvItem bad = TtlvItem.structure(Tag.REQUEST_MESSAGE, TtlvItem.integer(Tag.REQUEST_HEADER, 1));
        assertThatThrownBy(() -> RequestMessage.fromTtlv(TtlvDecoder.decode(TtlvEncoder.encode(bad))))
                .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.reason()).isEqualTo(ResultReason.INVALID_FIELD))
                .hasMessageContaining("RequestHeader must be a Structure");
    }

    /** A 2 GiB length in a header is refused before any allocation, by the framing reader and the decoder. */
    @Test
    void twoGibLengthHeader_isRefusedWithoutAllocating() {
        byte[] header = HEX.parseHex("4200780180000000");
        InputStream in = new ByteArrayInputStream(header);
        assertThatThrownBy(() -> new TtlvStreamReader(in, TtlvLimits.DEFAULT).readMessageBytes())
                .isInstanceOf(LimitExceededException.class).hasMessageContaining("2147483656 bytes");
        byte[] max = HEX.parseHex("42007801ffffffff");
        assertThatThrownBy(() -> new TtlvStreamReader(new ByteArrayInputStream(max), TtlvLimits.DEFAULT).readMessageBytes())
                .isInstanceOf(LimitExceededException.class);
        // in a message that fits the limit, the length is only trusted against the bytes present
        assertInvalidMessage(() -> TtlvDecoder.decode(header), "declares 2147483648 bytes");
    }

    @Test
    void streamReader_framesConsecutiveMessagesAndDetectsTruncation() throws Exception {
        byte[] a = vcenterCreate();
        byte[] b = TestData.vcenterRequests().getFirst().bytes();
        byte[] both = ByteBuffer.allocate(a.length + b.length).put(a).put(b).array();
        TtlvStreamReader r = new TtlvStreamReader(new ByteArrayInputStream(both), TtlvLimits.DEFAULT);
        assertThat(r.readMessageBytes()).hasValueSatisfying(m -> assertThat(m).isEqualTo(a));
        assertThat(r.readMessageBytes()).hasValueSatisfying(m -> assertThat(m).isEqualTo(b));
        assertThat(r.readMessageBytes()).isEmpty();
        TtlvStreamReader cut = new TtlvStreamReader(new ByteArrayInputStream(Arrays.copyOf(a, a.length - 3)), TtlvLimits.DEFAULT);
        assertInvalidMessage(cut::readMessageBytes, "stream ended inside a message");
        TtlvStreamReader notStruct = new TtlvStreamReader(new ByteArrayInputStream(HEX.parseHex("4200200200000004")), TtlvLimits.DEFAULT);
        assertInvalidMessage(notStruct::readMessageBytes, "must be a Structure");
    }

    @Test
    void itemLimit_isEnforced() {
        List<TtlvItem> many = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            many.add(TtlvItem.integer(Tag.ATTRIBUTE_INDEX, i));
        }
        byte[] bytes = TtlvEncoder.encode(TtlvItem.structure(Tag.ATTRIBUTE_VALUE, many));
        assertThatThrownBy(() -> TtlvDecoder.decode(bytes, TtlvLimits.DEFAULT.withMaxItems(20)))
                .isInstanceOf(LimitExceededException.class).hasMessageContaining("more than 20 items");
        assertThatThrownBy(() -> TtlvDecoder.decode(bytes, TtlvLimits.DEFAULT.withMaxMessageBytes(64)))
                .isInstanceOf(LimitExceededException.class);
    }

    @Test
    void xmlWithDoctypeOrEntities_isRefused() {
        String xxe = "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>"
                + "<ResultMessage type=\"TextString\" value=\"&e;\"/>";
        assertThatThrownBy(() -> KmipXml.read(xxe)).isInstanceOf(KmsException.class);
    }

    /**
     * Seeded mutation fuzz: thousands of mutated valid messages (bit flips, byte changes, length
     * edits, truncation, splices). Each must either be refused with a typed error or decode to
     * a tree that re-encodes and decodes to itself; the message parser must also only throw
     * typed errors. Any other exception fails the test with the seed and iteration.
     */
    @Test
    void mutatedMessages_yieldTypedErrorsOrValidTrees() {
        long seed = Long.getLong("kekvault.fuzz.seed", 0x4B4D4950L);
        System.out.println("DecoderRobustnessTest.mutatedMessages seed=" + seed);
        Random rnd = new Random(seed);
        List<byte[]> corpus = new ArrayList<>();
        TestData.vcenterRequests().forEach(r -> corpus.add(r.bytes()));
        corpus.add(TtlvEncoder.encode(sampleResponse()));
        int decoded = 0;
        int refused = 0;
        for (int i = 0; i < 5000; i++) {
            byte[] base = corpus.get(rnd.nextInt(corpus.size()));
            byte[] m = mutate(base, rnd);
            try {
                TtlvItem item = TtlvDecoder.decode(m);
                assertThat(TtlvDecoder.decode(TtlvEncoder.encode(item))).isEqualTo(item);
                decoded++;
                try {
                    if (item.tag().equals(Tag.REQUEST_MESSAGE)) {
                        RequestMessage.fromTtlv(item);
                    } else {
                        ResponseMessage.fromTtlv(item);
                    }
                } catch (KmsException expected) {
                    // typed
                }
            } catch (KmsException e) {
                assertThat(e).isInstanceOfAny(InvalidRequestException.class, LimitExceededException.class);
                refused++;
            } catch (RuntimeException | Error e) {
                fail("seed=" + seed + " iteration=" + i + " input=" + HEX.formatHex(m), e);
            }
        }
        assertThat(decoded).isPositive();
        assertThat(refused).isPositive();
    }

    /** The same for the text encodings: mutated XML and JSON only ever yield typed errors. */
    @Test
    void mutatedXmlAndJson_yieldTypedErrorsOrValidTrees() {
        long seed = Long.getLong("kekvault.fuzz.seed", 0x4B4D4950L);
        System.out.println("DecoderRobustnessTest.mutatedXmlAndJson seed=" + seed);
        Random rnd = new Random(seed);
        TtlvItem sample = sampleResponse();
        byte[] xml = KmipXml.write(sample).getBytes(StandardCharsets.UTF_8);
        byte[] json = KmipJson.write(sample).getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < 1500; i++) {
            boolean useXml = (i & 1) == 0;
            byte[] m = mutate(useXml ? xml : json, rnd);
            try {
                TtlvItem item = useXml ? KmipXml.read(new ByteArrayInputStream(m), TextCodecOptions.STRICT)
                        : KmipJson.read(new ByteArrayInputStream(m), TextCodecOptions.STRICT);
                assertThat(item.tag()).isNotNull();
            } catch (KmsException e) {
                assertThat(e).isInstanceOfAny(InvalidRequestException.class, LimitExceededException.class);
            } catch (RuntimeException | Error e) {
                fail("seed=" + seed + " iteration=" + i + " input=" + new String(m, StandardCharsets.UTF_8), e);
            }
        }
    }

    static TtlvItem sampleResponse() {
        return TtlvStructure.builder(Tag.RESPONSE_MESSAGE)
                .add(TtlvStructure.builder(Tag.RESPONSE_HEADER)
                        .add(TtlvItem.structure(Tag.PROTOCOL_VERSION, TtlvItem.integer(Tag.PROTOCOL_VERSION_MAJOR, 1),
                                TtlvItem.integer(Tag.PROTOCOL_VERSION_MINOR, 4)))
                        .dateTime(Tag.TIME_STAMP, Instant.parse("2024-05-01T10:00:00Z"))
                        .integer(Tag.BATCH_COUNT, 1).build())
                .add(TtlvStructure.builder(Tag.BATCH_ITEM)
                        .enumeration(Tag.OPERATION, 0x0B)
                        .enumeration(Tag.RESULT_STATUS, 0)
                        .add(TtlvStructure.builder(Tag.RESPONSE_PAYLOAD)
                                .text(Tag.UNIQUE_IDENTIFIER, "1f165d65-cbbd-4bd6-9867-80e0b390acf9")
                                .add(TtlvStructure.builder(Tag.ATTRIBUTE)
                                        .text(Tag.ATTRIBUTE_NAME, "Cryptographic Usage Mask")
                                        .integer(Tag.ATTRIBUTE_VALUE, 12).build())
                                .add(TtlvStructure.builder(Tag.ATTRIBUTE)
                                        .text(Tag.ATTRIBUTE_NAME, "x-Product_Version")
                                        .text(Tag.ATTRIBUTE_VALUE, "7.0.3 build-19480866").build())
                                .bytes(Tag.IV_COUNTER_NONCE, HEX.parseHex("000102030405060708090a0b"))
                                .longInteger(Tag.USAGE_LIMITS_TOTAL, 1L << 40)
                                .bool(Tag.RANDOM_IV, true)
                                .interval(Tag.LEASE_TIME, 3600)
                                .build())
                        .build())
                .build();
    }

    private static byte[] mutate(byte[] base, Random rnd) {
        byte[] m = base.clone();
        int kind = rnd.nextInt(7);
        switch (kind) {
            case 0 -> { // flip bits
                for (int k = 1 + rnd.nextInt(4); k > 0; k--) {
                    int p = rnd.nextInt(m.length);
                    m[p] ^= (byte) (1 << rnd.nextInt(8));
                }
            }
            case 1 -> m[rnd.nextInt(m.length)] = (byte) rnd.nextInt(256);
            case 2 -> { // rewrite a length field of some item header (offsets aligned to 8 in binary)
                int p = (rnd.nextInt(Math.max(1, m.length / 8)) * 8) + 4;
                if (p + 4 <= m.length) {
                    int v = switch (rnd.nextInt(4)) {
                        case 0 -> rnd.nextInt(64);
                        case 1 -> Integer.MAX_VALUE;
                        case 2 -> -1;
                        default -> ByteBuffer.wrap(m, p, 4).getInt() + rnd.nextInt(17) - 8;
                    };
                    ByteBuffer.wrap(m).putInt(p, v);
                }
            }
            case 3 -> m = Arrays.copyOf(m, rnd.nextInt(m.length)); // truncate
            case 4 -> { // duplicate a slice
                int a = rnd.nextInt(m.length);
                int b = Math.min(m.length, a + rnd.nextInt(32));
                byte[] out = new byte[m.length + (b - a)];
                System.arraycopy(m, 0, out, 0, b);
                System.arraycopy(m, a, out, b, m.length - a);
                m = out;
            }
            case 5 -> { // delete a slice
                int a = rnd.nextInt(m.length);
                int b = Math.min(m.length, a + rnd.nextInt(16));
                byte[] out = new byte[m.length - (b - a)];
                System.arraycopy(m, 0, out, 0, a);
                System.arraycopy(m, b, out, a, m.length - b);
                m = out;
            }
            default -> { // change a type byte
                int p = (rnd.nextInt(Math.max(1, m.length / 8)) * 8) + 3;
                if (p < m.length) {
                    m[p] = (byte) rnd.nextInt(16);
                }
            }
        }
        return m;
    }
}
