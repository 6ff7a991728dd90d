package io.kekvault.kms.server.kmip;

import static io.kekvault.kms.testkit.KmipWire.payload;
import static org.assertj.core.api.Assertions.assertThat;

import io.kekvault.kmip.client.ConnectionMode;
import io.kekvault.kmip.client.KmipClient;
import io.kekvault.kmip.error.ResultReason;
import io.kekvault.kmip.message.AttributeKey;
import io.kekvault.kmip.message.BatchItemId;
import io.kekvault.kmip.message.CryptographicAlgorithm;
import io.kekvault.kmip.message.CryptographicParameters;
import io.kekvault.kmip.message.KmipAttribute;
import io.kekvault.kmip.message.ManagedObjects;
import io.kekvault.kmip.message.ObjectType;
import io.kekvault.kmip.message.Operation;
import io.kekvault.kmip.message.Payloads;
import io.kekvault.kms.op.KmsServices;
import io.kekvault.kmip.message.ProtocolVersion;
import io.kekvault.kmip.message.QueryFunction;
import io.kekvault.kmip.message.RequestBatchItem;
import io.kekvault.kmip.message.RequestHeader;
import io.kekvault.kmip.message.RequestMessage;
import io.kekvault.kmip.message.ResponseBatchItem;
import io.kekvault.kmip.message.ResponseMessage;
import io.kekvault.kmip.message.ResultStatus;
import io.kekvault.kmip.ttlv.Tag;
import io.kekvault.kmip.ttlv.TtlvEncoder;
import io.kekvault.kmip.ttlv.TtlvItem;
import io.kekvault.kmip.ttlv.TtlvStructure;
import io.kekvault.kms.testkit.KmipWire;
import io.kekvault.kms.testkit.KmsTestEnv;
import io.kekvault.kms.testkit.SoftHsmExtension;
import io.kekvault.kms.testkit.SoftHsmToken;
import io.kekvault.secret.SecretBytes;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Bad input never crashes or wedges the KMIP server. Hand-written cases (truncated message,
 * length past the end, 100-level nesting, wrong item types, unknown tags, a 2 GiB length header,
 * a header that is not a Structure) and seeded mutation fuzzing of real requests over real TLS
 * sockets: every message is answered with a KMIP failure (Invalid Message for the malformed ones)
 * or the connection is closed, and a well-behaved client working concurrently for the whole class
 * never sees a failure. Messages are limited to 64 KiB and half-sent ones time out after 3 s here.
 */
@ExtendWith(SoftHsmExtension.class)
class KmipRobustnessTest {
    static final int MAX_MESSAGE = 64 * 1024;
    static final int FUZZ_CASES = 400;
    static final long SEED = Long.getLong("kekvault.test.seed", System.nanoTime());

    static KmsTestEnv env;
    static SSLContext ssl;
    static String keyId;
    static final AtomicBoolean canaryStop = new AtomicBoolean();
    static final AtomicLong canaryRounds = new AtomicLong();
    static final AtomicReference<Throwable> canaryFailure = new AtomicReference<>();
    static Thread canary;
    static final Object canaryProgress = new Object();

    @BeforeAll
    static void start(SoftHsmToken token) throws Exception {
        System.out.println("[kmip-robustness] seed=" + SEED);
        env = KmsTestEnv.prepare(token, "", "  idle-timeout-seconds: 3\n  max-message-bytes: " + MAX_MESSAGE).start();
        ssl = env.tls("kmip-client").sslContext();
        try (KmipClient c = env.kmipClient("kmip-client", ProtocolVersion.V1_4, ConnectionMode.POOLED)) {
            keyId = c.createAes256(List.of(KmipAttribute.dateTime(Tag.ACTIVATION_DATE, java.time.Instant.now().minusSeconds(5))));
        }
        canary = Thread.ofPlatform().name("kmip-canary").start(KmipRobustnessTest::canary);
        waitForCanary(1);
    }

    /** A well-behaved client (another identity, its own key) working while the bad input arrives. */
    static void canary() {
        try (KmipClient c = env.kmipClient("admin", ProtocolVersion.V2_0, ConnectionMode.POOLED)) {
            String id = c.createAes256(List.of(KmipAttribute.dateTime(Tag.ACTIVATION_DATE, java.time.Instant.now().minusSeconds(5))));
            byte[] dek = new byte[32];
            while (!canaryStop.get()) {
                KmipClient.EncryptResult e = c.encrypt(id, dek, CryptographicParameters.aesGcm(), null, null);
                try (SecretBytes back = c.decrypt(id, e.data(), CryptographicParameters.aesGcm(), e.ivCounterNonce(), null,
                        e.authenticatedEncryptionTag())) {
                    if (!Arrays.equals(back.expose(), dek)) {
                        throw new AssertionError("canary round trip returned other bytes");
                    }
                }
                canaryRounds.incrementAndGet();
                synchronized (canaryProgress) {
                    canaryProgress.notifyAll();
                }
            }
        } catch (Throwable t) {
            canaryFailure.set(t);
            synchronized (canaryProgress) {
                canaryProgress.notifyAll();
            }
        }
    }

