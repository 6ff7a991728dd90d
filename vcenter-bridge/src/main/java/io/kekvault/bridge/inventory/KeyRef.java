package io.kekvault.bridge.inventory;

import java.util.Objects;

/** Which KEK protects a component: the key provider and the KEK's identifier there. Never key material. */
public record KeyRef(String provider, String kekId) {
    public KeyRef {
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(kekId, "kekId");
    }
}
