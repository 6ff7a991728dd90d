package io.kekvault.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.kekvault.bridge.config.BridgeConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code kekvault bridge} commands parse, and {@code bridge init} writes a config that loads. */
class BridgeCliTest {

    @Test
    void everyBridgeCommand_hasHelp() {
        for (String[] cmd : new String[][] {{"bridge", "init", "--help"}, {"bridge", "run", "--help"}, {"bridge", "vm", "create", "--help"},
            {"bridge", "vm", "rekey", "--help"}, {"bridge", "host", "add", "--help"}, {"bridge", "provider", "csr", "--help"},
            {"bridge", "task", "wait", "--help"}, {"bridge", "vm", "policy", "--help"}}) {
            Object[] r = BridgeLab.cli(cmd);
            assertThat((int) r[0]).as(String.join(" ", cmd) + ": " + r[2]).isZero();
            assertThat((String) r[1]).startsWith("Usage:");
        }
    }

    @Test
    void init_writesALoadableConfig_andTokensOnlyInPrivateFiles(@TempDir Path dir) throws Exception {
        Object[] r = BridgeLab.cli("bridge", "init", "--dir", dir.toString());
        assertThat((int) r[0]).as((String) r[2]).isZero();
        BridgeConfig.Resolved c = BridgeConfig.load(dir.resolve("bridge.yaml"));
        assertThat(c.users()).extracting(u -> u.role().name()).containsExactly("Admin", "NoCryptoAdmin");
        String token = Files.readString(dir.resolve("tokens/admin.token")).strip();
        assertThat(token).startsWith("kvb_");
        assertThat(Files.readString(dir.resolve("bridge.yaml"))).doesNotContain(token);
        assertThat(Files.getPosixFilePermissions(dir.resolve("tokens/admin.token")))
                .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
        assertThat(c.listenHost()).isEqualTo("127.0.0.1");
        Object[] wide = BridgeLab.cli("bridge", "init", "--dir", dir.resolve("c").toString(), "--listen-host", "0.0.0.0");
        assertThat((int) wide[0]).isZero();
        assertThat(BridgeConfig.load(dir.resolve("c/bridge.yaml")).listenHost()).isEqualTo("0.0.0.0");
        Object[] again = BridgeLab.cli("bridge", "init", "--dir", dir.toString());
        assertThat((int) again[0]).isEqualTo(2);
        assertThat(Files.readString(dir.resolve("tokens/admin.token")).strip()).isEqualTo(token);
    }

    @Test
    void clientCommand_withoutToken_failsWithAClearMessage() {
        Object[] r = BridgeLab.cli("bridge", "vm", "list", "--url", "http://127.0.0.1:9");
        assertThat((int) r[0]).isNotZero();
        assertThat((String) r[2]).contains("no token");
    }
}
