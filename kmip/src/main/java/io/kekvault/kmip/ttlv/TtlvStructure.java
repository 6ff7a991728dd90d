package io.kekvault.kmip.ttlv;

import io.kekvault.kmip.error.InvalidRequestException;
import io.kekvault.kmip.error.ResultReason;

import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A Structure: an ordered, immutable list of child items.
 *
 * <p>The getters come in two kinds. Required ones ({@link #text(Tag)}, {@link #integer(Tag)}...)
 * throw {@link InvalidRequestException} with reason {@code MISSING_DATA} when the child is absent
 * and {@code INVALID_FIELD} when it has another type; optional ones ({@link #optText(Tag)}...)
 * return an empty Optional when absent and still refuse a wrong type. When a tag occurs several
 * times, the single-value getters read the first occurrence; {@link #findAll(Tag)} reads all.
 */
public record TtlvStructure(Tag tag, List<TtlvItem> children) implements TtlvItem {

    public TtlvStructure {
        Objects.requireNonNull(tag, "tag");
        children = List.copyOf(children);
    }

    @Override
    public ItemType type() {
        return ItemType.STRUCTURE;
    }

    @Override
    public TtlvStructure withTag(Tag tag) {
        return new TtlvStructure(tag, children);
    }

    public static Builder builder(Tag tag) {
        return new Builder(tag);
    }

    /** A builder that starts with this structure's children. */
    public Builder toBuilder() {
        Builder b = new Builder(tag);
        b.children.addAll(children);
        return b;
    }

    public boolean has(Tag child) {
        for (TtlvItem c : children) {
            if (c.tag().equals(child)) {
                return true;
            }
        }
        return false;
    }

    public Optional<TtlvItem> find(Tag child) {
        for (TtlvItem c : children) {
            if (c.tag().equals(child)) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }

    public List<TtlvItem> findAll(Tag child) {
        List<TtlvItem> out = new ArrayList<>();
        for (TtlvItem c : children) {
            if (c.tag().equals(child)) {
                out.add(c);
            }
        }
        return out;
    }

    /** The first child with {@code child}, or {@code MISSING_DATA}. */
    public TtlvItem required(Tag child) throws InvalidRequestException {
        for (TtlvItem c : children) {
            if (c.tag().equals(child)) {
                return c;
            }
        }
        throw new InvalidRequestException(ResultReason.MISSING_DATA,
                tag.name() + " is missing the required " + child.name(), null);
    }

    public TtlvStructure structure(Tag child) throws InvalidRequestException {
        return required(child).asStructure();
    }

    public Optional<TtlvStructure> optStructure(Tag child) throws InvalidRequestException {
        Optional<TtlvItem> i = find(child);
        return i.isPresent() ? Optional.of(i.get().asStructure()) : Optional.empty();
    }

    public int integer(Tag child) throws InvalidRequestException {
        return required(child).asInteger();
    }

    public Optional<Integer> optInteger(Tag child) throws InvalidRequestException {
        Optional<TtlvItem> i = find(child);
        return i.isPresent() ? Optional.of(i.get().asInteger()) : Optional.empty();
    }

    public long longInteger(Tag child) throws InvalidRequestException {
        return required(child).asLongInteger();
    }

    public Optional<Long> optLongInteger(Tag child) throws InvalidRequestException {
        Optional<TtlvItem> i = find(child);
        return i.isPresent() ? Optional.of(i.get().asLongInteger()) : Optional.empty();
    }

    public BigInteger bigInteger(Tag child) throws InvalidRequestException {
        return required(child).asBigInteger();
    }

    public Optional<BigInteger> optBigInteger(Tag child) throws InvalidRequestException {
        Optional<TtlvItem> i = find(child);
        return i.isPresent() ? Optional.of(i.get().asBigInteger()) : Optional.empty();
    }

    public int enumeration(Tag child) throws InvalidRequestException {
        return required(child).asEnumeration();
    }

    public Optional<Integer> optEnumeration(Tag child) throws InvalidRequestException {
        Optional<TtlvItem> i = find(child);
        return i.isPresent() ? Optional.of(i.get().asEnumeration()) : Optional.empty();
    }

    /** The enumeration as a Java enum; an unknown value is {@code INVALID_FIELD}. */
    public <E extends Enum<E> & KmipEnum> E enumeration(Tag child, Class<E> type) throws InvalidRequestException {
        return KmipEnums.fromValue(type, child, enumeration(child));
    }

    public <E extends Enum<E> & KmipEnum> Optional<E> optEnumeration(Tag child, Class<E> type)
            throws InvalidRequestException {
        Optional<Integer> v = optEnumeration(child);
        return v.isPresent() ? Optional.of(KmipEnums.fromValue(type, child, v.get())) : Optional.empty();
    }

    public boolean bool(Tag child) throws InvalidRequestException {
        return required(child).asBoolean();
    }

    public Optional<Boolean> optBool(Tag child) throws InvalidRequestException {
        Optional<TtlvItem> i = find(child);
        return i.isPresent() ? Optional.of(i.get().asBoolean()) : Optional.empty();
    }

    public String text(Tag child) throws InvalidRequestException {
        return required(child).asText();
    }

    public Optional<String> optText(Tag child) throws InvalidRequestException {
        Optional<TtlvItem> i = find(child);
        return i.isPresent() ? Optional.of(i.get().asText()) : Optional.empty();
    }

    /** Every text value with {@code child}, in order. */
    public List<String> texts(Tag child) throws InvalidRequestException {
        List<String> out = new ArrayList<>();
        for (TtlvItem c : children) {
            if (c.tag().equals(child)) {
                out.add(c.asText());
            }
        }
        return out;
    }

    /** Every enumeration value with {@code child}, in order. */
    public List<Integer> enumerations(Tag child) throws InvalidRequestException {
        List<Integer> out = new ArrayList<>();
        for (TtlvItem c : children) {
            if (c.tag().equals(child)) {
                out.add(c.asEnumeration());
            }
        }
        return out;
    }

    /** Every structure with {@code child}, in order. */
    public List<TtlvStructure> structures(Tag child) throws InvalidRequestException {
        List<TtlvStructure> out = new ArrayList<>();
        for (TtlvItem c : children) {
            if (c.tag().equals(child)) {
                out.add(c.asStructure());
            }
        }
        return out;
    }

    /** A copy of the bytes. */
    public byte[] bytes(Tag child) throws InvalidRequestException {
        return required(child).asBytes();
    }

    public Optional<byte[]> optBytes(Tag child) throws InvalidRequestException {
        Optional<TtlvItem> i = find(child);
        return i.isPresent() ? Optional.of(i.get().asBytes()) : Optional.empty();
    }

    public Instant dateTime(Tag child) throws InvalidRequestException {
        return required(child).asDateTime();
    }

    public Optional<Instant> optDateTime(Tag child) throws InvalidRequestException {
        Optional<TtlvItem> i = find(child);
        return i.isPresent() ? Optional.of(i.get().asDateTime()) : Optional.empty();
    }

    public long interval(Tag child) throws InvalidRequestException {
        return required(child).asInterval();
    }

    public Optional<Long> optInterval(Tag child) throws InvalidRequestException {
        Optional<TtlvItem> i = find(child);
        return i.isPresent() ? Optional.of(i.get().asInterval()) : Optional.empty();
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(tag.name()).append('{');
        for (int i = 0; i < children.size(); i++) {
            if (i > 0) {
                sb.append(", ");
            }
            sb.append(children.get(i));
        }
        return sb.append('}').toString();
    }

    /** Builds a structure; {@code null} values are skipped by the {@code opt} adders. */
    public static final class Builder {
        private final Tag tag;
        private final List<TtlvItem> children = new ArrayList<>();

        private Builder(Tag tag) {
            this.tag = Objects.requireNonNull(tag, "tag");
        }

        public Builder add(TtlvItem item) {
            children.add(Objects.requireNonNull(item, "item"));
            return this;
        }

        public Builder addAll(List<? extends TtlvItem> items) {
            for (TtlvItem i : items) {
                add(i);
            }
            return this;
        }

        /** Adds {@code item} unless it is null. */
        public Builder opt(TtlvItem item) {
            if (item != null) {
                children.add(item);
            }
            return this;
        }

        public Builder text(Tag t, String v) {
            return add(new TtlvTextString(t, v));
        }

        public Builder optText(Tag t, String v) {
            return v == null ? this : text(t, v);
        }

        public Builder integer(Tag t, int v) {
            return add(new TtlvInteger(t, v));
        }

        public Builder optInteger(Tag t, Integer v) {
            return v == null ? this : integer(t, v);
        }

        public Builder longInteger(Tag t, long v) {
            return add(new TtlvLongInteger(t, v));
        }

        public Builder enumeration(Tag t, int v) {
            return add(new TtlvEnumeration(t, v));
        }

        public Builder enumeration(Tag t, KmipEnum v) {
            return add(new TtlvEnumeration(t, v.value()));
        }

        public Builder optEnumeration(Tag t, KmipEnum v) {
            return v == null ? this : enumeration(t, v);
        }

        public Builder bool(Tag t, boolean v) {
            return add(new TtlvBoolean(t, v));
        }

        public Builder optBool(Tag t, Boolean v) {
            return v == null ? this : bool(t, v);
        }

        public Builder bytes(Tag t, byte[] v) {
            return add(new TtlvByteString(t, v));
        }

        public Builder optBytes(Tag t, byte[] v) {
            return v == null ? this : bytes(t, v);
        }

        public Builder dateTime(Tag t, Instant v) {
            return add(TtlvItem.dateTime(t, v));
        }

        public Builder optDateTime(Tag t, Instant v) {
            return v == null ? this : dateTime(t, v);
        }

        public Builder interval(Tag t, long seconds) {
            return add(new TtlvInterval(t, seconds));
        }

        public boolean isEmpty() {
            return children.isEmpty();
        }

        public TtlvStructure build() {
            return new TtlvStructure(tag, children);
        }
    }
}
