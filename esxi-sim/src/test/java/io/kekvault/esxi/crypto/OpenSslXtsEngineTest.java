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
    void libcrypto_loadsAndIsTheAutomaticChoice() {
        assertThat(XtsEngines.opensslUnavailableReason()).isEmpty();
        assertThat(factory().description()).contains("OpenSSL 3");
        if (System.getProperty("kekvault.xts.engine") == null) {
            assertThat(XtsEngines.best().name()).isEqualTo("openssl");
        }
    }
}
