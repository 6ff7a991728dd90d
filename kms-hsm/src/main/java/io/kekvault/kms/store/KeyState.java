package io.kekvault.kms.store;

/** KMIP lifecycle states of a managed object, as the store records them. */
public enum KeyState {
    PRE_ACTIVE,
    ACTIVE,
    DEACTIVATED,
    COMPROMISED,
    DESTROYED,
    DESTROYED_COMPROMISED;

    /** Destroyed and Destroyed-Compromised: the HSM object is gone, only metadata remains. */
    public boolean isDestroyed() {
        return this == DESTROYED || this == DESTROYED_COMPROMISED;
    }
}
