package io.kekvault.pki;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The identity to role map ({@code roles.properties}: {@code identity=role} lines). Roles are never
 * taken from certificates or from what a client says: the KMS looks the verified certificate's
 * identity up here. Loading refuses invalid identity or role names rather than skipping them.
 */
public final class RoleMap {

    private static final Pattern ROLE_SYNTAX = Pattern.compile("[a-z][a-z0-9_-]{0,31}");

    private final Map<Identity, String> roles;

    private RoleMap(Map<Identity, String> roles) {
        this.roles = Collections.unmodifiableMap(new TreeMap<>(roles));
    }

    public static RoleMap empty() {
        return new RoleMap(Map.of());
    }

    public static RoleMap of(Map<Identity, String> roles) throws PkiException {
        for (String role : roles.values()) {
            validateRole(role);
        }
        return new RoleMap(roles);
    }

    /** Loads a role file; a missing file is {@link PkiException.Reason#NOT_FOUND}. */
    public static RoleMap load(Path file) throws PkiException {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(reader);
        } catch (NoSuchFileException e) {
            throw new PkiException(PkiException.Reason.NOT_FOUND, file + ": no such file");
        } catch (IOException | IllegalArgumentException e) {
            throw new PkiException(PkiException.Reason.INVALID_INPUT, file + ": not a valid properties file", e);
        }
        Map<Identity, String> roles = new TreeMap<>();
        for (String name : properties.stringPropertyNames()) {
            Identity identity;
            try {
                identity = new Identity(name);
            } catch (IllegalArgumentException e) {
                throw new PkiException(PkiException.Reason.INVALID_INPUT, file + ": " + e.getMessage());
            }
            String role = properties.getProperty(name).trim();
            try {
                validateRole(role);
            } catch (PkiException e) {
                throw new PkiException(PkiException.Reason.INVALID_INPUT, file + ": identity " + name + ": " + e.getMessage());
            }
            roles.put(identity, role);
        }
        return new RoleMap(roles);
    }

    /** Like {@link #load} but a missing file is an empty map. */
    public static RoleMap loadIfExists(Path file) throws PkiException {
        return Files.exists(file) ? load(file) : empty();
    }

    /** Checks role syntax: 1-32 of {@code a-z 0-9 _ -}, starting with a letter (e.g. admin, host). */
    public static String validateRole(String role) throws PkiException {
        if (role == null || !ROLE_SYNTAX.matcher(role).matches()) {
            throw new PkiException(PkiException.Reason.INVALID_INPUT,
                    "invalid role (allowed: 1-32 of a-z 0-9 _ -, starting with a letter)");
        }
        return role;
    }

    public Optional<String> roleOf(Identity identity) {
        return Optional.ofNullable(roles.get(identity));
    }

    /** Sorted, unmodifiable view. */
    public Map<Identity, String> asMap() {
        return roles;
    }

    RoleMap with(Identity identity, String role) {
        Map<Identity, String> copy = new TreeMap<>(roles);
        copy.put(identity, role);
        return new RoleMap(copy);
    }

    /** The file form, sorted by identity; names are restricted so no escaping is needed. */
    String toProperties() {
        StringBuilder b = new StringBuilder("# Kekvault role map: identity=role (managed by 'kekvault pki')\n");
        roles.forEach((identity, role) -> b.append(identity.name()).append('=').append(role).append('\n'));
        return b.toString();
    }

    @Override
    public String toString() {
        return "RoleMap" + roles;
    }
}
