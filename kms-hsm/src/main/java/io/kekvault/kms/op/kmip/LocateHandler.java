package io.kekvault.kms.op.kmip;

import io.kekvault.kmip.error.InvalidRequestException;
import io.kekvault.kmip.error.KmsException;
import io.kekvault.kmip.error.NotFoundException;
import io.kekvault.kmip.error.ResultReason;
import io.kekvault.kmip.error.UnsupportedException;
import io.kekvault.kmip.message.AttributeKey;
import io.kekvault.kmip.message.CryptographicAlgorithm;
import io.kekvault.kmip.message.KmipAttribute;
import io.kekvault.kmip.message.ObjectType;
import io.kekvault.kmip.message.Operation;
import io.kekvault.kmip.message.Payloads;
import io.kekvault.kmip.message.State;
import io.kekvault.kmip.ttlv.KmipEnums;
import io.kekvault.kmip.ttlv.Tag;
import io.kekvault.kmip.ttlv.TtlvStructure;
import io.kekvault.kms.access.Role;
import io.kekvault.kms.op.KeyAccess;
import io.kekvault.kms.op.KmsServices;
import io.kekvault.kms.op.OpContext;
import io.kekvault.kms.store.Attribute;
import io.kekvault.kms.store.KeyFilter;
import io.kekvault.kms.store.KeyRecord;
import io.kekvault.kms.store.KeyState;
import io.kekvault.kms.store.MetadataStore;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * KMIP Locate: the identifiers of the keys the caller may see that match every attribute given
 * (object type, name, algorithm, length, usage mask bits, state, unique identifier, and attributes
 * kept as given, custom ones included), in identifier order. Destroyed keys are found only when
 * the criteria name a state. Other criteria are refused, never silently ignored.
 */
public final class LocateHandler implements KmipHandler {
    private final KmsServices s;

    public LocateHandler(KmsServices services) {
        this.s = services;
    }

    @Override
    public Operation operation() {
        return Operation.LOCATE;
    }

    @Override
    public String name() {
        return "Locate";
    }

    @Override
    public TtlvStructure handle(OpContext ctx, KmipCall call) throws KmsException {
        Payloads.LocateRequest r = Payloads.readLocateRequest(call.payload());
        int max = r.maximumItems() == null ? MetadataStore.MAX_PAGE_SIZE : r.maximumItems();
        int offset = r.offsetItems() == null ? 0 : r.offsetItems();
        if (max < 1 || offset < 0) {
            throw new InvalidRequestException(ResultReason.INVALID_FIELD, "Maximum Items must be positive and Offset Items not negative", null);
        }
        max = Math.min(max, MetadataStore.MAX_PAGE_SIZE);
        KeyFilter.Builder f = KeyFilter.builder();
        Set<KeyState> states = EnumSet.noneOf(KeyState.class);
        String uid = null;
        String name = null;
        for (KmipAttribute a : r.attributes()) {
            AttributeKey key = a.key();
            if (key instanceof AttributeKey.Custom || KmipAttributes.isStoredStandard(key)) {
                f.attribute(KmipAttributes.stored(a));
                continue;
            }
            Tag t = ((AttributeKey.Standard) key).tag();
            if (t.equals(Tag.OBJECT_TYPE)) {
                f.objectType(KmipEnums.fromValue(ObjectType.class, t, a.value().asEnumeration()).name());
            } else if (t.equals(Tag.NAME)) {
                if (name != null) {
                    throw new UnsupportedException(ResultReason.FEATURE_NOT_SUPPORTED, "Locate takes at most one Name", null);
                }
                name = KmipAttributes.nameValue(a);
                f.name(name);
            } else if (t.equals(Tag.CRYPTOGRAPHIC_ALGORITHM)) {
                f.algorithm(KmipAttributes.recordAlgorithm(KmipEnums.fromValue(CryptographicAlgorithm.class, t, a.value().asEnumeration())));
            } else if (t.equals(Tag.CRYPTOGRAPHIC_LENGTH)) {
                f.lengthBits(a.value().asInteger());
            } else if (t.equals(Tag.CRYPTOGRAPHIC_USAGE_MASK)) {
                f.usageMaskAll(a.value().asInteger());
            } else if (t.equals(Tag.STATE)) {
                states.add(KeyState.valueOf(KmipEnums.fromValue(State.class, t, a.value().asEnumeration()).name()));
            } else if (t.equals(Tag.UNIQUE_IDENTIFIER)) {
                uid = a.value().asText();
            } else {
                throw new UnsupportedException(ResultReason.FEATURE_NOT_SUPPORTED, "Locate by " + a.name1x() + " is not supported", null);
            }
        }
        if (states.isEmpty()) {
            states = EnumSet.complementOf(EnumSet.of(KeyState.DESTROYED, KeyState.DESTROYED_COMPROMISED));
        }
        f.state(states.toArray(KeyState[]::new));
        Role role = ctx.caller().role();
        boolean all = role == Role.ADMIN || role == Role.AUDITOR;
        if (!all) {
            f.visibleTo(ctx.caller().identity());
        }
        KeyFilter filter = f.build();
        List<String> ids;
        if (uid != null) {
            ids = List.of();
            try {
                KeyRecord k = KeyAccess.visible(s.store(), ctx.caller(), uid);
                if (offset == 0 && matches(k, filter)) {
                    ids = List.of(k.id());
                }
            } catch (NotFoundException absent) {
                // not there, or not visible to the caller: either way nothing is located
            }
        } else {
            ids = s.store().locate(filter, offset, max);
        }
        ctx.auditDetail("located=" + ids.size());
        if (!ids.isEmpty()) {
            call.batch().idPlaceholder(ids.getFirst());
        }
        return Payloads.locateResponse(null, ids);
    }

    /** The filter, applied to one record (Locate by Unique Identifier). Visibility is checked before. */
    private static boolean matches(KeyRecord k, KeyFilter f) {
        if (!f.states().isEmpty() && !f.states().contains(k.state())) {
            return false;
        }
        if (f.objectType() != null && !f.objectType().equals(k.objectType())) {
            return false;
        }
        if (f.algorithm() != null && !f.algorithm().equals(k.algorithm())) {
            return false;
        }
        if (f.name() != null && !k.names().contains(f.name())) {
            return false;
        }
        if (f.lengthBits() != null && !f.lengthBits().equals(k.lengthBits())) {
            return false;
        }
        if ((k.usageMask() & f.usageMaskAll()) != f.usageMaskAll()) {
            return false;
        }
        for (Attribute a : f.attributes()) {
            if (!k.attributes().contains(a)) {
                return false;
            }
        }
        return true;
    }
}
