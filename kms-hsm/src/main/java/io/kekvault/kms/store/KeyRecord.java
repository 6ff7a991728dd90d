package io.kekvault.kms.store;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything the KMS knows about a managed object except its key material, which stays in the
 * HSM. Immutable; change it through {@link #toBuilder()} and {@link MetadataStore#update}.
 *
 * <p>KMIP enumerations the store does not interpret (object type, algorithm, link type,
 * revocation reason) are kept as their specification names in upper snake case, for example
 * {@code SYMMETRIC_KEY}, {@code AES}, {@code KEY_COMPROMISE}. Dates are kept to the millisecond.
 *
 * @param id                       the KMIP Unique Identifier (a UUID string for keys the KMS makes)
 * @param objectType               KMIP Object Type name, e.g. {@code SYMMETRIC_KEY}
 * @param algorithm                KMIP Cryptographic Algorithm name, e.g. {@code AES}; null if none
 * @param lengthBits               Cryptographic Length in bits; null if none
 * @param usageMask                KMIP Cryptographic Usage Mask bits
 * @param state                    lifecycle state
 * @param names                    Name attribute values, in order; unique across the store
 * @param owner                    identity (client certificate CN) that owns the object
 * @param extractable              whether KMIP Get may return the key material
 * @param hsmLabel                 {@code CKA_LABEL} of the HSM object; null if none (destroyed, or not HSM-backed)
 * @param links                    Link attributes, in order
 * @param attributes               custom and other attributes, in order, with typed values
 * @param revocationReason         KMIP Revocation Reason Code name; null unless revoked
 * @param revocationMessage        revocation message; null if none
 * @param version                  optimistic-concurrency version: 1 after insert, +1 per update
 */
public record KeyRecord(
        String id,
        String objectType,
        String algorithm,
        Integer lengthBits,
        int usageMask,
        KeyState state,
        List<String> names,
        Instant initialDate,
        Instant activationDate,
        Instant deactivationDate,
        Instant compromiseDate,
        Instant compromiseOccurrenceDate,
        Instant destroyDate,
        Instant lastChangeDate,
        String owner,
        boolean extractable,
        String hsmLabel,
        List<KeyLink> links,
        List<Attribute> attributes,
        String revocationReason,
        String revocationMessage,
        long version) {

    public static final int MAX_ID_LENGTH = 128;
    /** Names are unique keys in the database; this bound keeps them indexable everywhere. */
    public static final int MAX_NAME_LENGTH = 512;
    public static final int MAX_IDENTITY_LENGTH = 255;
    public static final int MAX_ATTRIBUTES = 1024;

    public KeyRecord {
        Checks.text(id, "id", MAX_ID_LENGTH);
        Checks.text(objectType, "objectType", 64);
        Checks.optionalText(algorithm, "algorithm", 64);
        if (lengthBits != null && lengthBits < 0) {
            throw new IllegalArgumentException("lengthBits must not be negative");
        }
        Objects.requireNonNull(state, "state");
        names = List.copyOf(names);
        var seen = new HashSet<String>();
        for (String n : names) {
            Checks.text(n, "name", MAX_NAME_LENGTH);
            if (!seen.add(n)) {
                throw new IllegalArgumentException("duplicate name in one record");
            }
        }
        initialDate = millis(initialDate);
        activationDate = millis(activationDate);
        deactivationDate = millis(deactivationDate);
        compromiseDate = millis(compromiseDate);
        compromiseOccurrenceDate = millis(compromiseOccurrenceDate);
        destroyDate = millis(destroyDate);
        lastChangeDate = millis(lastChangeDate);
        Checks.text(owner, "owner", MAX_IDENTITY_LENGTH);
        Checks.optionalText(hsmLabel, "hsmLabel", 255);
        links = List.copyOf(links);
        attributes = List.copyOf(attributes);
        if (attributes.size() > MAX_ATTRIBUTES) {
            throw new IllegalArgumentException("more than " + MAX_ATTRIBUTES + " attributes");
        }
        Checks.optionalText(revocationReason, "revocationReason", 64);
        if (revocationMessage != null && revocationMessage.length() > 4096) {
            throw new IllegalArgumentException("revocationMessage is longer than 4096 characters");
        }
        if (version < 0) {
            throw new IllegalArgumentException("version must not be negative");
        }
    }

    private static Instant millis(Instant t) {
        return t == null ? null : t.truncatedTo(ChronoUnit.MILLIS);
    }

    /** The first attribute with this name, if any. */
    public Optional<AttributeValue> attribute(String name) {
        return attributes.stream().filter(a -> a.name().equals(name)).map(Attribute::value).findFirst();
    }

    /** Every instance of an attribute, in order. */
    public List<AttributeValue> attributes(String name) {
        return attributes.stream().filter(a -> a.name().equals(name)).map(Attribute::value).toList();
    }

    /** The identifiers this record links to with the given link type, in order. */
    public List<String> linked(String linkType) {
        return links.stream().filter(l -> l.linkType().equals(linkType)).map(KeyLink::linkedId).toList();
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    /** A builder for a new record: required are id, objectType, state and owner. */
    public static Builder builder() {
        return new Builder();
    }

    /** Mutable builder; {@link #build()} validates. */
    public static final class Builder {
        private String id;
        private String objectType;
        private String algorithm;
        private Integer lengthBits;
        private int usageMask;
        private KeyState state;
        private List<String> names = new ArrayList<>();
        private Instant initialDate;
        private Instant activationDate;
        private Instant deactivationDate;
        private Instant compromiseDate;
        private Instant compromiseOccurrenceDate;
        private Instant destroyDate;
        private Instant lastChangeDate;
        private String owner;
        private boolean extractable;
        private String hsmLabel;
        private List<KeyLink> links = new ArrayList<>();
        private List<Attribute> attributes = new ArrayList<>();
        private String revocationReason;
        private String revocationMessage;
        private long version;

        private Builder() {
        }

        private Builder(KeyRecord r) {
            id = r.id;
            objectType = r.objectType;
            algorithm = r.algorithm;
            lengthBits = r.lengthBits;
            usageMask = r.usageMask;
            state = r.state;
            names = new ArrayList<>(r.names);
            initialDate = r.initialDate;
            activationDate = r.activationDate;
            deactivationDate = r.deactivationDate;
            compromiseDate = r.compromiseDate;
            compromiseOccurrenceDate = r.compromiseOccurrenceDate;
            destroyDate = r.destroyDate;
            lastChangeDate = r.lastChangeDate;
            owner = r.owner;
            extractable = r.extractable;
            hsmLabel = r.hsmLabel;
            links = new ArrayList<>(r.links);
            attributes = new ArrayList<>(r.attributes);
            revocationReason = r.revocationReason;
            revocationMessage = r.revocationMessage;
            version = r.version;
        }

        public Builder id(String v) { id = v; return this; }
        public Builder objectType(String v) { objectType = v; return this; }
        public Builder algorithm(String v) { algorithm = v; return this; }
        public Builder lengthBits(Integer v) { lengthBits = v; return this; }
        public Builder usageMask(int v) { usageMask = v; return this; }
        public Builder state(KeyState v) { state = v; return this; }
        public Builder names(List<String> v) { names = new ArrayList<>(v); return this; }
        public Builder addName(String v) { names.add(v); return this; }
        public Builder initialDate(Instant v) { initialDate = v; return this; }
        public Builder activationDate(Instant v) { activationDate = v; return this; }
        public Builder deactivationDate(Instant v) { deactivationDate = v; return this; }
        public Builder compromiseDate(Instant v) { compromiseDate = v; return this; }
        public Builder compromiseOccurrenceDate(Instant v) { compromiseOccurrenceDate = v; return this; }
        public Builder destroyDate(Instant v) { destroyDate = v; return this; }
        public Builder lastChangeDate(Instant v) { lastChangeDate = v; return this; }
        public Builder owner(String v) { owner = v; return this; }
        public Builder extractable(boolean v) { extractable = v; return this; }
        public Builder hsmLabel(String v) { hsmLabel = v; return this; }
        public Builder links(List<KeyLink> v) { links = new ArrayList<>(v); return this; }
        public Builder addLink(String linkType, String linkedId) { links.add(new KeyLink(linkType, linkedId)); return this; }
        public Builder attributes(List<Attribute> v) { attributes = new ArrayList<>(v); return this; }
        public Builder addAttribute(Attribute v) { attributes.add(v); return this; }
        public Builder addAttribute(String name, AttributeValue v) { attributes.add(new Attribute(name, v)); return this; }

        /** Replaces every instance of the attribute with one value, at the place of the first (or at the end). */
        public Builder setAttribute(String name, AttributeValue v) {
            int at = -1;
            for (int i = 0; i < attributes.size(); i++) {
                if (attributes.get(i).name().equals(name)) {
                    at = i;
                    break;
                }
            }
            attributes.removeIf(a -> a.name().equals(name));
            attributes.add(at < 0 ? attributes.size() : at, new Attribute(name, v));
            return this;
        }

        public Builder removeAttribute(String name) { attributes.removeIf(a -> a.name().equals(name)); return this; }
        public Builder revocationReason(String v) { revocationReason = v; return this; }
        public Builder revocationMessage(String v) { revocationMessage = v; return this; }
        /** The version the record was read at; {@link MetadataStore#update} uses it as the expected version. */
        public Builder version(long v) { version = v; return this; }

        public KeyRecord build() {
            return new KeyRecord(id, objectType, algorithm, lengthBits, usageMask, state, names,
                    initialDate, activationDate, deactivationDate, compromiseDate, compromiseOccurrenceDate,
                    destroyDate, lastChangeDate, owner, extractable, hsmLabel, links, attributes,
                    revocationReason, revocationMessage, version);
        }
    }
}
