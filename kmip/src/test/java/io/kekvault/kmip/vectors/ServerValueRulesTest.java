package io.kekvault.kmip.vectors;

import io.kekvault.kmip.TestData;
import io.kekvault.kmip.error.KmsException;
import io.kekvault.kmip.ttlv.ItemType;
import io.kekvault.kmip.ttlv.Placeholders;
import io.kekvault.kmip.ttlv.Tag;
import io.kekvault.kmip.ttlv.TtlvItem;
import io.kekvault.kmip.ttlv.TtlvMatcher;
import io.kekvault.kmip.ttlv.TtlvPlaceholder;
import io.kekvault.kmip.ttlv.TtlvStructure;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The conformance runner's comparison rules, against a fake server that answers each request
 * with the vector's expected response (placeholders filled) and then changes one value: changes
 * where the server has no say must fail the file, changes to values the server chooses must not.
 */
class ServerValueRulesTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2024-06-01T12:00:00Z"), ZoneOffset.UTC);

    /** Changes the response of step {@code step} (given the request the runner sent). */
    interface Change {
        TtlvItem apply(int step, TtlvItem sent, TtlvItem response);
    }

    /** Plays a file as the runner does; returns the first mismatch. */
    static Optional<String> play(String file, Change change) throws Exception {
        VectorFile f = VectorFile.read(TestData.resource("kmip-vectors/" + file));
        VectorSession session = new VectorSession(CLOCK);
        ServerValueRules rules = new ServerValueRules(session.liveBindings());
        Map<String, TtlvItem> chosen = new HashMap<>();
        int step = 0;
        for (VectorFile.Step s : f.steps()) {
            TtlvItem prepared = session.prepare(s.request());
            TtlvItem sent = rules.prepareRequest(prepared);
            TtlvItem response = change.apply(step, sent, fill(s.expectedResponse(), chosen));
            Optional<TtlvMatcher.Mismatch> m = rules.match(sent, prepared, s.expectedResponse(), response);
            session.recordResponse(response);
            if (m.isPresent()) {
                return Optional.of("step " + step + ": " + m.get());
            }
            step++;
        }
        return Optional.empty();
    }

    /** The expected response with its placeholders filled by values of the fake server's own. */
    static TtlvItem fill(TtlvItem expected, Map<String, TtlvItem> chosen) throws KmsException {
        var synthetic = Placeholders.synthetic(CLOCK.instant());
        return Placeholders.substitute(expected, p -> {
            if (p.name().equals("NOW")) {
                return synthetic.resolve(p);
            }
            TtlvItem v = chosen.get(p.key());
            if (v == null) {
                v = p.type() == ItemType.TEXT_STRING ? TtlvItem.text(p.tag(), "server-" + p.key())
                        : synthetic.resolve(new TtlvPlaceholder(p.tag(), p.type(), p.key()));
                chosen.put(p.key(), v);
            }
            return v.withTag(p.tag());
        });
    }

    /** The tree with the {@code nth} item tagged {@code tag} (depth first) replaced by {@code f} of it. */
    static TtlvItem replace(TtlvItem root, Tag tag, int nth, UnaryOperator<TtlvItem> f) {
        int[] seen = {0};
        return replace(root, tag, nth, f, seen);
    }

    private static TtlvItem replace(TtlvItem item, Tag tag, int nth, UnaryOperator<TtlvItem> f, int[] seen) {
        if (item.tag().equals(tag) && seen[0]++ == nth) {
            return f.apply(item);
        }
        if (item instanceof TtlvStructure s) {
            List<TtlvItem> c = new ArrayList<>();
            for (TtlvItem x : s.children()) {
                c.add(replace(x, tag, nth, f, seen));
            }
            return new TtlvStructure(s.tag(), c);
        }
        return item;
    }

    static TtlvItem otherBytes(TtlvItem i) {
        byte[] b = i.type() == ItemType.BYTE_STRING ? ((io.kekvault.kmip.ttlv.TtlvByteString) i).value() : new byte[16];
        byte[] c = b.length == 0 ? new byte[] {1} : b.clone();
        c[0] ^= 0x5A;
        return TtlvItem.bytes(i.tag(), c);
    }

    static Change atStep(int step, Tag tag, UnaryOperator<TtlvItem> f) {
        return (s, sent, r) -> s == step ? replace(r, tag, 0, f) : r;
    }

    @Test
    void everyVectorFile_answeredAsExpected_passes() throws Exception {
        for (Path p : TestData.vectorFiles()) {
            String name = TestData.resource("kmip-vectors").relativize(p).toString();
            assertThat(play(name, (s, sent, r) -> r)).as(name).isEmpty();
        }
    }

    @Test
    void registeredKey_ciphertextIsComparedExactly() throws Exception {
        // CS-BC-M-4: a registered key's ECB encryption is known: another value fails
        assertThat(play("v1.4/CS-BC-M-4-14.xml", atStep(1, Tag.DATA, ServerValueRulesTest::otherBytes)))
                .hasValueSatisfying(m -> assertThat(m).startsWith("step 1:").contains("Data"));
    }

    @Test
    void serverCreatedKey_ciphertextIsTheServers() throws Exception {
        // CS-BC-M-1: Create then Encrypt: the value depends on the server's random key
        assertThat(play("v1.4/CS-BC-M-1-14.xml", atStep(1, Tag.DATA, ServerValueRulesTest::otherBytes))).isEmpty();
    }

    @Test
    void serverCreatedKey_encryptThenDecrypt_isARealRoundTrip() throws Exception {
        // CS-BC-M-3: the Decrypt request repeats the reference server's ciphertext; the runner sends
        // the ciphertext this server returned instead, and the plaintext is then compared exactly.
        TtlvItem[] ours = new TtlvItem[1];
        Change server = (s, sent, r) -> {
            if (s == 1) {
                TtlvItem changed = replace(r, Tag.DATA, 0, ServerValueRulesTest::otherBytes);
                ours[0] = find(changed, Tag.DATA);
                return changed;
            }
            if (s == 2) {
                assertThat(find(sent, Tag.DATA)).as("the runner sends back the server's ciphertext").isEqualTo(ours[0]);
            }
            return r;
        };
        assertThat(play("v1.4/CS-BC-M-3-14.xml", server)).isEmpty();
        Change wrongPlaintext = (s, sent, r) -> s == 2 ? replace(r, Tag.DATA, 0, ServerValueRulesTest::otherBytes)
                : s == 1 ? replace(r, Tag.DATA, 0, ServerValueRulesTest::otherBytes) : r;
        assertThat(play("v1.4/CS-BC-M-3-14.xml", wrongPlaintext)).hasValueSatisfying(m -> assertThat(m).startsWith("step 2:"));
    }

    @Test
    void serverCreatedKey_material_mustBeTheSameEachTimeInAFile() throws Exception {
        // SKFF-M-9 gets the key twice: the server's value is free, but not two different ones
        Change twoValues = (s, sent, r) -> s == 13 ? replace(r, Tag.KEY_MATERIAL, 0, ServerValueRulesTest::otherBytes) : r;
        assertThat(play("v1.4/SKFF-M-9-14.xml", twoValues)).hasValueSatisfying(m -> assertThat(m).contains("bound earlier"));
        Change sameNewValue = (s, sent, r) -> s == 5 || s == 13 ? replace(r, Tag.KEY_MATERIAL, 0, ServerValueRulesTest::otherBytes) : r;
        assertThat(play("v1.4/SKFF-M-9-14.xml", sameNewValue)).isEmpty();
    }

    @Test
    void resultMessage_isNotCompared_resultReasonIs() throws Exception {
        // SKLC-M-2 step 4: Destroy of an Active key, Permission Denied ("DENIED")
        assertThat(play("v1.4/SKLC-M-2-14.xml", atStep(4, Tag.RESULT_MESSAGE,
                i -> TtlvItem.text(Tag.RESULT_MESSAGE, "key is Active; revoke it first")))).isEmpty();
        assertThat(play("v1.4/SKLC-M-2-14.xml", atStep(4, Tag.RESULT_REASON,
                i -> TtlvItem.enumeration(Tag.RESULT_REASON, 0x0B)))).hasValueSatisfying(m -> assertThat(m).contains("ResultReason"));
    }

    @Test
    void getAttributeList_isASet_withoutExtras_andWithEveryAttributeTheServerMustKeep() throws Exception {
        int step = 8; // SKFF-M-9: Get Attribute List
        Change reversed = (s, sent, r) -> s == step ? mapPayload(r, p -> {
            List<TtlvItem> c = new ArrayList<>(p.children());
            java.util.Collections.reverse(c.subList(1, c.size()));
            return new TtlvStructure(p.tag(), c);
        }) : r;
        assertThat(play("v1.4/SKFF-M-9-14.xml", reversed)).isEmpty();
        Change extra = (s, sent, r) -> s == step ? mapPayload(r, p -> p.toBuilder().text(Tag.ATTRIBUTE_NAME, "Deactivation Date").build()) : r;
        assertThat(play("v1.4/SKFF-M-9-14.xml", extra)).hasValueSatisfying(m -> assertThat(m).contains("Deactivation Date"));
        Change withoutName = (s, sent, r) -> s == step ? mapPayload(r, p -> without(p, "Name")) : r;
        assertThat(play("v1.4/SKFF-M-9-14.xml", withoutName)).hasValueSatisfying(m -> assertThat(m).contains("Name"));
        Change withoutLeaseTime = (s, sent, r) -> s == step ? mapPayload(r, p -> without(p, "Lease Time")) : r;
        assertThat(play("v1.4/SKFF-M-9-14.xml", withoutLeaseTime)).isEmpty();
    }

    @Test
    void query_lists_areTheServersOwn_butEveryKindMustBeThere() throws Exception {
        // MSGENC-XML step 1: Query Operations and Objects
        Change fewer = (s, sent, r) -> s == 1 ? mapPayload(r, p -> new TtlvStructure(p.tag(), List.of(p.children().get(0),
                p.children().get(p.children().size() - 1)))) : r;
        assertThat(play("v1.4/MSGENC-XML-M-1-14.xml", fewer)).isEmpty();
        Change noObjects = (s, sent, r) -> s == 1 ? mapPayload(r, p -> new TtlvStructure(p.tag(),
                p.children().stream().filter(c -> !c.tag().equals(Tag.OBJECT_TYPE)).toList())) : r;
        assertThat(play("v1.4/MSGENC-XML-M-1-14.xml", noObjects)).hasValueSatisfying(m -> assertThat(m).contains("ObjectType"));
    }

    @Test
    void stateAndLength_ofGetAttributes_areComparedExactly() throws Exception {
        assertThat(play("v1.4/SKLC-M-1-14.xml", (s, sent, r) -> s == 1 ? replace(r, Tag.ATTRIBUTE_VALUE, 0,
                i -> TtlvItem.enumeration(Tag.ATTRIBUTE_VALUE, 2)) : r)).hasValueSatisfying(m -> assertThat(m).startsWith("step 1:"));
    }

    static TtlvItem find(TtlvItem root, Tag tag) {
        if (root.tag().equals(tag)) {
            return root;
        }
        if (root instanceof TtlvStructure s) {
            for (TtlvItem c : s.children()) {
                TtlvItem f = find(c, tag);
                if (f != null) {
                    return f;
                }
            }
        }
        return null;
    }

    static TtlvItem mapPayload(TtlvItem response, UnaryOperator<TtlvStructure> f) {
        return replace(response, Tag.RESPONSE_PAYLOAD, 0, p -> f.apply((TtlvStructure) p));
    }

    static TtlvStructure without(TtlvStructure p, String attributeName) {
        return new TtlvStructure(p.tag(), p.children().stream()
                .filter(c -> !(c instanceof io.kekvault.kmip.ttlv.TtlvTextString t && t.value().equals(attributeName))).toList());
    }
}
