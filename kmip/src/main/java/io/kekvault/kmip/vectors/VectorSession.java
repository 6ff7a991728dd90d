package io.kekvault.kmip.vectors;

import io.kekvault.kmip.error.KmsException;
import io.kekvault.kmip.ttlv.Placeholders;
import io.kekvault.kmip.ttlv.Tag;
import io.kekvault.kmip.ttlv.TtlvItem;
import io.kekvault.kmip.ttlv.TtlvMatcher;
import io.kekvault.kmip.ttlv.TtlvStructure;

import java.time.Clock;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The placeholder state of one vector file being played against a server.
 *
 * <p>Values become known in two ways: a placeholder in an expected response is bound to the
 * value at the same place in the actual response ({@code $UNIQUE_IDENTIFIER_0} in a Create
 * response); and every value of an actual response is recorded under its tag and occurrence
 * ({@code $DATA_0} is the first Data the server returned, {@code $IV_COUNTER_NONCE} the latest
 * IV/Counter/Nonce), for requests that name a value the file shows literally. {@code $NOW±n} is the clock's time. Not thread-safe: one per file.
 */
public final class VectorSession {
    private final Clock clock;
    private final Map<String, TtlvItem> bindings = new HashMap<>();
    private final Map<String, TtlvItem> recorded = new HashMap<>();
    private final Map<String, Integer> occurrences = new HashMap<>();

    public VectorSession(Clock clock) {
        this.clock = clock;
    }

    /**
     * The request with every placeholder replaced: bound values first, then recorded ones; an
     * unknown placeholder is {@code MISSING_DATA}.
     */
    public TtlvItem prepare(TtlvItem request) throws KmsException {
        Map<String, TtlvItem> known = new HashMap<>(recorded);
        known.putAll(bindings);
        return Placeholders.substitute(request, Placeholders.resolver(clock.instant(), known));
    }

    /** Compares the actual response with the expected one, binding and recording its values. */
    public Optional<TtlvMatcher.Mismatch> check(TtlvItem expectedResponse, TtlvItem actualResponse) {
        Optional<TtlvMatcher.Mismatch> m = TtlvMatcher.match(expectedResponse, actualResponse, bindings);
        record(actualResponse);
        return m;
    }

    /** The live bindings, for matchers with more rules ({@link ServerValueRules}). */
    Map<String, TtlvItem> liveBindings() {
        return bindings;
    }

    /** Records the values of an actual response for later requests (as {@link #check} does). */
    void recordResponse(TtlvItem actual) {
        record(actual);
    }

    /** The values bound so far from placeholders of expected responses, by placeholder key. */
    public Map<String, TtlvItem> bindings() {
        return Map.copyOf(bindings);
    }

    private void record(TtlvItem item) {
        if (item instanceof TtlvStructure s) {
            for (TtlvItem c : s.children()) {
                record(c);
            }
            return;
        }
        String base = "$" + upperSnake(item.tag());
        int n = occurrences.merge(base, 1, Integer::sum) - 1;
        // Kept apart from the bindings: only a request may use them, never a comparison.
        recorded.putIfAbsent(base + "_" + n, item);
        recorded.put(base, item);
    }

    private static String upperSnake(Tag tag) {
        return tag.specName().orElse(tag.hex()).replaceAll("[^A-Za-z0-9]+", "_").toUpperCase(Locale.ROOT);
    }
}
