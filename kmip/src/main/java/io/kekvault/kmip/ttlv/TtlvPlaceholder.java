package io.kekvault.kmip.ttlv;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A value the KMIP test vectors leave open, such as {@code $NOW}, {@code $NOW-3600} or
 * {@code $UNIQUE_IDENTIFIER_0}: only the XML and JSON readers create it, and only when asked
 * to ({@link TextCodecOptions#placeholders()}). The binary encoder refuses it; substitute it
 * first with {@link Placeholders#substitute}, or compare against it with {@link TtlvMatcher}.
 */
public record TtlvPlaceholder(Tag tag, ItemType type, String expression) implements TtlvItem {

    /** {@code $NAME}, {@code $NAME_3}, optionally followed by a signed offset such as {@code -3600}. */
    public static final Pattern SYNTAX = Pattern.compile("\\$([A-Z][A-Z0-9_]*?)(?:_([0-9]+))?([+-][0-9]{1,12})?");

    public TtlvPlaceholder {
        Objects.requireNonNull(tag, "tag");
        Objects.requireNonNull(type, "type");
        if (type == ItemType.STRUCTURE) {
            throw new IllegalArgumentException("a structure cannot be a placeholder");
        }
        if (!SYNTAX.matcher(expression).matches()) {
            throw new IllegalArgumentException("not a placeholder: " + expression);
        }
    }

    public static boolean isPlaceholder(String value) {
        return value != null && value.startsWith("$") && SYNTAX.matcher(value).matches();
    }

    /** The placeholder name without index and offset: {@code NOW}, {@code UNIQUE_IDENTIFIER}. */
    public String name() {
        var m = SYNTAX.matcher(expression);
        m.matches();
        return m.group(1);
    }

    /** The index after the name ({@code 0} in {@code $UNIQUE_IDENTIFIER_0}), or -1. */
    public int index() {
        var m = SYNTAX.matcher(expression);
        m.matches();
        return m.group(2) == null ? -1 : Integer.parseInt(m.group(2));
    }

    /** The signed offset ({@code -3600} in {@code $NOW-3600}), or 0. */
    public long offset() {
        var m = SYNTAX.matcher(expression);
        m.matches();
        return m.group(3) == null ? 0 : Long.parseLong(m.group(3));
    }

    /** The expression without its offset, identifying the value: {@code $UNIQUE_IDENTIFIER_0}, {@code $NOW}. */
    public String key() {
        var m = SYNTAX.matcher(expression);
        m.matches();
        return m.group(3) == null ? expression : expression.substring(0, m.start(3));
    }

    @Override
    public TtlvPlaceholder withTag(Tag tag) {
        return new TtlvPlaceholder(tag, type, expression);
    }

    @Override
    public String toString() {
        return tag.name() + "=" + type.encodingName() + "(" + expression + ")";
    }
}
