package io.kekvault.esxi.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class OpenSslXtsEngineTest extends XtsEngineContract {

    @Override
    XtsEngineFactory factory() {
        // Fails loudly (not skipped) when libcrypto is missing: install libssl3 (Debian 12).
        return XtsEngines.openssl();
    }

    @Test
    void perUnitIvFastPath_isUsedAndMatchesTheReinitPath() throws Exception {
        XtsVectors v = ieee1619().get(4);
        try (io.kekvault.secret.SecretBytes key = io.kekvault.secret.SecretBytes.copyOf(v.key())) {
            try (XtsEngine fast = factory().create(key, v.dataUnitBytes())) {
                assertThat(((OpenSslXtsEngine) fast).usesDirectIv()).isTrue();
            }
            System.setProperty("kekvault.openssl.noDirectIv", "true");
            try (XtsEngine slow = factory().create(key, v.dataUnitBytes())) {
                assertThat(((OpenSslXtsEngine) slow).usesDirectIv()).isFalse();
                byte[] out = new byte[v.plaintext().length];
                slow.encrypt(v.unitNumber(), v.plaintext(), 0, out, 0, out.length);
                assertThat(out).isEqualTo(v.ciphertext());
                slow.decrypt(v.unitNumber(), out, 0, out.length);
                assertThat(out).isEqualTo(v.plaintext());
            } finally {
                System.clearProperty("kekvault.openssl.noDirectIv");
            }
        }
    }

    @Test
    void libcrypto_loadsAndIsTheAutomaticChoice() {
        assertThat(XtsEngines.opensslUnavailableReason()).isEmpty();
        assertThat(factory().description()).contains("OpenSSL 3");
        if (System.getProperty("kekvault.xts.engine") == null) {
            assertThat(XtsEngines.best().name()).isEqualTo("openssl");
        }
    }
}
