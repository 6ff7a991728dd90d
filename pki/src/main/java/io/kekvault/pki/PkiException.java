package io.kekvault.pki;

import java.util.Objects;

/**
 * A PKI operation was refused or failed. The message is safe to show to an operator or a client:
 * it names files, identities and reasons, never key material.
 */
public class PkiException extends Exception {

    /** Why the operation failed; the CLI maps these to exit codes and messages. */
    public enum Reason {
        /** The target already exists and the operation was not forced (nothing was changed). */
        ALREADY_EXISTS,
        /** A file the operation needs (CA, key, certificate) is missing. */
        NOT_FOUND,
        /** An argument is malformed (identity, role, SAN, validity period, PEM text). */
        INVALID_INPUT,
        /** A CSR or certificate signature does not verify, or uses a refused algorithm. */
        BAD_SIGNATURE,
        /** A key is too weak or of an unsupported type. */
        WEAK_KEY,
        /** A CSR asks for an extension a client certificate must not carry (CA, serverAuth...). */
        FORBIDDEN_EXTENSION,
        /** A peer certificate does not name exactly one valid identity. */
        INVALID_IDENTITY,
        /** Reading or writing files failed. */
        IO_FAILURE,
        /** The JCA refused an operation (missing algorithm, corrupt key). */
        CRYPTO_FAILURE
    }

    private final Reason reason;

    public PkiException(Reason reason, String message) {
        super(message);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    public PkiException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    public Reason reason() {
        return reason;
    }
}
