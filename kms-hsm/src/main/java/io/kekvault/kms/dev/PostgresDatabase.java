package io.kekvault.kms.dev;

import io.kekvault.kms.store.PasswordSource;
import io.kekvault.kms.store.PostgresStoreConfig;
import java.nio.file.Path;
import java.time.Duration;

/**
 * One database of a {@link PostgresServer}, owned by its own login role whose password is in
 * {@code passwordFile} (mode 0600).
 */
public record PostgresDatabase(PostgresServer server, String name, String user, Path passwordFile) {

    public String jdbcUrl() {
        return server.jdbcUrl(name);
    }

    /** Store settings with a short connection timeout, so outages surface within a second. */
    public PostgresStoreConfig storeConfig() {
        return PostgresStoreConfig.of(jdbcUrl(), user, new PasswordSource.File(passwordFile))
                .withPoolSize(4)
                .withTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(20));
    }

    /** The {@code store:} section of a KMS config using this database. */
    public String storeYaml(int poolSize, int connectionTimeoutSeconds) {
        return String.join("\n",
                "store:",
                "  type: postgresql",
                "  url: " + jdbcUrl(),
                "  user: " + user,
                "  password: file:" + passwordFile,
                "  pool-size: " + poolSize,
                "  connection-timeout-seconds: " + connectionTimeoutSeconds);
    }
}
