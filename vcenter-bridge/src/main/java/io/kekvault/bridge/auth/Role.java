package io.kekvault.bridge.auth;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/** A named set of privileges. The built-in roles mirror vSphere's. */
public record Role(String name, Set<Privilege> privileges) {

    public Role {
        privileges = privileges.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(privileges));
    }

    /** Every privilege. */
    public static final Role ADMIN = new Role("Admin", EnumSet.allOf(Privilege.class));

    /** vSphere's "No cryptography administrator": everything except the {@code Cryptographer.*} privileges. */
    public static final Role NO_CRYPTO_ADMIN = new Role("NoCryptoAdmin",
            Arrays.stream(Privilege.values()).filter(p -> !p.cryptographic()).collect(Collectors.toCollection(() -> EnumSet.noneOf(Privilege.class))));

    public static final Role READ_ONLY = new Role("ReadOnly", EnumSet.of(Privilege.SYSTEM_READ));

    public static final List<Role> BUILT_IN = List.of(ADMIN, NO_CRYPTO_ADMIN, READ_ONLY);

    public boolean has(Privilege p) {
        return privileges.contains(p);
    }
}