    /** Waits (bounded) until the canary has done {@code more} rounds beyond now; fails if it failed. */
    static void waitForCanary(long more) throws InterruptedException {
        long target = canaryRounds.get() + more;
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        synchronized (canaryProgress) {
            while (canaryRounds.get() < target && canaryFailure.get() == null) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                canaryProgress.wait(Math.max(1, left / 1_000_000));
            }
        }
        assertThat(canaryFailure.get()).as("the concurrent well-behaved client").isNull();
        assertThat(canaryRounds.get()).as("the concurrent client kept being served").isGreaterThanOrEqualTo(target);
    }

    @AfterAll
    static void stop() throws Exception {
        canaryStop.set(true);
        if (canary != null) {
            canary.join(60_000);
        }
        try {
            assertThat(canaryFailure.get()).as("the concurrent well-behaved client").isNull();
        } finally {
            env.close();
        }
    }

    // ------------------------------------------------------------------ helpers

    static byte[] bytes(RequestMessage m) {
        return TtlvEncoder.encode(m.toTtlv());
    }

    static RequestMessage query14() {
        return KmipWire.request(ProtocolVersion.V1_4, Operation.QUERY,
                payload().enumeration(Tag.QUERY_FUNCTION, QueryFunction.QUERY_OBJECTS).build());
    }

    static KmipWire connect() throws IOException {
        return KmipWire.connect(ssl, env.kmipPort(), Duration.ofSeconds(20));
    }

    /** Sends {@code bad}; the answer must be one failed item with {@code reason}. */
    static void assertAnswered(KmipWire w, byte[] bad, ResultReason reason) throws Exception {
        w.send(bad);
        ResponseMessage r = w.receive().orElseThrow(() -> new AssertionError("closed without an answer"));
        assertThat(r.batchItems()).singleElement().satisfies(i -> {
            assertThat(i.resultStatus()).isEqualTo(ResultStatus.OPERATION_FAILED);
            assertThat(i.resultReason()).isEqualTo(reason);
        });
    }

    /** The connection still serves a good request after the bad one (framing was intact). */
    static void assertStillServes(KmipWire w) throws Exception {
        assertThat(w.exchange(query14()).batchItems().getFirst().isSuccess()).isTrue();
    }

    static void setInt(byte[] b, int at, long v) {
        b[at] = (byte) (v >>> 24);
        b[at + 1] = (byte) (v >>> 16);
        b[at + 2] = (byte) (v >>> 8);
        b[at + 3] = (byte) v;
    }

    // ------------------------------------------------------------------ hand-written cases

    @Test
    void truncatedMessage_withConsistentFrame_isInvalidMessage_andTheConnectionGoesOn() throws Exception {
        byte[] full = bytes(query14());
        byte[] cut = Arrays.copyOf(full, full.length - 16);
        setInt(cut, 4, cut.length - 8); // the frame says what was sent; the last item inside is cut
        try (KmipWire w = connect()) {
            assertAnswered(w, cut, ResultReason.INVALID_MESSAGE);
            assertStillServes(w);
        }
        waitForCanary(3);
    }

    /** Found by the mutation fuzzer (seed 26553722201415): the record's own check crashed the Create. */
    @Test
    void createWithAControlCharacterInItsName_isInvalidField_andMakesNoKey() throws Exception {
        KmsServices services = env.server().services();
        int hsmObjects = services.vault().list().size();
        byte[] create = bytes(KmipWire.request(ProtocolVersion.V1_4, Operation.CREATE, Payloads.createRequest(ObjectType.SYMMETRIC_KEY,
                List.of(KmipAttribute.cryptographicAlgorithm(CryptographicAlgorithm.AES), KmipAttribute.cryptographicLength(256),
                        KmipAttribute.name("bad\u0001name")), ProtocolVersion.V1_4)));
        try (KmipWire w = connect()) {
            assertAnswered(w, create, ResultReason.INVALID_FIELD);
            assertStillServes(w);
        }
        assertThat(services.vault().list()).as("no HSM object made").hasSize(hsmObjects);
        waitForCanary(3);
    }

    @Test
    void truncatedStream_isDroppedWithTheConnection() throws Exception {
        byte[] full = bytes(query14());
        try (KmipWire w = connect()) {
            w.send(Arrays.copyOf(full, full.length - 8));
            assertThat(w.closedByServer()).isTrue();
        }
        waitForCanary(3);
    }

    @Test
    void lengthPastTheEnd_isInvalidMessage() throws Exception {
        byte[] b = bytes(query14());
        setInt(b, 12, 0x400); // the Request Header claims more bytes than the message holds
        try (KmipWire w = connect()) {
            assertAnswered(w, b, ResultReason.INVALID_MESSAGE);
            assertStillServes(w);
        }
    }

    @Test
    void hundredLevelNesting_isInvalidMessage() throws Exception {
        TtlvStructure deep = TtlvStructure.builder(Tag.of(0x540001)).build();
        for (int i = 0; i < 100; i++) {
            deep = TtlvStructure.builder(Tag.of(0x540001)).add(deep).build();
        }
        RequestMessage m = KmipWire.request(ProtocolVersion.V1_4, Operation.QUERY, payload().add(deep).build());
        try (KmipWire w = connect()) {
            assertAnswered(w, bytes(m), ResultReason.INVALID_MESSAGE);
            assertStillServes(w);
        }
    }

    @Test
    void wrongItemTypes_inHeaderAndBatchItem_areInvalidMessage() throws Exception {
        TtlvStructure header = TtlvStructure.builder(Tag.REQUEST_HEADER).add(ProtocolVersion.V1_4.toTtlv())
                .text(Tag.BATCH_COUNT, "1").build();
        TtlvStructure item = TtlvStructure.builder(Tag.BATCH_ITEM).enumeration(Tag.OPERATION, Operation.QUERY)
                .add(payload().build()).build();
        TtlvStructure badCount = TtlvStructure.builder(Tag.REQUEST_MESSAGE).add(header).add(item).build();
        TtlvStructure header2 = TtlvStructure.builder(Tag.REQUEST_HEADER).add(ProtocolVersion.V1_4.toTtlv())
                .integer(Tag.BATCH_COUNT, 1).build();
        TtlvStructure badOperation = TtlvStructure.builder(Tag.REQUEST_MESSAGE).add(header2)
                .add(TtlvStructure.builder(Tag.BATCH_ITEM).integer(Tag.OPERATION, Operation.QUERY.value()).build()).build();
        TtlvStructure payloadNotStructure = TtlvStructure.builder(Tag.REQUEST_MESSAGE).add(header2)
                .add(TtlvStructure.builder(Tag.BATCH_ITEM).enumeration(Tag.OPERATION, Operation.QUERY)
                        .text(Tag.REQUEST_PAYLOAD, "oops").build()).build();
        try (KmipWire w = connect()) {
            for (TtlvStructure m : List.of(badCount, badOperation, payloadNotStructure)) {
                assertAnswered(w, TtlvEncoder.encode(m), ResultReason.INVALID_MESSAGE);
            }
            assertStillServes(w);
        }
    }

    @Test
    void unknownTags_areInvalidMessage() throws Exception {
        TtlvStructure header = TtlvStructure.builder(Tag.REQUEST_HEADER).add(ProtocolVersion.V1_4.toTtlv())
                .text(Tag.of(0x42FFF0), "what is this").integer(Tag.BATCH_COUNT, 1).build();
        TtlvStructure unknownInHeader = TtlvStructure.builder(Tag.REQUEST_MESSAGE).add(header)
                .add(TtlvStructure.builder(Tag.BATCH_ITEM).enumeration(Tag.OPERATION, Operation.QUERY).build()).build();
        byte[] outOfRange = bytes(query14());
        outOfRange[8] = 0x11; // the Request Header's tag becomes 0x110077: neither KMIP nor extension range
        try (KmipWire w = connect()) {
            assertAnswered(w, TtlvEncoder.encode(unknownInHeader), ResultReason.INVALID_MESSAGE);
            assertAnswered(w, outOfRange, ResultReason.INVALID_MESSAGE);
            assertStillServes(w);
        }
    }

    @Test
    void twoGigabyteLengthHeader_isRefusedBeforeAllocation_andTheConnectionClosed() throws Exception {
        for (long length : List.of(0x80000000L, 0xFFFFFFF8L, (long) MAX_MESSAGE)) {
            try (KmipWire w = connect()) {
                byte[] header = HexFormat.of().parseHex("4200780100000000");
                setInt(header, 4, length);
                assertAnswered(w, header, ResultReason.INVALID_MESSAGE);
                assertThat(w.closedByServer()).as("the stream is out of step after a refused frame").isTrue();
            }
        }
        waitForCanary(3);
    }

    @Test
    void headerThatIsNotAStructure_isRefusedAndTheConnectionClosed() throws Exception {
        try (KmipWire w = connect()) {
            assertAnswered(w, HexFormat.of().parseHex("4200780700000008" + "4142434445464748"), ResultReason.INVALID_MESSAGE);
            assertThat(w.closedByServer()).isTrue();
        }
    }

    // ------------------------------------------------------------------ fuzzing

    /** Real requests to mutate: the vCenter capture and one of each operation, in both attribute forms. */
    static List<byte[]> corpus() throws Exception {
        List<byte[]> out = new ArrayList<>();
        for (String[] l : VcenterKmipTest.capture()) {
            out.add(HexFormat.of().parseHex(l[1]));
        }
        for (ProtocolVersion v : List.of(ProtocolVersion.V1_4, ProtocolVersion.V2_0)) {
            out.add(bytes(KmipWire.request(v, Operation.CREATE, Payloads.createRequest(ObjectType.SYMMETRIC_KEY,
                    List.of(KmipAttribute.cryptographicAlgorithm(CryptographicAlgorithm.AES), KmipAttribute.cryptographicLength(128),
                            KmipAttribute.name("fuzz-" + v), KmipAttribute.x("Vendor", "fuzz")), v))));
            try (SecretBytes m = SecretBytes.adopt(new byte[16])) {
                out.add(bytes(KmipWire.request(v, Operation.REGISTER, Payloads.registerRequest(ObjectType.SYMMETRIC_KEY,
                        ManagedObjects.symmetricKey(CryptographicAlgorithm.AES, m), List.of(KmipAttribute.cryptographicLength(128)), v))));
            }
            out.add(bytes(KmipWire.request(v, Operation.GET_ATTRIBUTES, Payloads.getAttributesRequest(keyId,
                    List.of(AttributeKey.of(Tag.STATE), AttributeKey.x("Vendor")), v))));
            out.add(bytes(KmipWire.request(v, Operation.ADD_ATTRIBUTE, Payloads.addAttributeRequest(keyId,
                    KmipAttribute.x("Fuzz", "value"), v))));
            out.add(bytes(KmipWire.request(v, Operation.LOCATE, Payloads.locateRequest(List.of(KmipAttribute.name("fuzz")), 5, v))));
            out.add(bytes(KmipWire.request(v, Operation.ENCRYPT, payload().text(Tag.UNIQUE_IDENTIFIER, keyId)
                    .add(CryptographicParameters.aesGcm().toTtlv()).bytes(Tag.DATA, new byte[32]).build())));
            out.add(bytes(new RequestMessage(RequestHeader.of(v).withMaximumResponseSize(100000), List.of(
                    RequestBatchItem.of(Operation.QUERY, BatchItemId.ofInt(1), payload()
                            .enumeration(Tag.QUERY_FUNCTION, QueryFunction.QUERY_OPERATIONS).build()),
                    RequestBatchItem.of(Operation.GET_ATTRIBUTE_LIST, BatchItemId.ofInt(2), KmipWire.uid(keyId)),
                    RequestBatchItem.of(Operation.DISCOVER_VERSIONS, BatchItemId.ofInt(3), payload().build())))));
        }
        return out;
    }

    /** One to four random mutations: bits, bytes, length fields, cuts, insertions, duplicated and swapped blocks. */
    static byte[] mutate(byte[] in, Random r) {
        byte[] b = in.clone();
        int n = 1 + r.nextInt(4);
        for (int k = 0; k < n && b.length > 8; k++) {
            switch (r.nextInt(8)) {
                case 0 -> b[r.nextInt(b.length)] ^= (byte) (1 << r.nextInt(8));
                case 1 -> b[r.nextInt(b.length)] = (byte) r.nextInt(256);
                case 2 -> { // a length field of some item header
                    int at = 8 * r.nextInt(b.length / 8) + 4;
                    if (at + 4 <= b.length) {
                        long[] choices = {0, 1, 7, 8, 0x7FFFFFFFL, 0xFFFFFFFFL, r.nextInt(1 << 16)};
                        setInt(b, at, choices[r.nextInt(choices.length)]);
                    }
                }
                case 3 -> b = Arrays.copyOf(b, 8 + r.nextInt(b.length - 8)); // cut
                case 4 -> { // insert random bytes
                    int at = r.nextInt(b.length);
                    byte[] ins = new byte[1 + r.nextInt(24)];
                    r.nextBytes(ins);
                    byte[] c = new byte[b.length + ins.length];
                    System.arraycopy(b, 0, c, 0, at);
                    System.arraycopy(ins, 0, c, at, ins.length);
                    System.arraycopy(b, at, c, at + ins.length, b.length - at);
                    b = c;
                }
                case 5 -> { // duplicate an 8-aligned block
                    int at = 8 * r.nextInt(b.length / 8);
                    int len = Math.min(8 * (1 + r.nextInt(4)), b.length - at);
                    byte[] c = new byte[b.length + len];
                    System.arraycopy(b, 0, c, 0, at + len);
                    System.arraycopy(b, at, c, at + len, b.length - at);
                    b = c;
                }
                case 6 -> { // swap two 8-byte blocks
                    int x = 8 * r.nextInt(b.length / 8);
                    int y = 8 * r.nextInt(b.length / 8);
                    if (x + 8 <= b.length && y + 8 <= b.length) {
                        byte[] t = Arrays.copyOfRange(b, x, x + 8);
                        System.arraycopy(b, y, b, x, 8);
                        System.arraycopy(t, 0, b, y, 8);
                    }
                }
                default -> { // an item type byte
                    int at = 8 * r.nextInt(b.length / 8) + 3;
                    b[at] = (byte) r.nextInt(16);
                }
            }
        }
        return b;
    }

    @Test
    void seededMutationFuzzing_everyMessageIsAnsweredOrTheConnectionClosed_andOthersAreServed() throws Exception {
        Random r = new Random(SEED);
        List<byte[]> corpus = corpus();
        TreeMap<String, Integer> outcomes = new TreeMap<>();
        List<String> crashes = new ArrayList<>();
        long canaryBefore = canaryRounds.get();
        KmipWire w = connect();
        try {
            for (int i = 0; i < FUZZ_CASES; i++) {
                byte[] m = mutate(corpus.get(r.nextInt(corpus.size())), r);
                boolean consistentFrame = r.nextInt(10) != 0;
                if (consistentFrame && m.length >= 8) {
                    setInt(m, 4, m.length - 8);
                }
                long declared = m.length >= 8 ? ByteBuffer.wrap(m, 4, 4).getInt() & 0xFFFFFFFFL : -1;
                try {
                    w.send(m);
                } catch (IOException closedAfterLastAnswer) {
                    w.close();
                    w = connect();
                    w.send(m);
                }
                if (declared < 0 || declared + 8 > m.length) {
                    // The frame announces more than was sent: the server waits for the rest (until its
                    // deadline). Hang up instead of waiting; a fresh connection takes the next case.
                    count(outcomes, "incomplete frame, client hung up");
                    w.close();
                    w = connect();
                    continue;
                }
                Optional<ResponseMessage> resp;
                try {
                    resp = w.receive();
                } catch (SocketTimeoutException e) {
                    throw new AssertionError("case " + i + " (seed " + SEED + "): no answer and no close within 20 s: "
                            + HexFormat.of().formatHex(m), e);
                }
                if (resp.isEmpty()) {
                    count(outcomes, "connection closed");
                    w.close();
                    w = connect();
                    continue;
                }
                for (ResponseBatchItem item : resp.get().batchItems()) {
                    count(outcomes, item.isSuccess() ? "answered: success" : "answered: " + item.resultReason());
                    if (item.resultMessage() != null && item.resultMessage().contains("see server log")) {
                        crashes.add("case " + i + ": " + item.resultMessage() + " for " + HexFormat.of().formatHex(m));
                    }
                }
                if (declared + 8 < m.length) {
                    // bytes after the frame start another message: resynchronise on a fresh connection
                    w.close();
                    w = connect();
                }
            }
        } finally {
            w.close();
        }
        System.out.println("[kmip-robustness] fuzz outcomes (seed " + SEED + "): " + outcomes);
        assertThat(crashes).as("no handler crashed on fuzzed input").isEmpty();
        assertThat(outcomes.keySet()).as("the mutations reach the decoder and the handlers")
                .anyMatch(k -> k.equals("answered: INVALID_MESSAGE")).anyMatch(k -> k.startsWith("answered:") && !k.contains("INVALID_MESSAGE"));
        waitForCanary(5);
        assertThat(canaryRounds.get()).as("served the well-behaved client during the fuzzing").isGreaterThan(canaryBefore);
        try (KmipWire fresh = connect()) {
            assertStillServes(fresh);
        }
    }

    static void count(TreeMap<String, Integer> m, String k) {
        m.merge(k, 1, Integer::sum);
    }

}
