package io.kekvault.kmip.vectors;

import io.kekvault.kmip.message.Operation;
import io.kekvault.kmip.ttlv.ItemType;
import io.kekvault.kmip.ttlv.Tag;
import io.kekvault.kmip.ttlv.TtlvItem;
import io.kekvault.kmip.ttlv.TtlvMatcher;
import io.kekvault.kmip.ttlv.TtlvPlaceholder;
import io.kekvault.kmip.ttlv.TtlvStructure;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The placeholder rules of the OASIS test cases applied to values the vector files show
 * literally although the server chooses them. The vectors were recorded against one reference
 * server; values that come from its random keys, its random IVs, its attribute set or its
 * capabilities cannot be repeated by another server, so they are compared by presence and type,
 * like the {@code $...} placeholders. Everything else is compared exactly.
 *
 * <ol>
 *   <li><b>Result Message</b> is text for humans ("DENIED", "CRYPTO"): not compared. Result
 *       Status and Result Reason are.</li>
 *   <li><b>Values from server-generated keys</b>: the Key Material a Get returns for a key the
 *       server made with Create, and the Data, IV and tag an Encrypt or Decrypt returns under such
 *       a key. Keys the file registers have known material: their results are compared exactly.</li>
 *   <li><b>Server-chosen IVs</b>: when the vector's Encrypt response shows an IV/Counter/Nonce the
 *       request did not give, the server chose it; the IV, Data and tag of that response are
 *       compared by type.</li>
 *   <li><b>Digest Value</b> of a server-generated key, and the <b>Random Number
 *       Generator</b> attribute (a description of the server's generator): by type.</li>
 *   <li>A literal of rules 2-4 is <b>bound like a placeholder</b> at its first occurrence: the same
 *       literal later in the expected responses must be the same value, and the same literal in a
 *       later request is replaced by that value (so an Encrypt's ciphertext fed back to Decrypt is
 *       a real round trip, and its plaintext is then compared exactly).</li>
 *   <li><b>Query</b> lists the server's own operations and object types: each kind the vector
 *       lists must be present, values free.</li>
 *   <li><b>Get Attribute List</b> is a set (order free): the server may not list an attribute the
 *       vector does not, and must list every one except those a server keeps at its discretion
 *       ({@link #SERVER_KEPT}). <b>Get Attributes</b> may leave out an attribute of that set.</li>
 * </ol>
 */
public final class ServerValueRules {

    /**
     * Attributes a server keeps at its discretion (KMIP: set by the server "if it knows", or
     * describing server internals), in their KMIP 1.x names.
     */
    public static final Set<String> SERVER_KEPT = Set.of("Lease Time", "Fresh", "Random Number Generator",
            "Protection Storage Mask", "Always Sensitive", "Never Extractable", "Sensitive", "Extractable",
            "Original Creation Date", "Digest", "Key Format Type", "Short Unique Identifier");

    private static final Set<Tag> CIPHER_OUTPUTS = Set.of(Tag.DATA, Tag.IV_COUNTER_NONCE, Tag.AUTHENTICATED_ENCRYPTION_TAG);

    private final Set<String> serverKeys = new HashSet<>();
    /** Literal (tag + value) -> the placeholder key it was bound under. */
    private final Map<String, String> literals = new HashMap<>();
    private final Map<String, TtlvItem> bindings;

    /** @param bindings the session's placeholder bindings (shared with the matcher) */
    public ServerValueRules(Map<String, TtlvItem> bindings) {
        this.bindings = bindings;
    }

    /** The request with every literal already bound to a server value replaced by that value. */
    public TtlvItem prepareRequest(TtlvItem request) {
        return replaceBound(request);
    }

    private TtlvItem replaceBound(TtlvItem item) {
        if (item instanceof TtlvStructure s) {
            List<TtlvItem> c = new ArrayList<>(s.children().size());
            boolean changed = false;
            for (TtlvItem x : s.children()) {
                TtlvItem r = replaceBound(x);
                changed |= r != x;
                c.add(r);
            }
            return changed ? new TtlvStructure(s.tag(), c) : s;
        }
        if (item.type() == ItemType.BYTE_STRING && !(item instanceof TtlvPlaceholder)) {
            String key = literals.get(literalKey(item));
            TtlvItem bound = key == null ? null : bindings.get(key);
            if (bound != null) {
                return bound.withTag(item.tag());
            }
        }
        return item;
    }

    /**
     * Compares one response: rewrites the expected response by the rules above (using the request
     * that was sent and the actual response), then matches it against the actual one.
     */
    public Optional<TtlvMatcher.Mismatch> match(TtlvItem sentRequest, TtlvItem originalRequest, TtlvItem expected, TtlvItem actual) {
        if (!(expected instanceof TtlvStructure e) || !(actual instanceof TtlvStructure a)
                || !(sentRequest instanceof TtlvStructure req)) {
            return TtlvMatcher.match(expected, actual, bindings);
        }
        List<TtlvItem> reqItems = req.findAll(Tag.BATCH_ITEM);
        List<TtlvItem> origItems = originalRequest instanceof TtlvStructure o ? o.findAll(Tag.BATCH_ITEM) : reqItems;
        List<TtlvItem> actItems = a.findAll(Tag.BATCH_ITEM);
        List<TtlvItem> expChildren = new ArrayList<>();
        List<TtlvItem> actChildren = new ArrayList<>();
        int item = 0;
        for (TtlvItem c : e.children()) {
            if (!c.tag().equals(Tag.BATCH_ITEM)) {
                expChildren.add(c);
                continue;
            }
            TtlvStructure ei = (TtlvStructure) c;
            TtlvStructure ai = item < actItems.size() && actItems.get(item) instanceof TtlvStructure s ? s : null;
            TtlvStructure ri = requestFor(ei, item, reqItems);
            TtlvStructure oi = requestFor(ei, item, origItems);
            if (ai == null) {
                expChildren.add(ei);
            } else {
                TtlvStructure[] pair = {withoutMessage(ei), withoutMessage(ai)};
                Optional<String> problem = rewriteItem(ri, oi, pair);
                if (problem.isPresent()) {
                    return Optional.of(new TtlvMatcher.Mismatch("ResponseMessage/BatchItem[" + item + "]",
                            problem.get(), "the server's answer"));
                }
                expChildren.add(pair[0]);
                actChildren.add(pair[1]);
            }
            item++;
        }
        // the non-item children (header) come first in both, as in every message
        List<TtlvItem> act = new ArrayList<>();
        for (TtlvItem c : a.children()) {
            if (!c.tag().equals(Tag.BATCH_ITEM)) {
                act.add(c);
            }
        }
        act.addAll(actChildren);
        for (int i = item; i < actItems.size(); i++) {
            act.add(actItems.get(i));
        }
        Optional<TtlvMatcher.Mismatch> m = TtlvMatcher.match(new TtlvStructure(e.tag(), expChildren),
                new TtlvStructure(a.tag(), act), bindings);
        learnServerKeys(a, reqItems);
        return m;
    }

    /** The request item an expected response item answers: same Unique Batch Item ID, else same position. */
    private static TtlvStructure requestFor(TtlvStructure expectedItem, int index, List<TtlvItem> requestItems) {
        Optional<TtlvItem> id = expectedItem.find(Tag.UNIQUE_BATCH_ITEM_ID);
        if (id.isPresent()) {
            for (TtlvItem r : requestItems) {
                if (r instanceof TtlvStructure s && s.find(Tag.UNIQUE_BATCH_ITEM_ID).map(x -> x.equals(id.get())).orElse(false)) {
                    return s;
                }
            }
        }
        return index < requestItems.size() && requestItems.get(index) instanceof TtlvStructure s ? s : null;
    }

    private static TtlvStructure withoutMessage(TtlvStructure item) {
        List<TtlvItem> c = new ArrayList<>();
        for (TtlvItem x : item.children()) {
            if (!x.tag().equals(Tag.RESULT_MESSAGE)) {
                c.add(x);
            }
        }
        return new TtlvStructure(item.tag(), c);
    }

    /** Rewrites pair[0] (expected) and pair[1] (actual) of one batch item; returns a problem if a set rule fails. */
    private Optional<String> rewriteItem(TtlvStructure request, TtlvStructure originalRequest, TtlvStructure[] pair) {
        TtlvStructure exp = pair[0];
        TtlvStructure act = pair[1];
        Optional<Integer> op = enumOf(exp, Tag.OPERATION);
        Optional<TtlvStructure> ep = payload(exp);
        Optional<TtlvStructure> ap = payload(act);
        if (op.isEmpty() || ep.isEmpty() || ap.isEmpty()) {
            return Optional.empty();
        }
        TtlvStructure reqPayload = request == null ? null : payload(request).orElse(null);
        TtlvStructure origPayload = originalRequest == null ? null : payload(originalRequest).orElse(null);
        String uid = reqPayload != null ? text(reqPayload, Tag.UNIQUE_IDENTIFIER) : null;
        if (uid == null) {
            uid = text(ap.get(), Tag.UNIQUE_IDENTIFIER);
        }
        boolean serverKey = uid != null && serverKeys.contains(uid);
        int o = op.get();
        TtlvStructure newEp = ep.get();
        TtlvStructure newAp = ap.get();
        if (o == Operation.GET.value() && serverKey) {
            newEp = (TtlvStructure) serverChosen(newEp, Set.of(Tag.KEY_MATERIAL, Tag.KEY));
        } else if (o == Operation.ENCRYPT.value() || o == Operation.DECRYPT.value()) {
            // the vector shows an IV the request did not give: the server chose it (the ciphertext follows)
            boolean ivChosen = o == Operation.ENCRYPT.value() && reqPayload != null && !reqPayload.has(Tag.IV_COUNTER_NONCE)
                    && newEp.has(Tag.IV_COUNTER_NONCE);
            // a Decrypt of data this server produced earlier in the file is a real round trip
            boolean roundTrip = o == Operation.DECRYPT.value() && reqPayload != null && origPayload != null
                    && !reqPayload.find(Tag.DATA).equals(origPayload.find(Tag.DATA));
            if ((serverKey && !roundTrip) || ivChosen) {
                newEp = (TtlvStructure) serverChosen(newEp, CIPHER_OUTPUTS);
            }
        } else if (o == Operation.GET_ATTRIBUTES.value()) {
            if (serverKey) {
                newEp = (TtlvStructure) serverChosen(newEp, Set.of(Tag.DIGEST_VALUE));
            }
            newEp = attributesKeptByServer(newEp, newAp);
        } else if (o == Operation.GET_ATTRIBUTE_LIST.value()) {
            Optional<String> p = attributeSet(newEp, newAp);
            if (p.isPresent()) {
                return p;
            }
            newEp = newAp;
        } else if (o == Operation.QUERY.value()) {
            Optional<String> p = capabilities(newEp, newAp);
            if (p.isPresent()) {
                return p;
            }
            newEp = newAp;
        }
        pair[0] = replacePayload(exp, newEp);
        pair[1] = replacePayload(act, newAp);
        return Optional.empty();
    }

    /** Ids of keys made by Create (or ReKey) in this file: their material is the server's. */
    private void learnServerKeys(TtlvStructure actual, List<TtlvItem> requestItems) {
        for (TtlvItem i : actual.findAll(Tag.BATCH_ITEM)) {
            if (!(i instanceof TtlvStructure s)) {
                continue;
            }
            Optional<Integer> op = enumOf(s, Tag.OPERATION);
            Optional<Integer> status = enumOf(s, Tag.RESULT_STATUS);
            if (op.isPresent() && status.orElse(-1) == 0
                    && (op.get() == Operation.CREATE.value() || op.get() == Operation.RE_KEY.value())) {
                payload(s).map(p -> text(p, Tag.UNIQUE_IDENTIFIER)).ifPresent(serverKeys::add);
            }
        }
    }

    /** Literals under {@code tags} become placeholders, one per distinct literal (rule 5). */
    private TtlvItem serverChosen(TtlvItem item, Set<Tag> tags) {
        if (item instanceof TtlvStructure s) {
            List<TtlvItem> c = new ArrayList<>();
            for (TtlvItem x : s.children()) {
                c.add(serverChosen(x, tags));
            }
            return new TtlvStructure(s.tag(), c);
        }
        if (item instanceof TtlvPlaceholder || !tags.contains(item.tag())) {
            return item;
        }
        String key = literals.computeIfAbsent(literalKey(item), k -> "$SERVER_CHOSEN_" + literals.size());
        return new TtlvPlaceholder(item.tag(), item.type(), key);
    }

    private static String literalKey(TtlvItem item) {
        String value = item instanceof io.kekvault.kmip.ttlv.TtlvByteString b ? java.util.HexFormat.of().formatHex(b.value())
                : item.type() + "#" + Integer.toHexString(item.hashCode());
        return item.tag().hex() + "/" + value;
    }

    /** Get Attributes: an attribute of {@link #SERVER_KEPT} the server does not keep is not required; RNG by type. */
    private static TtlvStructure attributesKeptByServer(TtlvStructure expected, TtlvStructure actual) {
        Set<String> present = new HashSet<>();
        attributeNames(actual, present);
        List<TtlvItem> out = new ArrayList<>();
        for (TtlvItem c : expected.children()) {
            if (c.tag().equals(Tag.ATTRIBUTES) && c instanceof TtlvStructure attrs) {
                List<TtlvItem> kept = new ArrayList<>();
                for (TtlvItem a : attrs.children()) {
                    String n = a.tag().specName().orElse(a.tag().name());
                    if (SERVER_KEPT.contains(n) && !present.contains(n)) {
                        continue;
                    }
                    kept.add(a.tag().equals(Tag.RANDOM_NUMBER_GENERATOR) ? sameShape(a, actualAttribute(actual, n)) : a);
                }
                out.add(new TtlvStructure(c.tag(), kept));
                continue;
            }
            if (c.tag().equals(Tag.ATTRIBUTE) && c instanceof TtlvStructure a) {
                String n = text(a, Tag.ATTRIBUTE_NAME);
                if (n != null && SERVER_KEPT.contains(n) && !present.contains(n)) {
                    continue;
                }
                if ("Random Number Generator".equals(n)) {
                    out.add(sameShape(a, actualAttribute(actual, n)));
                    continue;
                }
            }
            out.add(c);
        }
        return new TtlvStructure(expected.tag(), out);
    }

    private static TtlvItem actualAttribute(TtlvStructure actual, String name) {
        for (TtlvItem c : actual.children()) {
            if (c.tag().equals(Tag.ATTRIBUTE) && c instanceof TtlvStructure a && name.equals(text(a, Tag.ATTRIBUTE_NAME))) {
                return a;
            }
            if (c.tag().equals(Tag.ATTRIBUTES) && c instanceof TtlvStructure attrs) {
                for (TtlvItem x : attrs.children()) {
                    if (x.tag().specName().orElse("").equals(name)) {
                        return x;
                    }
                }
            }
        }
        return null;
    }

    /** The actual item when it has the expected tag and type (a structure for a structure). */
    private static TtlvItem sameShape(TtlvItem expected, TtlvItem actual) {
        return actual != null && actual.tag().equals(expected.tag()) && actual.type() == expected.type() ? actual : expected;
    }

    private static void attributeNames(TtlvStructure payload, Set<String> out) {
        for (TtlvItem c : payload.children()) {
            if (c.tag().equals(Tag.ATTRIBUTE) && c instanceof TtlvStructure a) {
                String n = text(a, Tag.ATTRIBUTE_NAME);
                if (n != null) {
                    out.add(n);
                }
            } else if (c.tag().equals(Tag.ATTRIBUTES) && c instanceof TtlvStructure attrs) {
                for (TtlvItem x : attrs.children()) {
                    out.add(x.tag().specName().orElse(x.tag().name()));
                }
            }
        }
    }

    /** Get Attribute List as a set (rule 7). */
    private static Optional<String> attributeSet(TtlvStructure expected, TtlvStructure actual) {
        Set<String> exp = references(expected);
        Set<String> act = references(actual);
        if (!Optional.ofNullable(text(expected, Tag.UNIQUE_IDENTIFIER)).equals(Optional.ofNullable(text(actual, Tag.UNIQUE_IDENTIFIER)))
                && !(expected.find(Tag.UNIQUE_IDENTIFIER).orElse(null) instanceof TtlvPlaceholder)) {
            return Optional.of("Get Attribute List of another object");
        }
        Set<String> extra = new LinkedHashSet<>(act);
        extra.removeAll(exp);
        if (!extra.isEmpty()) {
            return Optional.of("Get Attribute List without " + extra);
        }
        Set<String> missing = new LinkedHashSet<>(exp);
        missing.removeAll(act);
        missing.removeAll(SERVER_KEPT);
        if (!missing.isEmpty()) {
            return Optional.of("Get Attribute List with " + missing);
        }
        return Optional.empty();
    }

    private static Set<String> references(TtlvStructure payload) {
        Set<String> out = new LinkedHashSet<>();
        for (TtlvItem c : payload.children()) {
            if (c.tag().equals(Tag.ATTRIBUTE_NAME) && c.type() == ItemType.TEXT_STRING) {
                out.add(((io.kekvault.kmip.ttlv.TtlvTextString) c).value());
            } else if (c.tag().equals(Tag.ATTRIBUTE_REFERENCE)) {
                if (c instanceof io.kekvault.kmip.ttlv.TtlvEnumeration e) {
                    out.add(Tag.of(e.value()).specName().orElse(Tag.of(e.value()).hex()));
                } else if (c instanceof TtlvStructure s) {
                    out.add(text(s, Tag.VENDOR_IDENTIFICATION) + "-" + text(s, Tag.ATTRIBUTE_NAME));
                }
            }
        }
        return out;
    }

    /** Query (rule 6): each kind of answer the vector lists is present, with the right type. */
    private static Optional<String> capabilities(TtlvStructure expected, TtlvStructure actual) {
        Set<Tag> have = new HashSet<>();
        for (TtlvItem c : actual.children()) {
            have.add(c.tag());
        }
        for (TtlvItem c : expected.children()) {
            if (!have.contains(c.tag())) {
                return Optional.of("a Query answer with " + c.tag().name());
            }
        }
        for (TtlvItem c : actual.children()) {
            Optional<TtlvItem> like = expected.find(c.tag());
            if (like.isPresent() && like.get().type() != c.type()) {
                return Optional.of(c.tag().name() + " as a " + like.get().type().encodingName());
            }
        }
        return Optional.empty();
    }

    private static Optional<TtlvStructure> payload(TtlvStructure item) {
        for (TtlvItem c : item.children()) {
            if ((c.tag().equals(Tag.RESPONSE_PAYLOAD) || c.tag().equals(Tag.REQUEST_PAYLOAD)) && c instanceof TtlvStructure s) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }

    private static TtlvStructure replacePayload(TtlvStructure item, TtlvStructure payload) {
        List<TtlvItem> c = new ArrayList<>();
        for (TtlvItem x : item.children()) {
            c.add(x.tag().equals(Tag.RESPONSE_PAYLOAD) ? payload.withTag(Tag.RESPONSE_PAYLOAD) : x);
        }
        return new TtlvStructure(item.tag(), c);
    }

    private static Optional<Integer> enumOf(TtlvStructure s, Tag t) {
        return s.find(t).filter(x -> x instanceof io.kekvault.kmip.ttlv.TtlvEnumeration)
                .map(x -> ((io.kekvault.kmip.ttlv.TtlvEnumeration) x).value());
    }

    private static String text(TtlvStructure s, Tag t) {
        return s.find(t).filter(x -> x instanceof io.kekvault.kmip.ttlv.TtlvTextString)
                .map(x -> ((io.kekvault.kmip.ttlv.TtlvTextString) x).value()).orElse(null);
    }
}
