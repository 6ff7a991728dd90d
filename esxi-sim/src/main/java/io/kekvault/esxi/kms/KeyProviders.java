package io.kekvault.esxi.kms;

import io.kekvault.kmip.error.InvalidRequestException;
import io.kekvault.kmip.error.ResultReason;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** The key providers one host knows, by name. */
public final class KeyProviders {
    private final Map<String, KeyProvider> byName;

    public KeyProviders(Map<String, KeyProvider> byName) {
        this.byName = new LinkedHashMap<>(byName);
    }

    /** The provider called {@code name}; refused when this host has no such provider configured. */
    public KeyProvider get(String name) throws InvalidRequestException {
        KeyProvider p = byName.get(name);
        if (p == null) {
            throw new InvalidRequestException(ResultReason.INVALID_FIELD,
                    "this host has no key provider '" + name + "' (configured: " + byName.keySet() + ")", null);
        }
        return p;
    }

    public Set<String> names() {
        return byName.keySet();
    }

    public Map<String, KeyProvider> all() {
        return Map.copyOf(byName);
    }
}
