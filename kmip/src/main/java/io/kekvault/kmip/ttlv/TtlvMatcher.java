package io.kekvault.kmip.ttlv;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Compares an actual item (a server's response) with an expected one from a vector file.
 *
 * <p>Concrete values must be equal. A placeholder matches by presence and type: {@code $NOW±n}
 * matches any value of its type; any other placeholder is bound, on its first occurrence, to
 * the actual value (in the caller's {@code bindings}, keyed by {@link TtlvPlaceholder#key()}),
 * and must equal that value on later occurrences - so {@code $UNIQUE_IDENTIFIER_0} learnt from a
 * Create response is checked in later responses and substituted into later requests.
 */
public final class TtlvMatcher {

    /** Where and how the items differ; {@code path} is like {@code ResponseMessage/BatchItem[0]/ResultStatus}. */
    public record Mismatch(String path, String expected, String actual) {
        @Override
        public String toString() {
            return path + ": expected " + expected + ", got " + actual;
        }
    }

    private TtlvMatcher() {
    }

    public static Optional<Mismatch> match(TtlvItem expected, TtlvItem actual, Map<String, TtlvItem> bindings) {
        return match(expected, actual, bindings, expected.tag().name());
    }

    private static Optional<Mismatch> match(TtlvItem e, TtlvItem a, Map<String, TtlvItem> bindings, String path) {
        if (!e.tag().equals(a.tag())) {
            return Optional.of(new Mismatch(path, "tag " + e.tag().name(), "tag " + a.tag().name()));
        }
        if (e.type() != a.type() || a instanceof TtlvPlaceholder) {
            return Optional.of(new Mismatch(path, e.type().encodingName(), a.type().encodingName()));
        }
        if (e instanceof TtlvPlaceholder p) {
            if (p.name().equals("NOW")) {
                return Optional.empty();
            }
            TtlvItem bound = bindings.get(p.key());
            if (bound == null) {
                bindings.put(p.key(), a);
                return Optional.empty();
            }
            return bound.withTag(a.tag()).equals(a) ? Optional.empty()
                    : Optional.of(new Mismatch(path, p.key() + " (bound earlier)", "another value"));
        }
        if (e instanceof TtlvStructure es) {
            List<TtlvItem> ec = es.children();
            List<TtlvItem> ac = ((TtlvStructure) a).children();
            for (int i = 0; i < Math.min(ec.size(), ac.size()); i++) {
                Optional<Mismatch> m = match(ec.get(i), ac.get(i), bindings, path + "/" + ec.get(i).tag().name() + "[" + i + "]");
                if (m.isPresent()) {
                    return m;
                }
            }
            if (ec.size() != ac.size()) {
                return Optional.of(new Mismatch(path, ec.size() + " children", ac.size() + " children"));
            }
            return Optional.empty();
        }
        return e.equals(a) ? Optional.empty()
                : Optional.of(new Mismatch(path, TextValues.format(e, null, " "), TextValues.format(a, null, " ")));
    }
}
