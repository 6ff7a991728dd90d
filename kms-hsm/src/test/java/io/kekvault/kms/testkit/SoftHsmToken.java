package io.kekvault.kms.testkit;

import io.kekvault.kmip.error.KmsException;
import io.kekvault.kms.vault.KeyVault;
import io.kekvault.kms.vault.KeyVaults;
import io.kekvault.kms.vault.PinSource;
import io.kekvault.kms.vault.VaultConfig;
import io.kekvault.kms.vault.softhsm.SoftHsm;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A fresh SoftHSM2 token made for one test class: its own directory, configuration file,
 * label and PINs (in files readable only by the owner). Vaults opened here are closed when the
 * class ends.
 */
public final class SoftHsmToken {
    private final Path dir;
    private final Path conf;
    private final String label;
    private final Path pinFile;
    private final List<KeyVault> opened = new ArrayList<>();

    SoftHsmToken(Path dir, Path conf, String label, Path pinFile) {
        this.dir = dir;
        this.conf = conf;
        this.label = label;
        this.pinFile = pinFile;
    }

    /**
     * Makes this JVM use {@code conf} (written by {@link SoftHsm#writeConfig} into {@code dir})
     * and initializes a token with a random label and random PINs, kept in owner-only files in
     * {@code dir}. Outside JUnit (benchmarks) this is the whole set-up; SoftHSM reads its
     * configuration once per process, so call it once per JVM.
     */
    public static SoftHsmToken initialize(Path dir, Path conf) {
        SoftHsm.useConfig(conf);
        SecureRandom random = new SecureRandom();
        String label = "kv-test-" + Long.toHexString(random.nextLong() & Long.MAX_VALUE);
        char[] soPin = SoftHsm.randomPin(random);
        char[] userPin = SoftHsm.randomPin(random);
        Path pinFile = dir.resolve("token-pin");
        try {
            SoftHsm.writePinFile(pinFile, userPin);
            SoftHsm.writePinFile(dir.resolve("so-pin"), soPin);
            SoftHsm.initToken(label, soPin, userPin);
        } finally {
            Arrays.fill(soPin, '\0');
            Arrays.fill(userPin, '\0');
        }
        return new SoftHsmToken(dir, conf, label, pinFile);
    }

    /** A new temporary directory, its SoftHSM configuration, and a token in it, for this JVM. */
    public static SoftHsmToken createStandalone() throws java.io.IOException {
        SoftHsm.requireInstalled();
        Path dir = java.nio.file.Files.createTempDirectory("kekvault-softhsm-");
        return initialize(dir, SoftHsm.writeConfig(dir));
    }

    /** Closes the vaults opened here (the directory stays; the caller removes it). */
    public void close() {
        closeAll();
    }

    public Path dir() {
        return dir;
    }

    public Path conf() {
        return conf;
    }

    public String label() {
        return label;
    }

    public Path pinFile() {
        return pinFile;
    }

    public Path module() {
        return SoftHsm.MODULE;
    }

    /** Environment for a child process that should use this token. */
    public Map<String, String> env() {
        return Map.of(SoftHsm.CONF_ENV, conf.toString());
    }

    public VaultConfig vaultConfig(String backend) {
        return new VaultConfig(backend, SoftHsm.MODULE, label, new PinSource.File(pinFile), 4, env());
    }

    /** Opens a vault on this token with the named backend; closed after the test class. */
    public synchronized KeyVault openVault(String backend) throws KmsException {
        KeyVault v = KeyVaults.open(vaultConfig(backend));
        opened.add(v);
        return v;
    }

    /**
     * Opens a vault that knows other processes change this token too (as KMS nodes sharing it
     * do); closed after the test class.
     */
    public synchronized KeyVault openSharedVault(String backend) throws KmsException {
        KeyVault v = KeyVaults.open(vaultConfig(backend).withSharedToken(true));
        opened.add(v);
        return v;
    }

    synchronized void closeAll() {
        for (KeyVault v : opened) {
            v.close();
        }
        opened.clear();
    }
}
