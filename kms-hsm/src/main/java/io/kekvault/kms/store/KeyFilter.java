package io.kekvault.kms.store;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Criteria for {@link MetadataStore#list} and {@link MetadataStore#locate}. Every criterion that is
 * set must match (AND); unset criteria (null, empty, 0) match everything.
 *
 * @param states       the record's state is one of these
 * @param owner        owner identity equals
 * @param algorithm    algorithm name equals
 * @param objectType   object type name equals
 * @param name         one of the record's names equals
 * @param lengthBits   length in bits equals
 * @param usageMaskAll every bit of this mask is set in the record's usage mask
 * @param attributes   for each, the record has an attribute instance with that name, type and value
 * @param visibleTo    the identity owns the record or holds a grant on it
 */
public record KeyFilter(
        Set<KeyState> states,
        String owner,
        String algorithm,
        String objectType,
        String name,
        Integer lengthBits,
        int usageMaskAll,
        List<Attribute> attributes,
        String visibleTo) {

    public KeyFilter {
        states = states == null || states.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(states));
        attributes = attributes == null ? List.of() : List.copyOf(attributes);
    }

    /** Matches every record. */
    public static KeyFilter all() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public static final class Builder {
        private final Set<KeyState> states = EnumSet.noneOf(KeyState.class);
        private String owner;
        private String algorithm;
        private String objectType;
        private String name;
        private Integer lengthBits;
        private int usageMaskAll;
        private final List<Attribute> attributes = new ArrayList<>();
        private String visibleTo;

        private Builder() {
        }

        public Builder state(KeyState... v) { states.addAll(List.of(v)); return this; }
        public Builder owner(String v) { owner = v; return this; }
        public Builder algorithm(String v) { algorithm = v; return this; }
        public Builder objectType(String v) { objectType = v; return this; }
        public Builder name(String v) { name = v; return this; }
        public Builder lengthBits(Integer v) { lengthBits = v; return this; }
        public Builder usageMaskAll(int v) { usageMaskAll = v; return this; }
        public Builder attribute(Attribute v) { attributes.add(v); return this; }
        public Builder attribute(String name, AttributeValue v) { attributes.add(new Attribute(name, v)); return this; }
        public Builder visibleTo(String identity) { visibleTo = identity; return this; }

        public KeyFilter build() {
            return new KeyFilter(states, owner, algorithm, objectType, name, lengthBits, usageMaskAll, attributes, visibleTo);
        }
    }
}
