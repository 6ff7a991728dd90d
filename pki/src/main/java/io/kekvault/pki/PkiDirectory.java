package io.kekvault.pki;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Set;

/**
 * The layout of a file-based PKI directory (the KMS dev-mode layout). All files are PEM, private
 * keys unencrypted PKCS#8, every file mode 0600:
 * <pre>
 *   ca.pem, ca.key              the CA (self-signed)
 *   server.pem, server.key      the KMS server certificate (serverAuth)
 *   &lt;identity&gt;.pem, .key       one client certificate per identity (clientAuth, CN = identity);
 *                               a certificate signed from a CSR has no .key here
 *   roles.properties            identity=role, the role map the KMS config can point to
 * </pre>
 *
 * @param root the directory
 */
public record PkiDirectory(Path root) {

    public static final String CA_CERT = "ca.pem";
    public static final String CA_KEY = "ca.key";
    public static final String SERVER_CERT = "server.pem";
    public static final String SERVER_KEY = "server.key";
    public static final String ROLES = "roles.properties";

    /** Identity names that would collide with the fixed files. */
    static final Set<String> RESERVED = Set.of("ca", "server", "roles");

    public PkiDirectory {
        Objects.requireNonNull(root, "root");
    }

    public static PkiDirectory of(Path root) {
        return new PkiDirectory(root);
    }

    public Path caCertificate() {
        return root.resolve(CA_CERT);
    }

    public Path caKey() {
        return root.resolve(CA_KEY);
    }

    public Path serverCertificate() {
        return root.resolve(SERVER_CERT);
    }

    public Path serverKey() {
        return root.resolve(SERVER_KEY);
    }

    public Path rolesFile() {
        return root.resolve(ROLES);
    }

    public Path certificate(Identity identity) {
        return root.resolve(identity.name() + ".pem");
    }

    public Path key(Identity identity) {
        return root.resolve(identity.name() + ".key");
    }
}
