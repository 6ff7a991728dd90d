package io.kekvault.kms.op;

import io.kekvault.kmip.error.KmsException;
import io.kekvault.kmip.error.NotFoundException;
import io.kekvault.kmip.error.PermissionDeniedException;
import io.kekvault.kmip.error.WrongStateException;
import io.kekvault.kms.access.Caller;
import io.kekvault.kms.access.Role;
import io.kekvault.kms.store.Grant;
import io.kekvault.kms.store.KeyRecord;
import io.kekvault.kms.store.KeyState;
import io.kekvault.kms.store.MetadataStore;
import io.kekvault.kms.store.Permission;
import java.util.Optional;

/**
 * Per-key access decisions. A key the caller may not use answers exactly like a missing key:
 * same exception type, same message, so nobody learns which identifiers exist.
 */
public final class KeyAccess {
    private KeyAccess() {
    }

    public static NotFoundException notFound(String id) {
        return new NotFoundException("key " + id + " not found");
    }

    /** The record, if {@code caller} may see it at all (admin, auditor, owner, or any grant). */
    public static KeyRecord visible(MetadataStore store, Caller caller, String id) throws KmsException {
        if (id == null || id.isEmpty() || id.length() > KeyRecord.MAX_ID_LENGTH) {
            throw notFound(String.valueOf(id));
        }
        Optional<KeyRecord> r = store.get(id);
        if (r.isEmpty()) {
            throw notFound(id);
        }
        KeyRecord k = r.get();
        if (caller.role() == Role.ADMIN || caller.role() == Role.AUDITOR || caller.identity().equals(k.owner())) {
            return k;
        }
        if (store.grant(id, caller.identity()).isPresent()) {
            return k;
        }
        throw notFound(id);
    }

    /**
     * The record, if {@code caller} holds {@code permission} on it: admins and owners hold every
     * permission, others what their grant says. Auditors use no key.
     */
    public static KeyRecord permitted(MetadataStore store, Caller caller, String id, Permission permission) throws KmsException {
        if (id == null || id.isEmpty() || id.length() > KeyRecord.MAX_ID_LENGTH) {
            throw notFound(String.valueOf(id));
        }
        KeyRecord k = store.get(id).orElseThrow(() -> notFound(id));
        if (caller.role() == Role.ADMIN) {
            return k;
        }
        if (caller.role() != Role.AUDITOR && caller.identity().equals(k.owner())) {
            return k;
        }
        Optional<Grant> g = caller.role() == Role.AUDITOR ? Optional.empty() : store.grant(id, caller.identity());
        if (g.isPresent() && g.get().allows(permission)) {
            return k;
        }
        if (g.isPresent() || caller.role() == Role.AUDITOR) {
            // The caller may see the key, so existence is no secret: say what is missing.
            throw new PermissionDeniedException(caller.identity() + " may not " + permission.name().toLowerCase(java.util.Locale.ROOT)
                    + " with key " + id);
        }
        throw notFound(id);
    }

    /** Creating keys is for admins and clients; hosts and auditors never create. */
    public static void requireCreator(Caller caller) throws PermissionDeniedException {
        if (caller.role() != Role.ADMIN && caller.role() != Role.CLIENT) {
            throw new PermissionDeniedException("role " + caller.role().code() + " may not create keys");
        }
    }

    public static void requireRole(Caller caller, Role... roles) throws PermissionDeniedException {
        for (Role r : roles) {
            if (caller.role() == r) {
                return;
            }
        }
        throw new PermissionDeniedException("role " + caller.role().code() + " may not do this");
    }

    /** Wrap needs Active (ARCHITECTURE section 3). */
    public static void requireWrapState(KeyRecord k) throws WrongStateException {
        if (k.state() != KeyState.ACTIVE) {
            throw new WrongStateException("key " + k.id() + " is " + Lifecycle.display(k.state())
                    + "; wrapping needs an Active key");
        }
    }

    /** Unwrap: Active and Deactivated; Compromised only for admins; never Destroyed or Pre-Active. */
    public static void requireUnwrapState(KeyRecord k, Caller caller) throws WrongStateException {
        switch (k.state()) {
            case ACTIVE, DEACTIVATED -> {
            }
            case COMPROMISED -> {
                if (!caller.isAdmin()) {
                    throw new WrongStateException("key " + k.id() + " is Compromised; only an admin may unwrap under it");
                }
            }
            default -> throw new WrongStateException("key " + k.id() + " is " + Lifecycle.display(k.state())
                    + "; unwrapping needs an Active or Deactivated key");
        }
    }
}
