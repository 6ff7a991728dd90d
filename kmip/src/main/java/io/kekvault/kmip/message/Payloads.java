package io.kekvault.kmip.message;

import io.kekvault.kmip.error.InvalidRequestException;
import io.kekvault.kmip.error.KmsException;
import io.kekvault.kmip.error.ResultReason;
import io.kekvault.kmip.ttlv.Tag;
import io.kekvault.kmip.ttlv.TtlvItem;
import io.kekvault.kmip.ttlv.TtlvStructure;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Request and response payloads of the operations whose wire form changed between KMIP 1.x and
 * 2.x (everything that carries attributes), built for a given protocol version and read from
 * either form. Both the client and a server use the same code, so they cannot disagree.
 *
 * <p>Readers throw {@link InvalidRequestException} ({@code MISSING_DATA}/{@code INVALID_FIELD}).
 */
public final class Payloads {
    private Payloads() {
    }

    private static TtlvStructure.Builder request() {
        return TtlvStructure.builder(Tag.REQUEST_PAYLOAD);
    }

    private static TtlvStructure.Builder response() {
        return TtlvStructure.builder(Tag.RESPONSE_PAYLOAD);
    }

    // ------------------------------------------------------------------ Create / Register / Locate

    public record CreateRequest(ObjectType objectType, List<KmipAttribute> attributes) {
        public CreateRequest {
            attributes = List.copyOf(attributes);
        }
    }

    public static TtlvStructure createRequest(ObjectType type, List<KmipAttribute> attributes, ProtocolVersion v) {
        return request().enumeration(Tag.OBJECT_TYPE, type).add(AttributeCodec.writeContainer(attributes, v)).build();
    }

    public static CreateRequest readCreateRequest(TtlvStructure p) throws KmsException {
        return new CreateRequest(p.enumeration(Tag.OBJECT_TYPE, ObjectType.class), AttributeCodec.readFromPayload(p));
    }

    /** Create (and Register) response: Object Type (Create only) and Unique Identifier. */
    public static TtlvStructure createResponse(ObjectType type, String uniqueIdentifier) {
        return response().optEnumeration(Tag.OBJECT_TYPE, type).text(Tag.UNIQUE_IDENTIFIER, uniqueIdentifier).build();
    }

    public record RegisterRequest(ObjectType objectType, TtlvStructure object, List<KmipAttribute> attributes) {
        public RegisterRequest {
            attributes = List.copyOf(attributes);
        }
    }

    /** {@code object} is the managed object structure ({@code SymmetricKey}, {@code SecretData}...). */
    public static TtlvStructure registerRequest(ObjectType type, TtlvStructure object, List<KmipAttribute> attributes,
                                                ProtocolVersion v) {
        return request().enumeration(Tag.OBJECT_TYPE, type).add(AttributeCodec.writeContainer(attributes, v)).add(object).build();
    }

    public static RegisterRequest readRegisterRequest(TtlvStructure p) throws KmsException {
        ObjectType type = p.enumeration(Tag.OBJECT_TYPE, ObjectType.class);
        TtlvStructure object = null;
        for (TtlvItem c : p.children()) {
            if (ManagedObjects.isObjectTag(c.tag())) {
                object = c.asStructure();
            }
        }
        if (object == null) {
            throw new InvalidRequestException(ResultReason.MISSING_DATA, "Register needs the managed object", null);
        }
        return new RegisterRequest(type, object, AttributeCodec.readFromPayload(p));
    }

    public record LocateRequest(Integer maximumItems, Integer offsetItems, List<KmipAttribute> attributes) {
        public LocateRequest {
            attributes = List.copyOf(attributes);
        }
    }

    /** Locate: 1.x lists {@code Attribute} structures directly in the payload, 2.x wraps them in {@code Attributes}. */
    public static TtlvStructure locateRequest(List<KmipAttribute> attributes, Integer maximumItems, ProtocolVersion v) {
        var b = request().optInteger(Tag.MAXIMUM_ITEMS, maximumItems);
        if (v.isV2()) {
            b.add(AttributeCodec.writeContainer(attributes, v));
        } else {
            for (KmipAttribute a : attributes) {
                b.add(AttributeCodec.write1x(a));
            }
        }
        return b.build();
    }

    public static LocateRequest readLocateRequest(TtlvStructure p) throws KmsException {
        List<KmipAttribute> attrs = new ArrayList<>();
        for (TtlvItem c : p.children()) {
            if (c.tag().equals(Tag.ATTRIBUTE)) {
                attrs.add(AttributeCodec.readAttributeStructure(c.asStructure()));
            } else if (c.tag().equals(Tag.ATTRIBUTES)) {
                attrs.addAll(AttributeCodec.readContainer(c.asStructure()));
            }
        }
        return new LocateRequest(p.optInteger(Tag.MAXIMUM_ITEMS).orElse(null), p.optInteger(Tag.OFFSET_ITEMS).orElse(null), attrs);
    }

