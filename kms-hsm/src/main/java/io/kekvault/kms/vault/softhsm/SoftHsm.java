package io.kekvault.kms.vault.softhsm;

import io.kekvault.kms.vault.VaultConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xipki.pkcs11.wrapper.PKCS11Constants;
import org.xipki.pkcs11.wrapper.PKCS11Exception;
import org.xipki.pkcs11.wrapper.PKCS11Module;
import org.xipki.pkcs11.wrapper.Session;
import org.xipki.pkcs11.wrapper.Slot;

/**
 * Lab tokens on SoftHSM2: a configuration file and token directory under a folder, and token
 * initialisation through PKCS#11 itself ({@code C_InitToken}, {@code C_InitPIN}), so PINs never
 * appear on a command line. Used by the dev mode, the demo and the test harness.
 */
public final class SoftHsm {
    private static final Logger log = LoggerFactory.getLogger(SoftHsm.class);
    public static final Path MODULE = VaultConfig.SOFTHSM_MODULE;
    public static final String CONF_ENV = "SOFTHSM2_CONF";

    private SoftHsm() {
    }

    /** Fails with an install hint when SoftHSM2 is missing: tests need it and never skip. */
    public static void requireInstalled() {
        if (!Files.isReadable(MODULE)) {
            throw new IllegalStateException("SoftHSM2 is not installed (" + MODULE + " missing): "
                    + "run `apt-get install softhsm2`, or `./kekvault test`, which installs it");
        }
    }

    /** Writes {@code dir/softhsm2.conf} pointing at {@code dir/tokens}; returns the file. */
    public static Path writeConfig(Path dir) {
        try {
            Path tokens = dir.resolve("tokens");
            Files.createDirectories(tokens);
            Path conf = dir.resolve("softhsm2.conf");
            String text = "# Kekvault lab token (SoftHSM2). Token objects live in the directory below.\n"
                    + "directories.tokendir = " + tokens.toAbsolutePath() + "\n"
                    + "objectstore.backend = file\n"
                    + "log.level = ERROR\n"
                    + "slots.removable = false\n";
            Files.writeString(conf, text, StandardCharsets.UTF_8);
            return conf;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write SoftHSM2 configuration under " + dir, e);
        }
    }

    /**
     * Points this process's SoftHSM2 at {@code conf}. Must happen before the module is first
     * initialised in the process (SoftHSM reads the variable in {@code C_Initialize}).
     */
    public static void useConfig(Path conf) {
        NativeEnv.set(CONF_ENV, conf.toAbsolutePath().toString());
    }

    /** A random PIN (hex, 32 characters) for lab tokens. */
    public static char[] randomPin(SecureRandom random) {
        byte[] b = new byte[16];
        random.nextBytes(b);
        char[] pin = HexFormat.of().formatHex(b).toCharArray();
        Arrays.fill(b, (byte) 0);
        return pin;
    }

    /** Writes a PIN file readable only by its owner, atomically. */
    public static void writePinFile(Path file, char[] pin) {
        try {
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.deleteIfExists(tmp);
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            byte[] bytes = new String(pin).getBytes(StandardCharsets.UTF_8);
            try {
                Files.write(tmp, bytes, StandardOpenOption.WRITE, StandardOpenOption.SYNC);
            } finally {
                Arrays.fill(bytes, (byte) 0);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write PIN file " + file, e);
        }
    }

    /**
     * Initialises a token labelled {@code label} in the first free slot and sets its user PIN.
     * The process's SoftHSM must already point at the right configuration ({@link #useConfig}).
     */
    public static void initToken(String label, char[] soPin, char[] userPin) {
        requireInstalled();
        io.kekvault.kms.vault.pkcs11.WrapperLogging.install();
        try {
            PKCS11Module module = PKCS11Module.getInstance(MODULE.toString());
            try {
                module.initialize();
            } catch (PKCS11Exception e) {
                if (e.getErrorCode() != PKCS11Constants.CKR_CRYPTOKI_ALREADY_INITIALIZED) {
                    throw e;
                }
            }
            for (Slot slot : module.getSlotList(true)) {
                if (label.equals(slot.getToken().getTokenInfo().getLabel().trim())) {
                    throw new IllegalStateException("a token labelled '" + label + "' already exists");
                }
            }
            Slot free = null;
            for (Slot slot : module.getSlotList(true)) {
                if (!slot.getToken().getTokenInfo().isTokenInitialized()) {
                    free = slot;
                    break;
                }
            }
            if (free == null) {
                throw new IllegalStateException("SoftHSM2 has no free slot");
            }
            if (label.length() > 32) {
                throw new IllegalArgumentException("a token label has at most 32 characters");
            }
            // CK_TOKEN_INFO labels are exactly 32 blank-padded characters, not NUL-terminated.
            char[] padded = String.format("%-32s", label).toCharArray();
            module.getPKCS11Module().C_InitToken(free.getSlotID(), soPin, padded, true);
            Slot initialised = null;
            for (Slot slot : module.getSlotList(true)) {
                if (label.equals(slot.getToken().getTokenInfo().getLabel().trim())) {
                    initialised = slot;
                }
            }
            if (initialised == null) {
                throw new IllegalStateException("token '" + label + "' not visible after C_InitToken");
            }
            Session so = initialised.getToken().openSession(true);
            try {
                so.login(PKCS11Constants.CKU_SO, soPin);
                so.initPIN(userPin);
                so.logout();
            } finally {
                so.closeSession();
            }
            log.info("event=softhsm_token_initialised label={}", label);
        } catch (IOException | PKCS11Exception | iaik.pkcs.pkcs11.wrapper.PKCS11Exception e) {
            throw new IllegalStateException("cannot initialise SoftHSM2 token '" + label + "': " + e.getMessage(), e);
        }
    }
}
