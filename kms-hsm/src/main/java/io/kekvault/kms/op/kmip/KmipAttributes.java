package io.kekvault.kms.op.kmip;

import io.kekvault.kmip.error.InvalidRequestException;
import io.kekvault.kmip.error.KmsException;
import io.kekvault.kmip.error.ResultReason;
import io.kekvault.kmip.message.AttributeKey;
import io.kekvault.kmip.message.CryptographicAlgorithm;
import io.kekvault.kmip.message.KmipAttribute;
import io.kekvault.kmip.message.LinkType;
import io.kekvault.kmip.message.NameType;
import io.kekvault.kmip.message.ObjectType;
import io.kekvault.kmip.message.ProtocolVersion;
import io.kekvault.kmip.message.RevocationReasonCode;
import io.kekvault.kmip.message.State;
import io.kekvault.kmip.ttlv.ItemType;
import io.kekvault.kmip.ttlv.Tag;
import io.kekvault.kmip.ttlv.TtlvBigInteger;
import io.kekvault.kmip.ttlv.TtlvBoolean;
import io.kekvault.kmip.ttlv.TtlvByteString;
import io.kekvault.kmip.ttlv.TtlvDateTime;
import io.kekvault.kmip.ttlv.TtlvEnumeration;
import io.kekvault.kmip.ttlv.TtlvInteger;
import io.kekvault.kmip.ttlv.TtlvInterval;
import io.kekvault.kmip.ttlv.TtlvItem;
import io.kekvault.kmip.ttlv.TtlvLongInteger;
import io.kekvault.kmip.ttlv.TtlvStructure;
import io.kekvault.kmip.ttlv.TtlvTextString;
import io.kekvault.kms.store.Attribute;
import io.kekvault.kms.store.AttributeValue;
import io.kekvault.kms.store.KeyLink;
import io.kekvault.kms.store.KeyRecord;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The KMIP view of a key's metadata, and the rules for which attributes a client may set.
 *
 * <p>Three kinds of standard attributes:
 * <ul>
 *   <li>record fields the KMS manages (identifier, type, algorithm, length, usage mask, state,
 *       dates, names, links, revocation reason): read through {@link #view}, changed only by the
 *       operations that own them (Activate, Revoke...) or, for names, links and a Pre-Active key's
 *       activation date, by the attribute operations;</li>
 *   <li>values derived from the record and the HSM's guarantees (Sensitive, Extractable, Always
 *       Sensitive, Never Extractable, Fresh, Original Creation Date, Short Unique Identifier, Key
 *       Format Type, Random Number Generator) and the Digest: read-only;</li>
 *   <li>attributes kept as the client gave them ({@link #STORED}: Contact Information,
 *       Cryptographic Parameters, Usage Limits, Process Start Date...), plus every custom
 *       attribute ({@code x-}, {@code y-}, and KMIP 2 vendor attributes).</li>
 * </ul>
 * Attributes are stored under their KMIP 1.x names (custom ones as {@code vendor-name}), so a
 * value set over KMIP 1.1 reads back over KMIP 2.0 and through the HTTP API. Store names starting
 * with {@value #INTERNAL_PREFIX} are the KMS's own bookkeeping and never appear over KMIP.
 */
public final class KmipAttributes {
    public static final String INTERNAL_PREFIX = "kekvault.";
    /** Set to {@code register} on keys a client registered: their value goes back only to the owner. */
    public static final String ORIGIN = io.kekvault.kms.op.RegisterKeyOp.ORIGIN;
    public static final String ORIGIN_REGISTER = io.kekvault.kms.op.RegisterKeyOp.ORIGIN_REGISTER;
    /** Set once Get has returned the key's value (KMIP Fresh turns false). */
    public static final String SERVED = INTERNAL_PREFIX + "served";

    /** Standard attributes kept as given, and whether each may hold several instances. */
    static final Map<Tag, Boolean> STORED = Map.ofEntries(
            Map.entry(Tag.CONTACT_INFORMATION, false),
            Map.entry(Tag.CRYPTOGRAPHIC_PARAMETERS, true),
            Map.entry(Tag.CRYPTOGRAPHIC_DOMAIN_PARAMETERS, false),
            Map.entry(Tag.OBJECT_GROUP, true),
            Map.entry(Tag.APPLICATION_SPECIFIC_INFORMATION, true),
            Map.entry(Tag.ALTERNATIVE_NAME, true),
            Map.entry(Tag.PROCESS_START_DATE, false),
            Map.entry(Tag.PROTECT_STOP_DATE, false),
            Map.entry(Tag.USAGE_LIMITS, false),
            Map.entry(Tag.OPERATION_POLICY_NAME, false),
            Map.entry(Tag.DESCRIPTION, false),
            Map.entry(Tag.COMMENT, false));

    /** Attributes only the KMS sets. */
    static final Set<Tag> READ_ONLY = Set.of(Tag.UNIQUE_IDENTIFIER, Tag.OBJECT_TYPE, Tag.CRYPTOGRAPHIC_ALGORITHM,
            Tag.CRYPTOGRAPHIC_LENGTH, Tag.CRYPTOGRAPHIC_USAGE_MASK, Tag.STATE, Tag.INITIAL_DATE, Tag.DEACTIVATION_DATE,
            Tag.COMPROMISE_DATE, Tag.COMPROMISE_OCCURRENCE_DATE, Tag.DESTROY_DATE, Tag.LAST_CHANGE_DATE,
            Tag.REVOCATION_REASON, Tag.ORIGINAL_CREATION_DATE, Tag.SENSITIVE, Tag.ALWAYS_SENSITIVE, Tag.EXTRACTABLE,
            Tag.NEVER_EXTRACTABLE, Tag.FRESH, Tag.KEY_FORMAT_TYPE, Tag.SHORT_UNIQUE_IDENTIFIER, Tag.RANDOM_NUMBER_GENERATOR,
            Tag.DIGEST, Tag.LEASE_TIME, Tag.ARCHIVE_DATE, Tag.KEY_VALUE_PRESENT, Tag.STORAGE_STATUS_MASK);

    /** The KMIP version that introduced an attribute the view may show (older clients do not know it). */
    private static final Map<Tag, ProtocolVersion> SINCE = Map.ofEntries(
            Map.entry(Tag.FRESH, ProtocolVersion.V1_1),
            Map.entry(Tag.ALTERNATIVE_NAME, ProtocolVersion.V1_2),
            Map.entry(Tag.ORIGINAL_CREATION_DATE, ProtocolVersion.V1_2),
            Map.entry(Tag.RANDOM_NUMBER_GENERATOR, ProtocolVersion.V1_3),
            Map.entry(Tag.SENSITIVE, ProtocolVersion.V1_4),
            Map.entry(Tag.ALWAYS_SENSITIVE, ProtocolVersion.V1_4),
            Map.entry(Tag.EXTRACTABLE, ProtocolVersion.V1_4),
            Map.entry(Tag.NEVER_EXTRACTABLE, ProtocolVersion.V1_4),
            Map.entry(Tag.DESCRIPTION, ProtocolVersion.V1_4),
            Map.entry(Tag.COMMENT, ProtocolVersion.V1_4),
            Map.entry(Tag.KEY_FORMAT_TYPE, ProtocolVersion.V2_0),
            Map.entry(Tag.SHORT_UNIQUE_IDENTIFIER, ProtocolVersion.V2_0));

    /** The first attributes of a listing, in this order; the rest follow by name. */
    private static final List<Tag> LEADING = List.of(Tag.UNIQUE_IDENTIFIER, Tag.SHORT_UNIQUE_IDENTIFIER, Tag.OBJECT_TYPE,
            Tag.CRYPTOGRAPHIC_ALGORITHM, Tag.CRYPTOGRAPHIC_LENGTH);

    /** RNG Algorithm "Unspecified": keys come from the HSM's generator, whose algorithm the KMS does not know. */
    private static final int RNG_UNSPECIFIED = 0x01;
    private static final int KEY_FORMAT_RAW = 0x01;

    private KmipAttributes() {
    }

    // ================================================================== names in the store

    /** The store name of an attribute: the KMIP 1.x name ("Contact Information", "x-Vendor"). */
    public static String storeName(AttributeKey key) {
        return key.name1x();
    }

    /** The attribute a store name stands for; empty for the KMS's internal bookkeeping. */
    public static Optional<AttributeKey> keyOf(String storeName) {
        if (storeName.startsWith(INTERNAL_PREFIX)) {
            return Optional.empty();
        }
        Optional<Tag> t = Tag.forSpecName(storeName);
        if (t.isPresent()) {
            return Optional.of(new AttributeKey.Standard(t.get()));
        }
        int dash = storeName.indexOf('-');
        if (dash > 0 && dash < storeName.length() - 1) {
            return Optional.of(new AttributeKey.Custom(storeName.substring(0, dash), storeName.substring(dash + 1)));
        }
        return Optional.empty();
    }

    // ================================================================== values in the store

    /** A KMIP value as a store value (structures field by field, under their specification names). */
    public static AttributeValue toStore(TtlvItem v) throws InvalidRequestException {
        return switch (v) {
            case TtlvTextString t -> AttributeValue.text(t.value());
            case TtlvInteger i -> AttributeValue.integer(i.value());
            case TtlvLongInteger l -> AttributeValue.longInteger(l.value());
            case TtlvBigInteger b -> AttributeValue.bigInteger(b.value());
            case TtlvEnumeration e -> AttributeValue.enumeration(e.value());
            case TtlvBoolean b -> AttributeValue.bool(b.value());
            case TtlvByteString b -> AttributeValue.bytes(b.value());
            case TtlvDateTime d -> AttributeValue.dateTime(v.asDateTime());
            case TtlvInterval i -> AttributeValue.interval(i.seconds());
            case TtlvStructure s -> {
                List<Attribute> fields = new ArrayList<>();
                for (TtlvItem c : s.children()) {
                    fields.add(Attribute.of(c.tag().specName().orElse(c.tag().hex()), toStore(c)));
                }
                yield AttributeValue.structure(fields);
            }
            default -> throw new InvalidRequestException(ResultReason.INVALID_FIELD,
                    v.tag().name() + ": " + v.type().encodingName() + " attribute values are not supported", null);
        };
    }

    /** A store value as a KMIP item under {@code tag}. */
    public static TtlvItem fromStore(Tag tag, AttributeValue v) {
        return switch (v) {
            case AttributeValue.Text t -> new TtlvTextString(tag, t.value());
            case AttributeValue.Int i -> new TtlvInteger(tag, i.value());
            case AttributeValue.LongInt l -> new TtlvLongInteger(tag, l.value());
            case AttributeValue.BigInt b -> new TtlvBigInteger(tag, b.value());
            case AttributeValue.Enumeration e -> new TtlvEnumeration(tag, e.value());
            case AttributeValue.Bool b -> new TtlvBoolean(tag, b.value());
            case AttributeValue.Bytes b -> new TtlvByteString(tag, b.value());
            case AttributeValue.DateTime d -> TtlvItem.dateTime(tag, d.value());
            case AttributeValue.Interval i -> new TtlvInterval(tag, i.seconds());
            case AttributeValue.Struct s -> {
                List<TtlvItem> children = new ArrayList<>();
                for (Attribute f : s.fields()) {
                    Tag ft = Tag.forSpecName(f.name()).or(() -> Tag.forName(f.name())).orElse(Tag.ATTRIBUTE_VALUE);
                    children.add(fromStore(ft, f.value()));
                }
                yield new TtlvStructure(tag, children);
            }
        };
    }

    /** The first field of a stored structure with this specification name. */
    static Optional<AttributeValue> field(AttributeValue struct, String specName) {
        if (struct instanceof AttributeValue.Struct s) {
            return s.fields().stream().filter(f -> f.name().equals(specName)).map(Attribute::value).findFirst();
        }
        return Optional.empty();
    }

    // ================================================================== enumerations in the record

    /** The record's algorithm name for a KMIP algorithm ({@code DES3} is the vault's name for Triple DES). */
    public static String recordAlgorithm(CryptographicAlgorithm a) {
        return a == CryptographicAlgorithm.TRIPLE_DES ? "DES3" : a.name();
    }

    public static Optional<CryptographicAlgorithm> kmipAlgorithm(String recordAlgorithm) {
        if (recordAlgorithm == null) {
            return Optional.empty();
        }
        if (recordAlgorithm.equals("DES3")) {
            return Optional.of(CryptographicAlgorithm.TRIPLE_DES);
        }
        try {
            return Optional.of(CryptographicAlgorithm.valueOf(recordAlgorithm));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** Link types are stored without the {@code _LINK} suffix ({@code REPLACEMENT_OBJECT}), as ReKey writes them. */
    public static String recordLinkType(LinkType t) {
        String n = t.name();
        return n.endsWith("_LINK") ? n.substring(0, n.length() - 5) : n;
    }

    static Optional<LinkType> kmipLinkType(String recordType) {
        for (String candidate : List.of(recordType + "_LINK", recordType)) {
            try {
                return Optional.of(LinkType.valueOf(candidate));
            } catch (IllegalArgumentException ignored) {
                // try the next form
            }
        }
        return Optional.empty();
    }

    // ================================================================== the view

    /** Whether {@code tag} exists in {@code version} of KMIP (for attributes the view may show). */
    static boolean known(Tag tag, ProtocolVersion version) {
        ProtocolVersion since = SINCE.get(tag);
        return since == null || version.atLeast(since);
    }

    public static boolean isRegistered(KeyRecord k) {
        return k.attribute(ORIGIN).filter(v -> v instanceof AttributeValue.Text t && t.value().equals(ORIGIN_REGISTER)).isPresent();
    }

    /**
     * Every attribute of the key as a client of {@code version} sees it: the identifier, object
     * type, algorithm and length first, then the others by name, custom attributes last in the
     * order they were set. Attributes newer than {@code version} are left out.
     */
    public static List<KmipAttribute> view(KeyRecord k, ProtocolVersion version) {
        List<KmipAttribute> std = new ArrayList<>();
        std.add(KmipAttribute.text(Tag.UNIQUE_IDENTIFIER, k.id()));
        std.add(KmipAttribute.of(TtlvItem.bytes(Tag.SHORT_UNIQUE_IDENTIFIER, sha256(k.id()))));
        objectType(k).ifPresent(t -> std.add(KmipAttribute.enumeration(Tag.OBJECT_TYPE, t)));
        kmipAlgorithm(k.algorithm()).ifPresent(a -> std.add(KmipAttribute.cryptographicAlgorithm(a)));
        if (k.lengthBits() != null) {
            std.add(KmipAttribute.cryptographicLength(k.lengthBits()));
        }
        std.add(KmipAttribute.integer(Tag.CRYPTOGRAPHIC_USAGE_MASK, k.usageMask()));
        std.add(KmipAttribute.enumeration(Tag.STATE, State.valueOf(k.state().name())));
        date(std, Tag.INITIAL_DATE, k.initialDate());
        date(std, Tag.ORIGINAL_CREATION_DATE, k.initialDate());
        date(std, Tag.ACTIVATION_DATE, k.activationDate());
        date(std, Tag.DEACTIVATION_DATE, k.deactivationDate());
        date(std, Tag.COMPROMISE_DATE, k.compromiseDate());
        date(std, Tag.COMPROMISE_OCCURRENCE_DATE, k.compromiseOccurrenceDate());
        date(std, Tag.DESTROY_DATE, k.destroyDate());
        date(std, Tag.LAST_CHANGE_DATE, k.lastChangeDate());
        for (String n : k.names()) {
            std.add(name(n));
        }
        for (KeyLink l : k.links()) {
            kmipLinkType(l.linkType()).ifPresent(t -> std.add(KmipAttribute.link(t, l.linkedId())));
        }
        if (k.revocationReason() != null) {
            std.add(revocationReason(k));
        }
        boolean registered = isRegistered(k);
        std.add(KmipAttribute.of(TtlvItem.bool(Tag.SENSITIVE, !k.extractable())));
        std.add(KmipAttribute.of(TtlvItem.bool(Tag.ALWAYS_SENSITIVE, !k.extractable() && !registered)));
        std.add(KmipAttribute.of(TtlvItem.bool(Tag.EXTRACTABLE, k.extractable())));
        std.add(KmipAttribute.of(TtlvItem.bool(Tag.NEVER_EXTRACTABLE, !k.extractable() && !registered)));
        std.add(KmipAttribute.of(TtlvItem.bool(Tag.FRESH, !registered && k.attribute(SERVED).isEmpty())));
        if (!k.state().isDestroyed()) {
            std.add(KmipAttribute.of(TtlvItem.enumeration(Tag.KEY_FORMAT_TYPE, KEY_FORMAT_RAW)));
        }
        if (!registered) {
            std.add(KmipAttribute.of(TtlvStructure.builder(Tag.RANDOM_NUMBER_GENERATOR)
                    .enumeration(Tag.RNG_ALGORITHM, RNG_UNSPECIFIED).build()));
        }
        List<KmipAttribute> custom = new ArrayList<>();
        java.util.Map<String, Integer> index = new java.util.HashMap<>();
        for (Attribute a : k.attributes()) {
            Optional<AttributeKey> key = keyOf(a.name());
            if (key.isEmpty()) {
                continue;
            }
            int i = index.merge(a.name(), 1, Integer::sum) - 1;
            Tag valueTag = key.get() instanceof AttributeKey.Standard s ? s.tag() : Tag.ATTRIBUTE_VALUE;
            KmipAttribute ka = new KmipAttribute(key.get(), i == 0 ? null : i, fromStore(valueTag, a.value()));
            (key.get() instanceof AttributeKey.Custom ? custom : std).add(ka);
        }
        List<KmipAttribute> out = new ArrayList<>();
        for (KmipAttribute a : sorted(std)) {
            if (a.key() instanceof AttributeKey.Standard s && known(s.tag(), version)) {
                out.add(a);
            }
        }
        out.addAll(custom);
        return out;
    }

    private static List<KmipAttribute> sorted(List<KmipAttribute> attrs) {
        Comparator<KmipAttribute> leading = Comparator.comparingInt(a -> {
            int i = a.key() instanceof AttributeKey.Standard s ? LEADING.indexOf(s.tag()) : -1;
            return i < 0 ? LEADING.size() : i;
        });
        // A stable sort keeps instances of one attribute (names, links) in their order.
        List<KmipAttribute> out = new ArrayList<>(attrs);
        out.sort(leading.thenComparing(a -> a.name1x().toLowerCase(Locale.ROOT)));
        return out;
    }

    /** The attribute keys of {@link #view}, each once, in order. */
    public static List<AttributeKey> keys(KeyRecord k, ProtocolVersion version) {
        List<AttributeKey> out = new ArrayList<>();
        for (KmipAttribute a : view(k, version)) {
            if (!out.contains(a.key())) {
                out.add(a.key());
            }
        }
        return out;
    }

    static Optional<ObjectType> objectType(KeyRecord k) {
        try {
            return Optional.of(ObjectType.valueOf(k.objectType()));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    public static KmipAttribute name(String value) {
        return KmipAttribute.of(TtlvStructure.builder(Tag.NAME)
                .text(Tag.NAME_VALUE, value)
                .enumeration(Tag.NAME_TYPE, NameType.UNINTERPRETED_TEXT_STRING)
                .build());
    }

    private static KmipAttribute revocationReason(KeyRecord k) {
        var b = TtlvStructure.builder(Tag.REVOCATION_REASON);
        try {
            b.enumeration(Tag.REVOCATION_REASON_CODE, RevocationReasonCode.valueOf(k.revocationReason()));
        } catch (IllegalArgumentException e) {
            b.enumeration(Tag.REVOCATION_REASON_CODE, RevocationReasonCode.UNSPECIFIED);
        }
        return KmipAttribute.of(b.optText(Tag.REVOCATION_MESSAGE, k.revocationMessage()).build());
    }

    private static void date(List<KmipAttribute> out, Tag tag, Instant t) {
        if (t != null) {
            out.add(KmipAttribute.dateTime(tag, t));
        }
    }

    static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The instances of {@code key} in the view, in order. */
    public static List<KmipAttribute> instances(List<KmipAttribute> view, AttributeKey key) {
        return view.stream().filter(a -> a.key().equals(key)).toList();
    }

    // ================================================================== reading client values

    /** The Name value of a Name attribute (Name Value text). */
    static String nameValue(KmipAttribute a) throws KmsException {
        TtlvItem v = a.value();
        if (v.type() == ItemType.TEXT_STRING) {
            return v.asText();
        }
        String n = v.asStructure().text(Tag.NAME_VALUE);
        if (n.isEmpty() || n.length() > KeyRecord.MAX_NAME_LENGTH) {
            throw new InvalidRequestException(ResultReason.INVALID_FIELD, "a name is 1.." + KeyRecord.MAX_NAME_LENGTH
                    + " characters", null);
        }
        return n;
    }

    /** The (link type, linked identifier) of a Link attribute. */
    static KeyLink link(KmipAttribute a) throws KmsException {
        TtlvStructure s = a.value().asStructure();
        LinkType t = s.enumeration(Tag.LINK_TYPE, LinkType.class);
        String id = s.text(Tag.LINKED_OBJECT_IDENTIFIER);
        if (id.isEmpty() || id.length() > KeyRecord.MAX_ID_LENGTH) {
            throw new InvalidRequestException(ResultReason.INVALID_FIELD, "Linked Object Identifier must be 1.."
                    + KeyRecord.MAX_ID_LENGTH + " characters", null);
        }
        return KeyLink.of(recordLinkType(t), id);
    }

    /** Checks a client value for a stored standard attribute or a custom one, and converts it. */
    static Attribute stored(KmipAttribute a) throws KmsException {
        String name = storeName(a.key());
        if (name.startsWith(INTERNAL_PREFIX) || name.length() > Attribute.MAX_NAME_LENGTH) {
            throw new InvalidRequestException(ResultReason.INVALID_FIELD, "invalid attribute name", null);
        }
        try {
            return Attribute.of(name, toStore(a.value()));
        } catch (IllegalArgumentException e) {
            // the store's own checks (a control character in the name, say): the client's mistake
            throw new InvalidRequestException(ResultReason.INVALID_FIELD, "invalid attribute: " + e.getMessage(), null);
        }
    }

    static boolean isStoredStandard(AttributeKey key) {
        return key instanceof AttributeKey.Standard s && STORED.containsKey(s.tag());
    }

    static boolean isMultiValued(AttributeKey key) {
        if (key instanceof AttributeKey.Custom) {
            return true;
        }
        Tag t = ((AttributeKey.Standard) key).tag();
        return t.equals(Tag.NAME) || t.equals(Tag.LINK) || STORED.getOrDefault(t, false);
    }
}