    public static TtlvStructure locateResponse(Integer locatedItems, List<String> uniqueIdentifiers) {
        var b = response().optInteger(Tag.LOCATED_ITEMS, locatedItems);
        for (String u : uniqueIdentifiers) {
            b.text(Tag.UNIQUE_IDENTIFIER, u);
        }
        return b.build();
    }

    // ------------------------------------------------------------------ Get Attributes / Get Attribute List

    public record AttributesOf(String uniqueIdentifier, List<KmipAttribute> attributes) {
        public AttributesOf {
            attributes = List.copyOf(attributes);
        }

        /** The first value of {@code key}. */
        public Optional<KmipAttribute> get(AttributeKey key) {
            return attributes.stream().filter(a -> a.key().equals(key)).findFirst();
        }

        public Optional<KmipAttribute> get(Tag tag) {
            return get(AttributeKey.of(tag));
        }

        public List<KmipAttribute> all(AttributeKey key) {
            return attributes.stream().filter(a -> a.key().equals(key)).toList();
        }
    }

    public record References(String uniqueIdentifier, List<AttributeKey> keys) {
        public References {
            keys = List.copyOf(keys);
        }
    }

    /** Get Attributes request; an empty {@code keys} asks for every attribute. {@code uid} may be null (ID placeholder). */
    public static TtlvStructure getAttributesRequest(String uid, List<AttributeKey> keys, ProtocolVersion v) {
        var b = request().optText(Tag.UNIQUE_IDENTIFIER, uid);
        for (AttributeKey k : keys) {
            b.add(AttributeCodec.writeReference(k, v));
        }
        return b.build();
    }

    public static References readGetAttributesRequest(TtlvStructure p) throws KmsException {
        return new References(p.optText(Tag.UNIQUE_IDENTIFIER).orElse(null), AttributeCodec.readReferences(p));
    }

    /** Get Attributes response: 1.x lists {@code Attribute} structures, 2.x one {@code Attributes} structure. */
    public static TtlvStructure getAttributesResponse(String uid, List<KmipAttribute> attributes, ProtocolVersion v) {
        var b = response().text(Tag.UNIQUE_IDENTIFIER, uid);
        if (v.isV2()) {
            b.add(AttributeCodec.writeContainer(attributes, v));
        } else {
            for (KmipAttribute a : attributes) {
                b.add(AttributeCodec.write1x(a));
            }
        }
        return b.build();
    }

    public static AttributesOf readGetAttributesResponse(TtlvStructure p) throws KmsException {
        List<KmipAttribute> attrs = new ArrayList<>();
        for (TtlvItem c : p.children()) {
            if (c.tag().equals(Tag.ATTRIBUTE)) {
                attrs.add(AttributeCodec.readAttributeStructure(c.asStructure()));
            } else if (c.tag().equals(Tag.ATTRIBUTES)) {
                attrs.addAll(AttributeCodec.readContainer(c.asStructure()));
            }
        }
        return new AttributesOf(p.text(Tag.UNIQUE_IDENTIFIER), attrs);
    }

    public static TtlvStructure uniqueIdentifierPayload(Tag payloadTag, String uid) {
        return TtlvStructure.builder(payloadTag).optText(Tag.UNIQUE_IDENTIFIER, uid).build();
    }

    /** Get Attribute List response: 1.x Attribute Names, 2.x Attribute References. */
    public static TtlvStructure getAttributeListResponse(String uid, List<AttributeKey> keys, ProtocolVersion v) {
        var b = response().text(Tag.UNIQUE_IDENTIFIER, uid);
        for (AttributeKey k : keys) {
            b.add(AttributeCodec.writeReference(k, v));
        }
        return b.build();
    }

    public static References readGetAttributeListResponse(TtlvStructure p) throws KmsException {
        return new References(p.text(Tag.UNIQUE_IDENTIFIER), AttributeCodec.readReferences(p));
    }

    // ------------------------------------------------------------------ Add / Modify / Delete Attribute

    /**
     * An attribute edit. {@code attribute} is the new value (Add, Modify) or, for Delete, the value
     * to delete when given; {@code current} the value being replaced (2.x Modify), or null;
     * {@code key} and {@code index} name the attribute for Delete.
     */
    public record AttributeEdit(String uniqueIdentifier, AttributeKey key, Integer index, KmipAttribute current,
                                KmipAttribute attribute) {
    }

