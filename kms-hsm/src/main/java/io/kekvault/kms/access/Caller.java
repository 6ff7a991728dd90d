package io.kekvault.kms.access;

/**
 * An authenticated client: the CN of a verified client certificate and the role the KMS's role
 * map gives it. {@code requestId} ties audit records and logs to one request.
 */
public record Caller(String identity, Role role, String requestId, String channel) {

    public boolean isAdmin() {
        return role == Role.ADMIN;
    }
}
