package io.kekvault.kms.op;

import io.kekvault.kmip.error.WrongStateException;
import io.kekvault.kms.store.KeyRecord;
import io.kekvault.kms.store.KeyState;
import java.time.Instant;

/**
 * The KMIP key lifecycle of ARCHITECTURE section 3. Every transition is a pure function from
 * one record to the next; an illegal one is refused with the reason, and nothing changes.
 * <pre>
 *   Pre-Active --activate--> Active --revoke(other)--> Deactivated
 *   Pre-Active/Active/Deactivated --revoke(compromise)--> Compromised
 *   Pre-Active/Deactivated --destroy--> Destroyed;  Compromised --destroy--> Destroyed Compromised
 * </pre>
 * Destroy also releases the key's names for reuse.
 */
public final class Lifecycle {
    private Lifecycle() {
    }

    public static String display(KeyState s) {
        return switch (s) {
            case PRE_ACTIVE -> "Pre-Active";
            case ACTIVE -> "Active";
            case DEACTIVATED -> "Deactivated";
            case COMPROMISED -> "Compromised";
            case DESTROYED -> "Destroyed";
            case DESTROYED_COMPROMISED -> "Destroyed Compromised";
        };
    }

    public static KeyRecord activate(KeyRecord k, Instant now) throws WrongStateException {
        if (k.state() != KeyState.PRE_ACTIVE) {
            throw new WrongStateException("key " + k.id() + " is " + display(k.state()) + "; only a Pre-Active key can be activated");
        }
        return k.toBuilder().state(KeyState.ACTIVE).activationDate(now).lastChangeDate(now).build();
    }

    /** Revocation reasons of KMIP that mean the key is compromised. */
    public static boolean isCompromise(String reason) {
        return "KEY_COMPROMISE".equals(reason) || "CA_COMPROMISE".equals(reason);
    }

    static KeyRecord revoke(KeyRecord k, String reason, String message, Instant compromiseOccurrence, Instant now)
            throws WrongStateException {
        if (k.state().isDestroyed()) {
            throw new WrongStateException("key " + k.id() + " is " + display(k.state()) + "; it cannot be revoked");
        }
        KeyRecord.Builder b = k.toBuilder().revocationReason(reason).revocationMessage(message).lastChangeDate(now);
        if (isCompromise(reason)) {
            if (k.state() == KeyState.COMPROMISED) {
                throw new WrongStateException("key " + k.id() + " is already Compromised");
            }
            // KMIP records a compromise in the Compromise Date; the Deactivation Date stays as it
            // was (a key compromised while Active was never deactivated).
            return b.state(KeyState.COMPROMISED).compromiseDate(now)
                    .compromiseOccurrenceDate(compromiseOccurrence == null ? now : compromiseOccurrence)
                    .build();
        }
        if (k.state() != KeyState.ACTIVE && k.state() != KeyState.PRE_ACTIVE) {
            throw new WrongStateException("key " + k.id() + " is " + display(k.state())
                    + "; only a Pre-Active or Active key can be deactivated");
        }
        return b.state(KeyState.DEACTIVATED).deactivationDate(now).build();
    }

    static KeyRecord destroy(KeyRecord k, Instant now) throws WrongStateException {
        KeyState next = switch (k.state()) {
            case PRE_ACTIVE, DEACTIVATED -> KeyState.DESTROYED;
            case COMPROMISED -> KeyState.DESTROYED_COMPROMISED;
            case ACTIVE -> throw new WrongStateException("key " + k.id()
                    + " is Active; revoke it before destroying it");
            case DESTROYED, DESTROYED_COMPROMISED -> throw new WrongStateException("key " + k.id() + " is already destroyed");
        };
        // A destroyed key gives up its names, so a new key can take them (the audit trail and the
        // record keep the identifier).
        return k.toBuilder().state(next).destroyDate(now).lastChangeDate(now).names(java.util.List.of()).build();
    }

    static void requireRekeyable(KeyRecord k) throws WrongStateException {
        if (k.state() != KeyState.ACTIVE && k.state() != KeyState.PRE_ACTIVE && k.state() != KeyState.DEACTIVATED) {
            throw new WrongStateException("key " + k.id() + " is " + display(k.state()) + "; it cannot be rotated");
        }
    }
}
