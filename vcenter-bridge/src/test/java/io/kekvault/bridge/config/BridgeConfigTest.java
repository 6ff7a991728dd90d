package io.kekvault.bridge.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kekvault.bridge.auth.Privilege;
import io.kekvault.bridge.auth.Tokens;
import io.kekvault.kmip.client.ConnectionMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BridgeConfigTest {

    private static Path write(Path dir, String yaml) throws Exception {
        Path f = dir.resolve("bridge.yaml");
        Files.writeString(f, yaml);
        return f;
    }

    @Test
    void starterConfig_loadsWithDefaults(@TempDir Path dir) throws Exception {
        String hash = Tokens.sha256("secret-token");
        Path f = write(dir, BridgeConfig.starter(List.of(new BridgeConfig.UserEntry("admin", "Admin", hash, null)), "127.0.0.1"));
        BridgeConfig.Resolved c = BridgeConfig.load(f);
        assertThat(c.listenHost()).isEqualTo("127.0.0.1");
        assertThat(c.listenPort()).isEqualTo(9090);
        assertThat(c.dataDir()).isEqualTo(dir.resolve("data"));
        assertThat(c.databaseFile()).isEqualTo(dir.resolve("data/bridge.db"));
        assertThat(c.connectionMode()).isEqualTo(ConnectionMode.PER_REQUEST);
        assertThat(c.kmipVersion().toString()).isEqualTo("1.4");
        assertThat(c.users()).singleElement().satisfies(u -> {
            assertThat(u.name()).isEqualTo("admin");
            assertThat(u.role().privileges()).contains(Privilege.CRYPTO_DECRYPT);
        });
        assertThat(Files.readString(f)).doesNotContain("secret-token");
    }

    @Test
    void unknownOption_isRefused(@TempDir Path dir) throws Exception {
        Path f = write(dir, "listen:\n  prot: 1\nusers:\n  - {name: a, role: Admin, token-sha256: " + Tokens.sha256("x") + "}\n");
        assertThatThrownBy(() -> BridgeConfig.load(f)).hasMessageContaining("prot");
    }

    @Test
    void noUsers_isRefused(@TempDir Path dir) throws Exception {
        Path f = write(dir, "data-dir: d\n");
        assertThatThrownBy(() -> BridgeConfig.load(f)).hasMessageContaining("at least one operator");
    }

    @Test
    void customRole_withUnknownPrivilege_isRefused(@TempDir Path dir) throws Exception {
        Path f = write(dir, "roles:\n  - {name: KeyOps, privileges: [Cryptographer.Recrypt, Cryptographer.Teleport]}\n"
                + "users:\n  - {name: a, role: KeyOps, token-sha256: " + Tokens.sha256("x") + "}\n");
        assertThatThrownBy(() -> BridgeConfig.load(f)).hasMessageContaining("Cryptographer.Teleport");
    }

    @Test
    void customRole_grantsExactlyItsPrivileges(@TempDir Path dir) throws Exception {
        Path f = write(dir, "roles:\n  - {name: KeyOps, privileges: [System.Read, Cryptographer.Recrypt]}\n"
                + "users:\n  - {name: a, role: keyops, token-sha256: " + Tokens.sha256("x") + "}\n");
        assertThat(BridgeConfig.load(f).users().getFirst().role().privileges())
                .containsExactlyInAnyOrder(Privilege.SYSTEM_READ, Privilege.CRYPTO_RECRYPT);
    }

    @Test
    void tokenHash_mustBeHexSha256(@TempDir Path dir) throws Exception {
        Path f = write(dir, "users:\n  - {name: a, role: Admin, token-sha256: plaintext-token}\n");
        assertThatThrownBy(() -> BridgeConfig.load(f)).hasMessageContaining("64 lower-case hex");
    }

    @Test
    void certificateUsers_needTlsListener(@TempDir Path dir) throws Exception {
        Path f = write(dir, "users:\n  - {name: a, role: Admin, certificate-cn: alice}\n");
        assertThatThrownBy(() -> BridgeConfig.load(f)).hasMessageContaining("listen.tls");
    }

    @Test
    void badConnectionMode_isRefused(@TempDir Path dir) throws Exception {
        Path f = write(dir, "kms: {connection: sometimes}\nusers:\n  - {name: a, role: Admin, token-sha256: " + Tokens.sha256("x") + "}\n");
        assertThatThrownBy(() -> BridgeConfig.load(f)).hasMessageContaining("per-request or pooled");
    }
}
