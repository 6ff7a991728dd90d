package io.kekvault.kms.access;

import io.kekvault.kmip.error.PermissionDeniedException;
import java.util.Set;

/**
 * Which callers may create keys whose value can leave the HSM. Keys are non-extractable by
 * default; {@code allowedRoles} may ask for extractable keys (KMIP {@code Extractable=true}),
 * and keys created by {@code defaultRoles} are extractable unless the request says otherwise
 * (standard KMIP clients such as a vCenter standard key provider, which fetch key material).
 */
public record ExportPolicy(Set<Role> allowedRoles, Set<Role> defaultRoles) {

    public ExportPolicy {
        allowedRoles = Set.copyOf(allowedRoles);
        defaultRoles = Set.copyOf(defaultRoles);
        if (!allowedRoles.containsAll(defaultRoles)) {
            throw new IllegalArgumentException("export.default-roles must be a subset of export.allowed-roles");
        }
    }

    public static ExportPolicy none() {
        return new ExportPolicy(Set.of(), Set.of());
    }

    /** Whether the new key is extractable; refuses a request the policy does not allow. */
    public boolean decide(Caller caller, Boolean requested) throws PermissionDeniedException {
        if (requested == null) {
            return defaultRoles.contains(caller.role());
        }
        if (requested && !allowedRoles.contains(caller.role())) {
            throw new PermissionDeniedException("the export policy does not let role " + caller.role().code()
                    + " create extractable keys; keys stay in the HSM");
        }
        return requested;
    }

    public String describe() {
        return allowedRoles.isEmpty() ? "no role may create extractable keys"
                : "extractable keys allowed for " + allowedRoles + ", by default for " + defaultRoles;
    }
}
