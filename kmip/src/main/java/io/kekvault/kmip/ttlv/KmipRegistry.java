package io.kekvault.kmip.ttlv;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The KMIP 1.0-2.1 name tables: every tag with its specification name and its canonical XML/JSON
 * name, and the value names of the enumerations and masks. The tables are data
 * ({@code kmip-tags.txt}, {@code kmip-enums.txt} next to this class) written from the
 * specifications; canonical names are derived from the specification names by the normalization
 * rule of the KMIP Profiles ({@link #normalize(String)}).
 */
public final class KmipRegistry {

    private static final Pattern NON_WORD_AT_WORD = Pattern.compile("[^A-Za-z0-9_]([A-Za-z][a-z])");
    private static final Pattern LEADING_DIGITS = Pattern.compile("^([0-9]+)(.*)$");

    private static final Map<Integer, String> TAG_SPEC_NAMES;
    private static final Map<Integer, String> TAG_NAMES;
    private static final Map<String, Integer> TAG_BY_NAME;
    private static final Map<String, Integer> TAG_BY_SPEC_NAME;
    private static final Map<Integer, EnumTable> TABLE_BY_TAG;
    private static final Map<String, EnumTable> TABLE_BY_NAME;
    private static final EnumTable TAG_TABLE;

    static {
        Map<Integer, String> spec = new TreeMap<>();
        Map<Integer, String> names = new HashMap<>();
        Map<String, Integer> byName = new HashMap<>();
        Map<String, Integer> bySpec = new HashMap<>();
        for (String line : lines("kmip-tags.txt")) {
            int sp = line.indexOf(' ');
            int value = Integer.parseInt(line.substring(0, sp), 16);
            String specName = line.substring(sp + 1).trim();
            String name = normalize(specName);
            if (spec.put(value, specName) != null || byName.put(name, value) != null) {
                throw new IllegalStateException("duplicate tag " + line);
            }
            names.put(value, name);
            bySpec.put(specName, value);
        }
        TAG_SPEC_NAMES = Collections.unmodifiableMap(spec);
        TAG_NAMES = Map.copyOf(names);
        TAG_BY_NAME = Map.copyOf(byName);
        TAG_BY_SPEC_NAME = Map.copyOf(bySpec);

        Map<Integer, EnumTable> byTag = new HashMap<>();
        Map<String, EnumTable> byTableName = new HashMap<>();
        String current = null;
        boolean mask = false;
        List<String> also = new ArrayList<>();
        LinkedHashMap<Integer, String> values = new LinkedHashMap<>();
        List<String> all = new ArrayList<>(lines("kmip-enums.txt"));
        all.add("end");
        for (String line : all) {
            boolean header = line.startsWith("enum ") || line.startsWith("mask ") || line.equals("end");
            if (header && current != null) {
                EnumTable t = new EnumTable(current, mask, values);
                byTableName.put(current, t);
                List<String> tags = new ArrayList<>(also);
                tags.add(0, current);
                for (String tagSpecName : tags) {
                    Integer tag = bySpec.get(tagSpecName);
                    if (tag == null) {
                        throw new IllegalStateException("enumeration " + current + " names unknown tag " + tagSpecName);
                    }
                    if (byTag.put(tag, t) != null) {
                        throw new IllegalStateException("two tables for tag " + tagSpecName);
                    }
                }
                current = null;
                also.clear();
                values = new LinkedHashMap<>();
            }
            if (line.equals("end")) {
                break;
            }
            if (header) {
                mask = line.startsWith("mask ");
                current = line.substring(5).trim();
            } else if (line.startsWith("also ")) {
                also.add(line.substring(5).trim());
            } else {
                int sp = line.indexOf(' ');
                int value = (int) Long.parseLong(line.substring(0, sp), 16);
                if (values.put(value, line.substring(sp + 1).trim()) != null) {
                    throw new IllegalStateException("duplicate value in " + current + ": " + line);
                }
            }
        }
        TABLE_BY_TAG = Map.copyOf(byTag);
        TABLE_BY_NAME = Map.copyOf(byTableName);
        TAG_TABLE = new EnumTable("Tag", false, new LinkedHashMap<>(spec));
    }

    private KmipRegistry() {
    }

    private static List<String> lines(String resource) {
        try (InputStream in = KmipRegistry.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + resource);
            }
            List<String> out = new ArrayList<>();
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line; (line = r.readLine()) != null; ) {
                String t = line.strip();
                if (!t.isEmpty() && !t.startsWith("#")) {
                    out.add(t);
                }
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The KMIP Profiles rule that turns specification text into a canonical XML/JSON name:
     * round brackets become spaces; a non-word character followed by a letter and a lower-case
     * letter becomes a space; other non-word characters become underscores; leading digits of
     * the first word move to its end; each word is capitalized and the words are joined.
     * ("IV/Counter/Nonce" gives IVCounterNonce, "3DES" gives DES3, "SHA-256" gives SHA_256.)
     */
    public static String normalize(String text) {
        String s = text.replace('(', ' ').replace(')', ' ');
        s = NON_WORD_AT_WORD.matcher(s).replaceAll(" $1");
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean word = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
            sb.append(word || c == ' ' ? c : '_');
        }
        String[] words = sb.toString().split(" ", -1);
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < words.length; i++) {
            String w = words[i];
            if (i == 0) {
                var m = LEADING_DIGITS.matcher(w);
                if (m.matches()) {
                    w = m.group(2) + m.group(1);
                }
            }
            if (!w.isEmpty() && Character.isLetter(w.charAt(0))) {
                w = w.substring(0, 1).toUpperCase(Locale.ROOT) + w.substring(1);
            }
            out.append(w);
        }
        return out.toString();
    }

    static Optional<String> tagName(int tag) {
        return Optional.ofNullable(TAG_NAMES.get(tag));
    }

    static Optional<String> tagSpecName(int tag) {
        return Optional.ofNullable(TAG_SPEC_NAMES.get(tag));
    }

    static Optional<Integer> tagForName(String name) {
        return Optional.ofNullable(TAG_BY_NAME.get(name));
    }

    static Optional<Integer> tagForSpecName(String specName) {
        return Optional.ofNullable(TAG_BY_SPEC_NAME.get(specName));
    }

    /** Every tag of the specifications, in value order. */
    public static List<Tag> knownTags() {
        return TAG_SPEC_NAMES.keySet().stream().map(Tag::new).toList();
    }

    /** The value names of the enumeration or mask carried by {@code tag}, if it has one. */
    public static Optional<EnumTable> enumTable(Tag tag) {
        if (tag.equals(Tag.ATTRIBUTE_REFERENCE) || tag.equals(Tag.TAG)) {
            return Optional.of(TAG_TABLE);
        }
        return Optional.ofNullable(TABLE_BY_TAG.get(tag.value()));
    }

    /** A table by its specification name ("Cryptographic Algorithm", "Cryptographic Usage Mask"). */
    public static Optional<EnumTable> enumTableNamed(String specName) {
        return Optional.ofNullable(TABLE_BY_NAME.get(specName));
    }

    /** The table whose values are tags (used by Attribute Reference and Tag enumerations in KMIP 2.x). */
    public static EnumTable tagTable() {
        return TAG_TABLE;
    }

    /**
     * The table for a value with {@code tag}; for a KMIP 1.x {@code AttributeValue} it is the
     * table of the attribute named by the sibling {@code AttributeName} ({@code attributeName},
     * may be null).
     */
    public static Optional<EnumTable> valueTable(Tag tag, String attributeName) {
        if (tag.equals(Tag.ATTRIBUTE_VALUE)) {
            if (attributeName == null) {
                return Optional.empty();
            }
            Integer attrTag = TAG_BY_SPEC_NAME.get(attributeName);
            return attrTag == null ? Optional.empty() : enumTable(new Tag(attrTag));
        }
        return enumTable(tag);
    }

    static String formatEnumeration(Tag tag, String attributeName, int value) {
        return valueTable(tag, attributeName).map(t -> t.formatEnumeration(value)).orElseGet(() -> EnumTable.hex8(value));
    }
}
