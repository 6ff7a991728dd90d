package io.kekvault.kmip.ttlv;

import io.kekvault.kmip.error.InvalidRequestException;
import io.kekvault.kmip.error.KmsException;
import io.kekvault.kmip.error.ResultReason;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Working with the placeholders of the OASIS vectors ({@code $NOW}, {@code $NOW-3600},
 * {@code $UNIQUE_IDENTIFIER_0}, {@code $IV_COUNTER_NONCE}...).
 *
 * <p>A conformance runner reads a vector file with {@link TextCodecOptions#VECTORS}, then for each
 * request calls {@link #substitute} with {@link #resolver(Instant, Map)} (the current time and the
 * values bound so far), sends it, and checks the response with {@link TtlvMatcher#match}, which
 * binds the placeholders seen in expected responses to the values the server returned.
 */
public final class Placeholders {
    private Placeholders() {
    }

    /** A copy of {@code item} with every placeholder replaced by what {@code resolver} returns. */
    public static TtlvItem substitute(TtlvItem item, PlaceholderResolver resolver) throws KmsException {
        return switch (item) {
            case TtlvPlaceholder p -> {
                TtlvItem v = resolver.resolve(p);
                if (v.type() != p.type()) {
                    throw new InvalidRequestException(ResultReason.INVALID_FIELD, p.expression() + " resolved to a "
                            + v.type().encodingName() + " where a " + p.type().encodingName() + " is expected", null);
                }
                yield v.withTag(p.tag());
            }
            case TtlvStructure s -> {
                List<TtlvItem> children = new ArrayList<>(s.children().size());
                boolean changed = false;
                for (TtlvItem c : s.children()) {
                    TtlvItem r = substitute(c, resolver);
                    changed |= r != c;
                    children.add(r);
                }
                yield changed ? new TtlvStructure(s.tag(), children) : s;
            }
            default -> item;
        };
    }

    /** Every placeholder in {@code item}, in document order. */
    public static List<TtlvPlaceholder> find(TtlvItem item) {
        List<TtlvPlaceholder> out = new ArrayList<>();
        collect(item, out);
        return out;
    }

    private static void collect(TtlvItem item, List<TtlvPlaceholder> out) {
        if (item instanceof TtlvPlaceholder p) {
            out.add(p);
        } else if (item instanceof TtlvStructure s) {
            for (TtlvItem c : s.children()) {
                collect(c, out);
            }
        }
    }

    public static boolean containsPlaceholders(TtlvItem item) {
        return !find(item).isEmpty();
    }

    /**
     * The runner's resolver: {@code $NOW±n} is {@code now} plus n seconds (as a Date-Time or
     * Date-Time Extended); any other placeholder takes the value bound under its
     * {@link TtlvPlaceholder#key()} (see {@link TtlvMatcher}), and an unbound one is
     * {@code MISSING_DATA}.
     */
    public static PlaceholderResolver resolver(Instant now, Map<String, TtlvItem> bindings) {
        return p -> {
            if (p.name().equals("NOW")) {
                return nowValue(p, now);
            }
            TtlvItem bound = bindings.get(p.key());
            if (bound == null) {
                throw new InvalidRequestException(ResultReason.MISSING_DATA,
                        "placeholder " + p.expression() + " has no value yet", null);
            }
            return bound.withTag(p.tag());
        };
    }

    /**
     * A deterministic stand-in for every placeholder (for codec tests): {@code $NOW±n} from
     * {@code now}; other placeholders a value of the right type derived from the key, equal
     * for equal keys.
     */
    public static PlaceholderResolver synthetic(Instant now) {
        return p -> {
            if (p.name().equals("NOW")) {
                return nowValue(p, now);
            }
            byte[] h = sha256(p.key());
            long n = new BigInteger(1, h).longValue() & 0x7FFFFFFFL;
            Tag t = p.tag();
            return switch (p.type()) {
                case TEXT_STRING -> new TtlvTextString(t, "synthetic-" + p.key().substring(1).toLowerCase());
                case BYTE_STRING -> new TtlvByteString(t, h);
                case INTEGER -> new TtlvInteger(t, (int) n);
                case LONG_INTEGER -> new TtlvLongInteger(t, n);
                case BIG_INTEGER -> new TtlvBigInteger(t, BigInteger.valueOf(n));
                case ENUMERATION -> new TtlvEnumeration(t, (int) n);
                case BOOLEAN -> new TtlvBoolean(t, (n & 1) == 1);
                case DATE_TIME -> new TtlvDateTime(t, now.getEpochSecond() + p.offset());
                case INTERVAL -> new TtlvInterval(t, n);
                case DATE_TIME_EXTENDED -> TtlvItem.dateTimeExtended(t, now.plusSeconds(p.offset()));
                case STRUCTURE -> throw new IllegalStateException("structures are never placeholders");
            };
        };
    }

    private static TtlvItem nowValue(TtlvPlaceholder p, Instant now) throws InvalidRequestException {
        Instant at = now.plusSeconds(p.offset());
        return switch (p.type()) {
            case DATE_TIME -> new TtlvDateTime(p.tag(), at.getEpochSecond());
            case DATE_TIME_EXTENDED -> TtlvItem.dateTimeExtended(p.tag(), at);
            default -> throw new InvalidRequestException(ResultReason.INVALID_FIELD,
                    p.expression() + " is a time but " + p.tag().name() + " is a " + p.type().encodingName(), null);
        };
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
