package io.kekvault.kmip.ttlv;

import io.kekvault.kmip.error.InvalidRequestException;
import io.kekvault.kmip.error.ResultReason;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** Value lookups for the Java enums that implement {@link KmipEnum}. */
public final class KmipEnums {
    private static final ClassValue<Map<Integer, Object>> BY_VALUE = new ClassValue<>() {
        @Override
        protected Map<Integer, Object> computeValue(Class<?> type) {
            Map<Integer, Object> m = new HashMap<>();
            for (Object c : type.getEnumConstants()) {
                m.put(((KmipEnum) c).value(), c);
            }
            return Map.copyOf(m);
        }
    };

    private KmipEnums() {
    }

    public static <E extends Enum<E> & KmipEnum> Optional<E> find(Class<E> type, int value) {
        return Optional.ofNullable(type.cast(BY_VALUE.get(type).get(value)));
    }

    /** The constant for {@code value}; an unknown value is {@code INVALID_FIELD} naming {@code tag}. */
    public static <E extends Enum<E> & KmipEnum> E fromValue(Class<E> type, Tag tag, int value)
            throws InvalidRequestException {
        Object c = BY_VALUE.get(type).get(value);
        if (c == null) {
            throw new InvalidRequestException(ResultReason.INVALID_FIELD,
                    tag.name() + " has the unknown or unsupported value " + String.format("0x%08X", value), null);
        }
        return type.cast(c);
    }
}
