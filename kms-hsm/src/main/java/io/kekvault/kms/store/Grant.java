package io.kekvault.kms.store;

import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * Permission for an identity other than the owner to use a key (for example a host's
 * {@code esxi-<id>} identity may {@link Permission#UNWRAP} under a VM's KEK).
 */
public record Grant(String keyId, String identity, Set<Permission> permissions) {
    public Grant {
        Checks.text(keyId, "keyId", KeyRecord.MAX_ID_LENGTH);
        Checks.text(identity, "identity", KeyRecord.MAX_IDENTITY_LENGTH);
        Objects.requireNonNull(permissions, "permissions");
        if (permissions.isEmpty()) {
            throw new IllegalArgumentException("a grant needs at least one permission; revoke it instead");
        }
        permissions = Set.copyOf(EnumSet.copyOf(permissions));
    }

    public static Grant of(String keyId, String identity, Permission first, Permission... rest) {
        return new Grant(keyId, identity, EnumSet.of(first, rest));
    }

    public boolean allows(Permission p) {
        return permissions.contains(p);
    }
}
