package io.kekvault.bridge.auth;

import io.kekvault.kmip.error.AuthenticationException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * Who is calling: a bearer token (compared by SHA-256, in constant time, against the configured
 * hashes) or, on a TLS listener, a client certificate whose CN is mapped to a user. A request
 * with neither, or with an unknown token or certificate, gets no service.
 */
public final class Authenticator {

    /** A configured operator. {@code tokenSha256} and {@code certificateCn} may be null. */
    public record User(String name, Role role, String tokenSha256, String certificateCn) {
        public User {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(role, "role");
        }

        @Override
        public String toString() {
            return "User[" + name + ", " + role.name() + "]";
        }
    }

    private final List<User> users;

    public Authenticator(List<User> users) {
        this.users = List.copyOf(users);
    }

    public List<User> users() {
        return users;
    }

    /**
     * @param bearerToken   the token of an {@code Authorization: Bearer} header, or null
     * @param certificateCn the CN of a verified client certificate, or null
     */
    public Principal authenticate(String bearerToken, String certificateCn) throws AuthenticationException {
        if (bearerToken != null) {
            byte[] presented = HexFormat.of().parseHex(Tokens.sha256(bearerToken));
            User found = null;
            for (User u : users) {
                if (u.tokenSha256() != null
                        && MessageDigest.isEqual(presented, HexFormat.of().parseHex(u.tokenSha256()))) {
                    found = u;
                }
            }
            if (found == null) {
                throw new AuthenticationException("unknown or revoked token");
            }
            return new Principal(found.name(), found.role(), "token");
        }
        if (certificateCn != null) {
            for (User u : users) {
                if (u.certificateCn() != null && MessageDigest.isEqual(u.certificateCn().getBytes(StandardCharsets.UTF_8),
                        certificateCn.getBytes(StandardCharsets.UTF_8))) {
                    return new Principal(u.name(), u.role(), "certificate");
                }
            }
            throw new AuthenticationException("client certificate '" + certificateCn + "' is not mapped to a user");
        }
        throw new AuthenticationException("authentication required: an Authorization: Bearer token or a client certificate");
    }
}
