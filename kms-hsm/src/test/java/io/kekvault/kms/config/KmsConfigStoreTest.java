package io.kekvault.kms.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kekvault.kms.store.PasswordSource;
import io.kekvault.kms.store.PostgresStoreConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code store:} section: sqlite by default, postgresql with its options checked at load time. */
class KmsConfigStoreTest {
    @TempDir
    Path dir;

    private KmsConfig.Resolved load(String yaml) throws Exception {
        Path f = dir.resolve("kms.yaml");
        Files.writeString(f, yaml);
        return KmsConfig.load(f);
    }

    @Test
    void noStoreSection_isTheEmbeddedStore() throws Exception {
        KmsConfig.Resolved c = load("node-id: kms-9\n");
        assertThat(c.storeType()).isEqualTo("sqlite");
        assertThat(c.storePath()).isEqualTo(dir.resolve("data/kms.db"));
    }

    @Test
    void postgresql_resolvesEveryOptionAndNamesConnectionsAfterTheNode() throws Exception {
        KmsConfig.Resolved c = load("""
                node-id: kms-2
                store:
                  type: postgresql
                  url: jdbc:postgresql://db.internal:5432/kekvault?sslmode=verify-full
                  user: kekvault
                  password: file:secrets/db-password
                  pool-size: 12
                  connection-timeout-seconds: 3
                """);
        PostgresStoreConfig pg = c.postgresStore();
        assertThat(pg.url()).isEqualTo("jdbc:postgresql://db.internal:5432/kekvault?sslmode=verify-full");
        assertThat(pg.user()).isEqualTo("kekvault");
        assertThat(pg.password()).isEqualTo(new PasswordSource.File(dir.resolve("secrets/db-password")));
        assertThat(pg.poolSize()).isEqualTo(12);
        assertThat(pg.connectionTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(pg.applicationName()).isEqualTo("kekvault-kms-2");
        assertThat(pg.toString()).contains("password=file:" + dir.resolve("secrets/db-password"));
    }

    @Test
    void sharedToken_followsTheStoreUnlessSet() throws Exception {
        String pg = "store:\n  type: postgresql\n  url: jdbc:postgresql://db/k\n  user: u\n  password: env:P\n";
        assertThat(load("node-id: kms-1\n").vault().sharedToken()).as("sqlite: one node, its own token").isFalse();
        assertThat(load(pg).vault().sharedToken()).as("postgresql: the nodes share the token").isTrue();
        assertThat(load(pg + "hsm:\n  shared-token: false\n").vault().sharedToken()).isFalse();
        assertThat(load("hsm:\n  shared-token: true\n").vault().sharedToken()).isTrue();
    }

    @Test
    void postgresql_defaults() throws Exception {
        PostgresStoreConfig pg = load("""
                store:
                  type: postgresql
                  url: jdbc:postgresql://db/kekvault
                  user: kekvault
                  password: env:KEKVAULT_DB_PASSWORD
                """).postgresStore();
        assertThat(pg.poolSize()).isEqualTo(PostgresStoreConfig.DEFAULT_POOL_SIZE);
        assertThat(pg.connectionTimeout()).isEqualTo(PostgresStoreConfig.DEFAULT_CONNECTION_TIMEOUT);
        assertThat(pg.password()).isEqualTo(new PasswordSource.Env("KEKVAULT_DB_PASSWORD"));
    }

    @Test
    void postgresql_refusesMissingOrUnsafeOptionsAtLoad() {
        String base = "store:\n  type: postgresql\n";
        assertThatThrownBy(() -> load(base + "  user: u\n  password: env:P\n"))
                .hasMessageContaining("store.url");
        assertThatThrownBy(() -> load(base + "  url: jdbc:postgresql://db/k\n  password: env:P\n"))
                .hasMessageContaining("store.user");
        assertThatThrownBy(() -> load(base + "  url: jdbc:postgresql://db/k\n  user: u\n"))
                .hasMessageContaining("password");
        assertThatThrownBy(() -> load(base + "  url: jdbc:postgresql://db/k\n  user: u\n  password: hunter2\n"))
                .hasMessageContaining("env:NAME or file:/path").hasMessageNotContaining("hunter2");
        assertThatThrownBy(() -> load(base + "  url: jdbc:postgresql://db/k?password=hunter2\n  user: u\n  password: env:P\n"))
                .hasMessageContaining("must not hold the password").hasMessageNotContaining("hunter2");
        assertThatThrownBy(() -> load(base + "  url: jdbc:mysql://db/k\n  user: u\n  password: env:P\n"))
                .hasMessageContaining("jdbc:postgresql://");
        assertThatThrownBy(() -> load(base + "  url: jdbc:postgresql://db/k\n  user: u\n  password: env:P\n  pool-size: 0\n"))
                .hasMessageContaining("pool-size");
        assertThatThrownBy(() -> load(base + "  url: jdbc:postgresql://db/k\n  user: u\n  password: env:P\n"
                + "  connection-timeout-seconds: 0\n")).hasMessageContaining("connection-timeout-seconds");
        assertThatThrownBy(() -> load("store:\n  type: mysql\n")).hasMessageContaining("sqlite or postgresql");
    }

    @Test
    void passwordFile_isReadWithoutTrailingNewlineAndAnEmptyOneIsRefused() throws Exception {
        Path f = dir.resolve("pw");
        Files.writeString(f, "s3cret\n");
        assertThat(new String(new PasswordSource.File(f).read())).isEqualTo("s3cret");
        Files.writeString(f, "\n");
        assertThatThrownBy(() -> new PasswordSource.File(f).read()).hasMessageContaining("empty");
        assertThatThrownBy(() -> new PasswordSource.File(dir.resolve("missing")).read())
                .hasMessageContaining("cannot read database password file");
    }
}