    /** Add Attribute: 1.x {@code Attribute}, 2.x {@code NewAttribute}. */
    public static TtlvStructure addAttributeRequest(String uid, KmipAttribute a, ProtocolVersion v) {
        return request().optText(Tag.UNIQUE_IDENTIFIER, uid).add(edited(a, Tag.NEW_ATTRIBUTE, v)).build();
    }

    /** Modify Attribute: 1.x {@code Attribute} (with its index), 2.x {@code CurrentAttribute?} and {@code NewAttribute}. */
    public static TtlvStructure modifyAttributeRequest(String uid, KmipAttribute current, KmipAttribute a, ProtocolVersion v) {
        var b = request().optText(Tag.UNIQUE_IDENTIFIER, uid);
        if (v.isV2() && current != null) {
            b.add(edited(current, Tag.CURRENT_ATTRIBUTE, v));
        }
        return b.add(edited(a, Tag.NEW_ATTRIBUTE, v)).build();
    }

    /** Delete Attribute by name: 1.x {@code AttributeName} and {@code AttributeIndex?}, 2.x {@code AttributeReference}. */
    public static TtlvStructure deleteAttributeRequest(String uid, AttributeKey key, Integer index, ProtocolVersion v) {
        var b = request().optText(Tag.UNIQUE_IDENTIFIER, uid).add(AttributeCodec.writeReference(key, v));
        if (!v.isV2()) {
            b.optInteger(Tag.ATTRIBUTE_INDEX, index);
        }
        return b.build();
    }

    /** Delete one value: 2.x {@code CurrentAttribute}; 1.x by name and the attribute's index. */
    public static TtlvStructure deleteAttributeRequest(String uid, KmipAttribute current, ProtocolVersion v) {
        if (!v.isV2()) {
            return deleteAttributeRequest(uid, current.key(), current.index(), v);
        }
        return request().optText(Tag.UNIQUE_IDENTIFIER, uid).add(edited(current, Tag.CURRENT_ATTRIBUTE, v)).build();
    }

    private static TtlvItem edited(KmipAttribute a, Tag wrapper2x, ProtocolVersion v) {
        return v.isV2() ? TtlvStructure.builder(wrapper2x).add(AttributeCodec.write2x(a)).build() : AttributeCodec.write1x(a);
    }

    /** Reads an Add, Modify or Delete Attribute request of either version. */
    public static AttributeEdit readAttributeEditRequest(TtlvStructure p) throws KmsException {
        String uid = p.optText(Tag.UNIQUE_IDENTIFIER).orElse(null);
        KmipAttribute attribute = null;
        KmipAttribute current = null;
        AttributeKey key = null;
        Integer index = p.optInteger(Tag.ATTRIBUTE_INDEX).orElse(null);
        for (TtlvItem c : p.children()) {
            Tag t = c.tag();
            if (t.equals(Tag.ATTRIBUTE)) {
                attribute = AttributeCodec.readAttributeStructure(c.asStructure());
            } else if (t.equals(Tag.NEW_ATTRIBUTE)) {
                attribute = single(c.asStructure());
            } else if (t.equals(Tag.CURRENT_ATTRIBUTE)) {
                current = single(c.asStructure());
            } else if (t.equals(Tag.ATTRIBUTE_NAME) || t.equals(Tag.ATTRIBUTE_REFERENCE)) {
                key = AttributeCodec.readReference(c);
            }
        }
        if (key == null) {
            KmipAttribute k = attribute != null ? attribute : current;
            if (k == null) {
                throw new InvalidRequestException(ResultReason.MISSING_DATA, "the request names no attribute", null);
            }
            key = k.key();
            if (index == null) {
                index = k.index();
            }
        }
        return new AttributeEdit(uid, key, index, current, attribute);
    }

    private static KmipAttribute single(TtlvStructure wrapper) throws InvalidRequestException {
        if (wrapper.children().size() != 1) {
            throw new InvalidRequestException(ResultReason.INVALID_FIELD, wrapper.tag().name() + " must hold exactly one attribute", null);
        }
        return AttributeCodec.readItem2x(wrapper.children().getFirst());
    }

    /** Response of Add/Modify/Delete Attribute: 1.x echoes the attribute, 2.x only the identifier. */
    public static TtlvStructure attributeEditResponse(String uid, KmipAttribute a, ProtocolVersion v) {
        var b = response().text(Tag.UNIQUE_IDENTIFIER, uid);
        if (!v.isV2() && a != null) {
            b.add(AttributeCodec.write1x(a));
        }
        return b.build();
    }
}
