package io.kekvault.kmip.ttlv;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The names of one KMIP enumeration or bit mask: wire value to canonical XML/JSON name
 * ({@code SymmetricKey}, {@code DES3}) and back. Immutable.
 */
public final class EnumTable {
    private final String specName;
    private final boolean mask;
    private final Map<Integer, String> names;
    private final Map<Integer, String> specNames;
    private final Map<String, Integer> values;

    EnumTable(String specName, boolean mask, LinkedHashMap<Integer, String> specNamesByValue) {
        this.specName = specName;
        this.mask = mask;
        Map<Integer, String> n = new LinkedHashMap<>();
        Map<String, Integer> v = new HashMap<>();
        for (var e : specNamesByValue.entrySet()) {
            String name = KmipRegistry.normalize(e.getValue());
            if (v.put(name, e.getKey()) != null) {
                throw new IllegalStateException("duplicate name " + name + " in " + specName);
            }
            n.put(e.getKey(), name);
        }
        for (var e : specNamesByValue.entrySet()) {
            v.putIfAbsent(e.getValue(), e.getKey());
        }
        this.names = Collections.unmodifiableMap(n);
        this.specNames = Collections.unmodifiableMap(new LinkedHashMap<>(specNamesByValue));
        this.values = Map.copyOf(v);
    }

    /** The enumeration's name in the specifications ("Cryptographic Algorithm"). */
    public String specName() {
        return specName;
    }

    /** True for Integer bit masks (Cryptographic Usage Mask...), false for Enumerations. */
    public boolean isMask() {
        return mask;
    }

    /** Canonical XML/JSON name of {@code value}. */
    public Optional<String> name(int value) {
        return Optional.ofNullable(names.get(value));
    }

    /** The name as written in the specifications ("3DES", "Pre-Active"). */
    public Optional<String> specName(int value) {
        return Optional.ofNullable(specNames.get(value));
    }

    /** The value of a canonical name (also accepts the specification's spelling). */
    public Optional<Integer> value(String name) {
        return Optional.ofNullable(values.get(name));
    }

    /** All values, in table order. */
    public List<Integer> values() {
        return List.copyOf(names.keySet());
    }

    /** Enumeration: the name, or {@code 0x0000000A} when the value has none. */
    public String formatEnumeration(int value) {
        String n = names.get(value);
        return n != null ? n : hex8(value);
    }

    /**
     * Mask: the names of the set bits in table order joined by {@code separator}, then the
     * remaining unnamed bits as one hex token; {@code 0} for an empty mask.
     */
    public String formatMask(int value, String separator) {
        if (value == 0) {
            return "0";
        }
        List<String> parts = new ArrayList<>();
        int rest = value;
        for (var e : names.entrySet()) {
            int bit = e.getKey();
            if (bit != 0 && (rest & bit) == bit) {
                parts.add(e.getValue());
                rest &= ~bit;
            }
        }
        if (rest != 0) {
            parts.add(hex8(rest));
        }
        return String.join(separator, parts);
    }

    static String hex8(int value) {
        return String.format("0x%08X", value);
    }

    @Override
    public String toString() {
        return "EnumTable[" + specName + (mask ? ", mask" : "") + ", " + names.size() + " values]";
    }
}
