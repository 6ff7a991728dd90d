package io.kekvault.kms.op.kmip;

import io.kekvault.kmip.error.InvalidRequestException;
import io.kekvault.kmip.error.KmsException;
import io.kekvault.kmip.error.NotFoundException;
import io.kekvault.kmip.error.ResultReason;
import io.kekvault.kmip.error.UnsupportedException;
import io.kekvault.kmip.message.AttributeKey;
import io.kekvault.kmip.message.KmipAttribute;
import io.kekvault.kmip.ttlv.Tag;
import io.kekvault.kmip.ttlv.TtlvItem;
import io.kekvault.kms.store.Attribute;
import io.kekvault.kms.store.KeyLink;
import io.kekvault.kms.store.KeyRecord;
import io.kekvault.kms.store.KeyState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Add, Modify and Delete Attribute as pure functions from one record to the next (they run inside
 * {@link io.kekvault.kms.store.MetadataStore#modify}, possibly more than once). What a client may
 * edit: names, links, a Pre-Active key's activation date, the attributes kept as given (Contact
 * Information, Cryptographic Parameters...) and custom attributes. Everything the KMS manages is
 * read-only.
 */
final class AttributeEdits {
    private AttributeEdits() {
    }

    /** The changed record and the attribute instance the operation touched (with its 1.x index). */
    record Result(KeyRecord record, KmipAttribute attribute) {
    }

    // ------------------------------------------------------------------ add

    static Result add(KeyRecord k, KmipAttribute a, Instant now) throws KmsException {
        AttributeKey key = a.key();
        KeyRecord.Builder b = k.toBuilder().lastChangeDate(now);
        int index;
        if (is(key, Tag.NAME)) {
            String n = KmipAttributes.nameValue(a);
            if (k.names().contains(n)) {
                throw new InvalidRequestException(ResultReason.NON_UNIQUE_NAME_ATTRIBUTE, "the key already has the name '" + n + "'", null);
            }
            b.addName(n);
            index = k.names().size();
        } else if (is(key, Tag.LINK)) {
            b.addLink(KmipAttributes.link(a).linkType(), KmipAttributes.link(a).linkedId());
            index = k.links().size();
        } else if (is(key, Tag.ACTIVATION_DATE)) {
            if (k.activationDate() != null) {
                throw new InvalidRequestException(ResultReason.ATTRIBUTE_SINGLE_VALUED,
                        "the key has an Activation Date already; use Modify Attribute", null);
            }
            activation(k, b, a, now);
            index = 0;
        } else if (editable(key)) {
            List<Integer> at = positions(k, key);
            if (!at.isEmpty() && !KmipAttributes.isMultiValued(key)) {
                throw new InvalidRequestException(ResultReason.ATTRIBUTE_SINGLE_VALUED,
                        a.name1x() + " is single-valued and set already; use Modify Attribute", null);
            }
            b.addAttribute(KmipAttributes.stored(a));
            index = at.size();
        } else {
            throw notEditable(key);
        }
        return new Result(build(b), a.withIndex(index == 0 ? null : index));
    }

    // ------------------------------------------------------------------ modify

    /**
     * Replaces one instance: the one with {@code index} (KMIP 1.x, default 0), or the one equal to
     * {@code current} (KMIP 2.x), or the only one.
     */
    static Result modify(KeyRecord k, KmipAttribute next, Integer index, KmipAttribute current, Instant now) throws KmsException {
        AttributeKey key = next.key();
        if (current != null && !current.key().equals(key)) {
            throw new InvalidRequestException(ResultReason.INVALID_FIELD, "Current Attribute and New Attribute name different attributes", null);
        }
        KeyRecord.Builder b = k.toBuilder().lastChangeDate(now);
        int i;
        if (is(key, Tag.NAME)) {
            List<String> names = new ArrayList<>(k.names());
            i = instance(key, names.stream().map(n -> (TtlvItem) KmipAttributes.name(n).value()).toList(), index, current);
            String n = KmipAttributes.nameValue(next);
            if (!names.get(i).equals(n) && names.contains(n)) {
                throw new InvalidRequestException(ResultReason.NON_UNIQUE_NAME_ATTRIBUTE, "the key already has the name '" + n + "'", null);
            }
            names.set(i, n);
            b.names(names);
        } else if (is(key, Tag.LINK)) {
            List<KeyLink> links = new ArrayList<>(k.links());
            List<TtlvItem> values = new ArrayList<>();
            for (KeyLink l : links) {
                values.add(KmipAttributes.kmipLinkType(l.linkType()).map(t -> KmipAttribute.link(t, l.linkedId()).value())
                        .orElse(TtlvItem.text(Tag.LINK, l.linkType())));
            }
            i = instance(key, values, index, current);
            links.set(i, KmipAttributes.link(next));
            b.links(links);
        } else if (is(key, Tag.ACTIVATION_DATE)) {
            if (k.activationDate() == null) {
                throw new NotFoundException(ResultReason.ATTRIBUTE_NOT_FOUND, "the key has no Activation Date", null);
            }
            i = instance(key, List.of(TtlvItem.dateTime(Tag.ACTIVATION_DATE, k.activationDate())), index, current);
            activation(k, b, next, now);
        } else if (editable(key)) {
            List<Integer> at = positions(k, key);
            List<TtlvItem> values = new ArrayList<>();
            for (int p : at) {
                values.add(KmipAttributes.fromStore(valueTag(key), k.attributes().get(p).value()));
            }
            i = instance(key, values, index, current);
            List<Attribute> attrs = new ArrayList<>(k.attributes());
            attrs.set(at.get(i), KmipAttributes.stored(next));
            b.attributes(attrs);
        } else {
            throw notEditable(key);
        }
        return new Result(build(b), next.withIndex(i == 0 ? null : i));
    }

    // ------------------------------------------------------------------ delete

    /**
     * Deletes one instance (by {@code index} or equal to {@code current}), or every instance when
     * {@code all} (a KMIP 2.x Attribute Reference without Current Attribute). Returns the first
     * deleted instance.
     */
    static Result delete(KeyRecord k, AttributeKey key, Integer index, KmipAttribute current, boolean all, Instant now)
            throws KmsException {
        KeyRecord.Builder b = k.toBuilder().lastChangeDate(now);
        KmipAttribute deleted;
        int i;
        if (is(key, Tag.NAME)) {
            List<String> names = new ArrayList<>(k.names());
            List<TtlvItem> values = names.stream().map(n -> (TtlvItem) KmipAttributes.name(n).value()).toList();
            i = instance(key, values, all ? Integer.valueOf(0) : index, current);
            deleted = KmipAttribute.of(values.get(i));
            if (all) {
                names.clear();
            } else {
                names.remove(i);
            }
            b.names(names);
        } else if (is(key, Tag.LINK)) {
            List<KeyLink> links = new ArrayList<>(k.links());
            List<TtlvItem> values = new ArrayList<>();
            for (KeyLink l : links) {
                values.add(KmipAttributes.kmipLinkType(l.linkType()).map(t -> KmipAttribute.link(t, l.linkedId()).value())
                        .orElse(TtlvItem.text(Tag.LINK, l.linkType())));
            }
            i = instance(key, values, all ? Integer.valueOf(0) : index, current);
            deleted = KmipAttribute.of(values.get(i));
            if (all) {
                links.clear();
            } else {
                links.remove(i);
            }
            b.links(links);
        } else if (editable(key)) {
            List<Integer> at = positions(k, key);
            List<TtlvItem> values = new ArrayList<>();
            for (int p : at) {
                values.add(KmipAttributes.fromStore(valueTag(key), k.attributes().get(p).value()));
            }
            i = instance(key, values, all ? Integer.valueOf(0) : index, current);
            deleted = new KmipAttribute(key, null, values.get(i));
            List<Attribute> attrs = new ArrayList<>(k.attributes());
            if (all) {
                for (int j = at.size() - 1; j >= 0; j--) {
                    attrs.remove((int) at.get(j));
                }
            } else {
                attrs.remove((int) at.get(i));
            }
            b.attributes(attrs);
        } else {
            throw notEditable(key);
        }
        return new Result(build(b), deleted.withIndex(i == 0 ? null : i));
    }

    // ------------------------------------------------------------------ helpers

    private static boolean is(AttributeKey key, Tag tag) {
        return key instanceof AttributeKey.Standard s && s.tag().equals(tag);
    }

    private static boolean editable(AttributeKey key) {
        return key instanceof AttributeKey.Custom || KmipAttributes.isStoredStandard(key);
    }

    private static Tag valueTag(AttributeKey key) {
        return key instanceof AttributeKey.Standard s ? s.tag() : Tag.ATTRIBUTE_VALUE;
    }

    private static List<Integer> positions(KeyRecord k, AttributeKey key) {
        String name = KmipAttributes.storeName(key);
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < k.attributes().size(); i++) {
            if (k.attributes().get(i).name().equals(name)) {
                out.add(i);
            }
        }
        return out;
    }

    /** Which instance the request names: by value, by index, or the only one. */
    private static int instance(AttributeKey key, List<TtlvItem> values, Integer index, KmipAttribute current) throws KmsException {
        if (values.isEmpty()) {
            throw new NotFoundException(ResultReason.ATTRIBUTE_NOT_FOUND, "the key has no " + key.name1x(), null);
        }
        if (current != null) {
            TtlvItem want = current.value().withTag(values.getFirst().tag());
            for (int i = 0; i < values.size(); i++) {
                if (values.get(i).equals(want)) {
                    return i;
                }
            }
            throw new NotFoundException(ResultReason.ATTRIBUTE_INSTANCE_NOT_FOUND,
                    "the key has no " + key.name1x() + " with the current value given", null);
        }
        int i = index == null ? 0 : index;
        if (i < 0 || i >= values.size()) {
            throw new NotFoundException(ResultReason.ATTRIBUTE_INSTANCE_NOT_FOUND,
                    "the key has no " + key.name1x() + " with index " + i, null);
        }
        return i;
    }

    /** Sets the activation date of a Pre-Active key; a date that has come makes it Active. */
    private static void activation(KeyRecord k, KeyRecord.Builder b, KmipAttribute a, Instant now) throws KmsException {
        if (k.state() != KeyState.PRE_ACTIVE) {
            throw new InvalidRequestException(ResultReason.ATTRIBUTE_READ_ONLY,
                    "the Activation Date of a key that is not Pre-Active cannot change", null);
        }
        Instant at = a.value().asDateTime();
        b.activationDate(at);
        if (!at.isAfter(now)) {
            b.state(KeyState.ACTIVE);
        }
    }

    private static KmsException notEditable(AttributeKey key) {
        if (key instanceof AttributeKey.Standard s && KmipAttributes.READ_ONLY.contains(s.tag())) {
            return new InvalidRequestException(ResultReason.ATTRIBUTE_READ_ONLY, key.name1x() + " is set by the server only", null);
        }
        return new UnsupportedException(ResultReason.UNSUPPORTED_ATTRIBUTE, "the attribute " + key.name1x()
                + " is not supported for symmetric keys", null);
    }

    private static KeyRecord build(KeyRecord.Builder b) throws InvalidRequestException {
        try {
            return b.build();
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException(ResultReason.INVALID_FIELD, e.getMessage(), null);
        }
    }
}
