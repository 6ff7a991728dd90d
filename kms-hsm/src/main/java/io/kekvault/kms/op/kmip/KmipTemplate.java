package io.kekvault.kms.op.kmip;

import io.kekvault.kmip.error.InvalidRequestException;
import io.kekvault.kmip.error.KmsException;
import io.kekvault.kmip.error.ResultReason;
import io.kekvault.kmip.error.UnsupportedException;
import io.kekvault.kmip.message.AttributeKey;
import io.kekvault.kmip.message.CryptographicAlgorithm;
import io.kekvault.kmip.message.KmipAttribute;
import io.kekvault.kmip.message.ObjectType;
import io.kekvault.kmip.ttlv.KmipEnums;
import io.kekvault.kmip.ttlv.Tag;
import io.kekvault.kms.store.Attribute;
import io.kekvault.kms.store.KeyLink;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The attributes a client gives to Create or Register, sorted into what the operation decides
 * (algorithm, length, usage mask, names, activation date, export flag) and what is kept as given.
 * Attributes only the KMS sets (state, dates, digest...) are refused as read-only.
 */
record KmipTemplate(CryptographicAlgorithm algorithm, Integer lengthBits, Integer usageMask, List<String> names,
                    Instant activationDate, Boolean extractable, List<KeyLink> links, List<Attribute> stored) {

    static KmipTemplate parse(List<KmipAttribute> attributes) throws KmsException {
        CryptographicAlgorithm algorithm = null;
        Integer length = null;
        Integer mask = null;
        Instant activation = null;
        Boolean extractable = null;
        Boolean sensitive = null;
        List<String> names = new ArrayList<>();
        List<KeyLink> links = new ArrayList<>();
        List<Attribute> stored = new ArrayList<>();
        for (KmipAttribute a : attributes) {
            if (a.key() instanceof AttributeKey.Custom) {
                stored.add(KmipAttributes.stored(a));
                continue;
            }
            Tag t = ((AttributeKey.Standard) a.key()).tag();
            if (t.equals(Tag.CRYPTOGRAPHIC_ALGORITHM)) {
                algorithm = KmipEnums.fromValue(CryptographicAlgorithm.class, t, a.value().asEnumeration());
            } else if (t.equals(Tag.CRYPTOGRAPHIC_LENGTH)) {
                length = a.value().asInteger();
                if (length <= 0) {
                    throw new InvalidRequestException(ResultReason.INVALID_FIELD, "Cryptographic Length must be positive", null);
                }
            } else if (t.equals(Tag.CRYPTOGRAPHIC_USAGE_MASK)) {
                mask = a.value().asInteger();
            } else if (t.equals(Tag.NAME)) {
                String n = KmipAttributes.nameValue(a);
                if (names.contains(n)) {
                    throw new InvalidRequestException(ResultReason.INVALID_FIELD, "the name '" + n + "' is given twice", null);
                }
                names.add(n);
            } else if (t.equals(Tag.LINK)) {
                links.add(KmipAttributes.link(a));
            } else if (t.equals(Tag.ACTIVATION_DATE)) {
                activation = a.value().asDateTime();
            } else if (t.equals(Tag.EXTRACTABLE)) {
                extractable = a.value().asBoolean();
            } else if (t.equals(Tag.SENSITIVE)) {
                sensitive = a.value().asBoolean();
            } else if (t.equals(Tag.OBJECT_TYPE)) {
                if (a.value().asEnumeration() != ObjectType.SYMMETRIC_KEY.value()) {
                    throw new InvalidRequestException(ResultReason.INVALID_FIELD, "Object Type in the attributes does not match", null);
                }
            } else if (KmipAttributes.STORED.containsKey(t)) {
                if (!KmipAttributes.STORED.get(t) && stored.stream().anyMatch(s -> s.name().equals(a.name1x()))) {
                    throw new InvalidRequestException(ResultReason.INVALID_FIELD, a.name1x() + " is single-valued", null);
                }
                stored.add(KmipAttributes.stored(a));
            } else if (KmipAttributes.READ_ONLY.contains(t)) {
                throw new InvalidRequestException(ResultReason.ATTRIBUTE_READ_ONLY,
                        a.name1x() + " is set by the server, not by the client", null);
            } else {
                throw new UnsupportedException(ResultReason.UNSUPPORTED_ATTRIBUTE,
                        "the attribute " + a.name1x() + " is not supported for symmetric keys", null);
            }
        }
        if (extractable == null && Boolean.TRUE.equals(sensitive)) {
            extractable = false;
        }
        if (Boolean.TRUE.equals(extractable) && Boolean.TRUE.equals(sensitive)) {
            throw new InvalidRequestException(ResultReason.INVALID_FIELD, "a key cannot be both Sensitive and Extractable", null);
        }
        return new KmipTemplate(algorithm, length, mask, names, activation, extractable, links, stored);
    }
}
