package io.kekvault.bridge.auth;

import io.kekvault.kmip.error.PermissionDeniedException;
import java.util.Collection;
import java.util.List;

/** An authenticated operator: who, with which role, and how they authenticated (token or certificate). */
public record Principal(String user, Role role, String method) {

    /** Built-in identity of work the bridge does on its own (resuming tasks after a restart). */
    public static final Principal SYSTEM = new Principal("bridge", Role.ADMIN, "internal");

    public boolean has(Privilege p) {
        return role.has(p);
    }

    /** Key identifiers (KEK ids, provider names of keys) are shown only to holders of a cryptographic privilege. */
    public boolean canSeeKeys() {
        return role.privileges().stream().anyMatch(Privilege::cryptographic);
    }

    /** Throws a client-safe refusal naming every missing privilege. */
    public void require(String action, Collection<Privilege> needed) throws PermissionDeniedException {
        List<String> missing = needed.stream().filter(p -> !has(p)).map(Privilege::id).toList();
        if (!missing.isEmpty()) {
            throw new PermissionDeniedException("user '" + user + "' (role " + role.name() + ") may not " + action
                    + ": missing privilege " + String.join(", ", missing));
        }
    }

    public void require(String action, Privilege... needed) throws PermissionDeniedException {
        require(action, List.of(needed));
    }
}
