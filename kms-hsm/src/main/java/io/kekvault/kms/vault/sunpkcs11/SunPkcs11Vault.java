package io.kekvault.kms.vault.sunpkcs11;

import io.kekvault.kmip.error.ConflictException;
import io.kekvault.kmip.error.CryptographicFailureException;
import io.kekvault.kmip.error.InvalidRequestException;
import io.kekvault.kmip.error.KmsException;
import io.kekvault.kmip.error.NotExtractableException;
import io.kekvault.kmip.error.NotFoundException;
import io.kekvault.kmip.error.ResultReason;
import io.kekvault.kmip.error.UnsupportedException;
import io.kekvault.kms.vault.CipherParams;
import io.kekvault.kms.vault.CipherResult;
import io.kekvault.kms.vault.Ckr;
import io.kekvault.kms.vault.HsmException;
import io.kekvault.kms.vault.HsmKeyInfo;
import io.kekvault.kms.vault.HsmUnavailableException;
import io.kekvault.kms.vault.KeyAlgorithm;
import io.kekvault.kms.vault.KeyLabels;
import io.kekvault.kms.vault.KeySpec;
import io.kekvault.kms.vault.KeyVault;
import io.kekvault.kms.vault.Mechanisms;
import io.kekvault.kms.vault.VaultConfig;
import io.kekvault.kms.vault.VaultHealth;
import io.kekvault.kms.vault.VaultStats;
import io.kekvault.kms.vault.WrappedKeyFormat;
import io.kekvault.secret.SecretBytes;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.Provider;
import java.security.SecureRandom;
import java.security.Security;
import java.security.spec.AlgorithmParameterSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.KeyGenerator;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The secondary backend: the JDK's SunPKCS11 provider. Crypto, key generation and storage go
 * through JCA ({@link Cipher}, {@link KeyGenerator}, the {@code PKCS11} {@link KeyStore}); the
 * generation template comes from {@code sunpkcs11.cfg.template} (the same file as
 * {@code hsm-config/}). Attribute read-back and {@code CKA_ID} use {@link Cryptoki}.
 *
 * <p>Recovery: when SunPKCS11 reports a lost session, a logged-out token or a finalised module,
 * the provider instance is rebuilt (new sessions, new login) and the call retried.
 */
public final class SunPkcs11Vault implements KeyVault {
    private static final Logger log = LoggerFactory.getLogger(SunPkcs11Vault.class);
    private static final int MAX_ATTEMPTS = 3;
    private static final AtomicInteger INSTANCES = new AtomicInteger();

    private static final long CKA_CLASS = 0x0L;
    private static final long CKA_TOKEN = 0x1L;
    private static final long CKA_PRIVATE = 0x2L;
    private static final long CKA_LABEL = 0x3L;
    private static final long CKA_VALUE = 0x11L;
    private static final long CKA_KEY_TYPE = 0x100L;
    private static final long CKA_ID = 0x102L;
    private static final long CKA_SENSITIVE = 0x103L;
    private static final long CKA_ENCRYPT = 0x104L;
    private static final long CKA_DECRYPT = 0x105L;
    private static final long CKA_VALUE_LEN = 0x161L;
    private static final long CKA_EXTRACTABLE = 0x162L;
    private static final long CKA_NEVER_EXTRACTABLE = 0x164L;
    private static final long CKA_ALWAYS_SENSITIVE = 0x165L;

    private final VaultConfig config;
    private final Cryptoki ck;
    private final String template;
    private final ConcurrentHashMap<String, SecretKey> keys = new ConcurrentHashMap<>();
    private final SecureRandom random;
    private final AtomicLong rebuilds = new AtomicLong();
    private final Object rebuildLock = new Object();
    private volatile State state;
    private volatile boolean closed;

    /** One provider instance with its logged-in key store; replaced wholesale on recovery. */
    private record State(Provider provider, KeyStore keyStore, long slot) {
    }

    private SunPkcs11Vault(VaultConfig config, Cryptoki ck, String template) throws KmsException {
        this.config = config;
        this.ck = ck;
        this.template = template;
        this.random = new io.kekvault.kms.vault.IvSource();
        this.state = buildState(false);
    }

    public static SunPkcs11Vault open(VaultConfig config) throws KmsException {
        Cryptoki ck;
        try {
            ck = Cryptoki.forLibrary(config.modulePath().toString());
        } catch (Cryptoki.Failure e) {
            throw new HsmUnavailableException("cannot load PKCS#11 module " + config.modulePath(), e.ckr, e);
        }
        SunPkcs11Vault v = new SunPkcs11Vault(config, ck, readTemplate());
        log.info("event=vault_open backend=sunpkcs11 module={} token={} slot={} pin={}",
                config.modulePath(), config.tokenLabel(), v.state.slot(), config.pin().describe());
        return v;
    }

    /** The provider configuration template shipped with the code (also in hsm-config/). */
    public static String readTemplate() {
        try (InputStream in = SunPkcs11Vault.class.getResourceAsStream("sunpkcs11.cfg.template")) {
            if (in == null) {
                throw new IllegalStateException("sunpkcs11.cfg.template missing from the classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read sunpkcs11.cfg.template", e);
        }
    }

    private State buildState(boolean reinitialise) throws KmsException {
        try {
            if (reinitialise) {
                ck.initialize();
            }
            long slot = ck.slotOf(config.tokenLabel());
            if (slot < 0) {
                throw new HsmUnavailableException("no token labelled '" + config.tokenLabel() + "' in the PKCS#11 module", -1, null);
            }
            String cfg = "--" + template
                    .replace("${name}", "Kekvault-" + INSTANCES.incrementAndGet())
                    .replace("${library}", config.modulePath().toString())
                    .replace("${slot}", Long.toString(slot));
            Provider p = Security.getProvider("SunPKCS11").configure(cfg);
            KeyStore ks = KeyStore.getInstance("PKCS11", p);
            char[] pin = config.pin().read();
            try {
                ks.load(null, pin);
            } finally {
                Arrays.fill(pin, '\0');
            }
            keys.clear();
            return new State(p, ks, slot);
        } catch (Cryptoki.Failure e) {
            throw new HsmUnavailableException("HSM unavailable", e.ckr, e);
        } catch (GeneralSecurityException | IOException | RuntimeException e) {
            long ckr = Cryptoki.ckrOf(e);
            log.error("event=hsm_provider_failed ckr={} error={}", ckr < 0 ? "-" : Ckr.name(ckr), e.getClass().getSimpleName());
            throw new HsmUnavailableException("cannot start the SunPKCS11 provider", ckr, e);
        }
    }

    @FunctionalInterface
    private interface Call<T> {
        T apply(State s) throws GeneralSecurityException, Cryptoki.Failure, KmsException;
    }

    private <T> T run(String what, Call<T> call) throws KmsException {
        if (closed) {
            throw new HsmUnavailableException("vault is closed", -1, null);
        }
        Throwable last = null;
        for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
            State s = state;
            try {
                return call.apply(s);
            } catch (KmsException e) {
                throw e;
            } catch (GeneralSecurityException | Cryptoki.Failure | RuntimeException e) {
                last = e;
                long ckr = Cryptoki.ckrOf(e);
                if (Ckr.isSessionLost(ckr) || ckr == Ckr.USER_NOT_LOGGED_IN || Ckr.isModuleLost(ckr)) {
                    log.warn("event=hsm_session_lost backend=sunpkcs11 op={} ckr={} attempt={}", what, Ckr.name(ckr), attempt);
                    rebuild(s, Ckr.isModuleLost(ckr));
                    continue;
                }
                if (Ckr.isHandleStale(ckr)) {
                    keys.clear();
                    continue;
                }
                if (e instanceof RuntimeException && ckr < 0) {
                    throw (RuntimeException) e;
                }
                log.warn("event=hsm_error backend=sunpkcs11 op={} ckr={} error={}", what, ckr < 0 ? "-" : Ckr.name(ckr),
                        e.getClass().getSimpleName());
                throw new HsmException(what, ckr, e);
            }
        }
        throw new HsmUnavailableException("HSM did not recover after " + MAX_ATTEMPTS + " attempts", Cryptoki.ckrOf(last), last);
    }

    private void rebuild(State broken, boolean moduleLost) throws KmsException {
        synchronized (rebuildLock) {
            if (state != broken) {
                return; // another thread rebuilt already
            }
            State fresh;
            try {
                fresh = buildState(moduleLost);
            } catch (HsmUnavailableException e) {
                if (moduleLost) {
                    throw e;
                }
                fresh = buildState(true);
            }
            state = fresh;
            rebuilds.incrementAndGet();
            log.info("event=hsm_provider_rebuilt backend=sunpkcs11 slot={}", fresh.slot());
        }
    }

    // ---------------------------------------------------------------- raw attribute access

    @FunctionalInterface
    private interface SessionCall<T> {
        T apply(long session) throws Cryptoki.Failure, KmsException;
    }

    /** A short raw session for attribute work (rare operations, not on the wrap path). */
    private <T> T withRawSession(State s, SessionCall<T> call) throws Cryptoki.Failure, KmsException {
        long session = ck.openSession(s.slot());
        try {
            return call.apply(session);
        } finally {
            ck.closeSession(session);
        }
    }

    private long handleOf(long session, String keyId) throws Cryptoki.Failure, KmsException {
        long[] found = ck.findByLabel(session, KeyLabels.label(keyId));
        if (found.length > 1) {
            throw new ConflictException("more than one HSM object carries key " + keyId);
        }
        return found.length == 0 ? 0 : found[0];
    }

    private HsmKeyInfo readInfo(long session, String keyId, long h) throws Cryptoki.Failure {
        Object[] v = ck.get(session, h, CKA_LABEL, CKA_KEY_TYPE, CKA_TOKEN, CKA_PRIVATE, CKA_SENSITIVE,
                CKA_EXTRACTABLE, CKA_NEVER_EXTRACTABLE, CKA_ALWAYS_SENSITIVE, CKA_ENCRYPT, CKA_DECRYPT);
        long kt = v[1] instanceof Long l ? l : -1;
        KeyAlgorithm alg = KeyAlgorithm.GENERIC;
        for (KeyAlgorithm k : KeyAlgorithm.values()) {
            if (k.ckk() == kt) {
                alg = k;
            }
        }
        int len = alg.valueLength(256);
        if (alg != KeyAlgorithm.DES3) {
            Object l = ck.get(session, h, CKA_VALUE_LEN)[0];
            len = l instanceof Long x ? x.intValue() : 0;
        }
        return new HsmKeyInfo(keyId, v[0] == null ? null : new String((char[]) v[0]), alg, len,
                bool(v[2]), bool(v[3]), bool(v[4]), bool(v[5]), bool(v[6]), bool(v[7]), bool(v[8]), bool(v[9]));
    }

    private static boolean bool(Object o) {
        return o instanceof Boolean b && b;
    }

    // ---------------------------------------------------------------- lifecycle

    @Override
    public HsmKeyInfo generate(String keyId, KeySpec spec) throws KmsException {
        KeyLabels.check(keyId);
        if (spec.extractable() || spec.algorithm() == KeyAlgorithm.GENERIC) {
            // The provider's generate template makes KEKs; an extractable or generic key is
            // random bytes from the HSM's own generator, imported.
            byte[] raw = new byte[spec.algorithm().valueLength(spec.lengthBits())];
            run("C_GenerateRandom", s -> {
                SecureRandom.getInstance("PKCS11", s.provider()).nextBytes(raw);
                return null;
            });
            try (SecretBytes material = SecretBytes.adopt(raw)) {
                return store(keyId, spec, material, false);
            }
        }
        return store(keyId, spec, null, true);
    }

    @Override
    public HsmKeyInfo importKey(String keyId, KeySpec spec, SecretBytes material) throws KmsException {
        KeyLabels.check(keyId);
        if (material.length() != spec.algorithm().valueLength(spec.lengthBits())) {
            throw new InvalidRequestException(ResultReason.INVALID_FIELD,
                    "key material length does not match " + spec.lengthBits() + "-bit " + spec.algorithm(), null);
        }
        return store(keyId, spec, material, false);
    }

    private HsmKeyInfo store(String keyId, KeySpec spec, SecretBytes material, boolean generated) throws KmsException {
        String label = KeyLabels.label(keyId);
        return run(generated ? "C_GenerateKey" : "C_CreateObject", s -> {
            // The key store's alias map (read at login, kept up to date by its own writes) answers
            // without a search over every object; identifiers are random UUIDs, so a key another
            // node made since cannot collide.
            if (s.keyStore().containsAlias(label)) {
                throw new ConflictException("key " + keyId + " already exists in the HSM");
            }
            SecretKey key;
            if (generated) {
                KeyGenerator g = KeyGenerator.getInstance(jcaName(spec.algorithm()), s.provider());
                g.init(spec.algorithm() == KeyAlgorithm.DES3 ? 168 : spec.lengthBits());
                key = g.generateKey();
            } else {
                byte[] value = material.duplicate().expose();
                try {
                    key = new SecretKeySpec(value, jcaName(spec.algorithm()));
                } finally {
                    SecretBytes.wipe(value);
                }
            }
            s.keyStore().setEntry(label, new KeyStore.SecretKeyEntry(key), null);
            return withRawSession(s, session -> {
                long h = handleOf(session, keyId);
                if (h == 0) {
                    throw new HsmException("C_CopyObject", Ckr.GENERAL_ERROR, null);
                }
                ck.setBytes(session, h, CKA_ID, KeyLabels.id(keyId));
                if (!generated && !spec.extractable()) {
                    ck.setBooleans(session, h, new long[] {CKA_SENSITIVE, CKA_EXTRACTABLE}, new boolean[] {true, false});
                }
                HsmKeyInfo info = readInfo(session, keyId, h);
                boolean ok = info.token() && info.privateObject() && info.canEncrypt() && info.canDecrypt()
                        && (spec.extractable() ? info.extractable()
                            : info.sensitive() && !info.extractable()
                              && (!generated || (info.neverExtractable() && info.alwaysSensitive())));
                if (!ok) {
                    try {
                        s.keyStore().deleteEntry(label);
                    } catch (java.security.KeyStoreException ignored) {
                        // The key is unusable either way; the error below says why.
                    }
                    log.error("event=hsm_template_not_honoured backend=sunpkcs11 key={} info={}", keyId, info);
                    throw new HsmException("C_GetAttributeValue", Ckr.GENERAL_ERROR, null);
                }
                log.info("event=hsm_key_created backend=sunpkcs11 key={} alg={} bits={} extractable={} generated={}",
                        keyId, spec.algorithm(), spec.lengthBits(), spec.extractable(), generated);
                return info;
            });
        });
    }

    private static String jcaName(KeyAlgorithm alg) {
        return switch (alg) {
            case AES -> "AES";
            case DES3 -> "DESede";
            case GENERIC -> "GENERIC";
        };
    }

    @Override
    public Optional<HsmKeyInfo> find(String keyId) throws KmsException {
        KeyLabels.check(keyId);
        return run("C_FindObjects", s -> withRawSession(s, session -> {
            long h = handleOf(session, keyId);
            if (h == 0) {
                keys.remove(keyId);
                return Optional.<HsmKeyInfo>empty();
            }
            return Optional.of(readInfo(session, keyId, h));
        }));
    }

    @Override
    public List<String> list() throws KmsException {
        return run("C_FindObjects", s -> withRawSession(s, session -> {
            List<String> ids = new ArrayList<>();
            for (long h : ck.findSecretKeys(session, 100_000)) {
                Object label = ck.get(session, h, CKA_LABEL)[0];
                String id = label == null ? null : KeyLabels.keyIdOf(new String((char[]) label));
                if (id != null) {
                    ids.add(id);
                }
            }
            ids.sort(null);
            return ids;
        }));
    }

    @Override
    public void destroy(String keyId) throws KmsException {
        KeyLabels.check(keyId);
        run("C_DestroyObject", s -> {
            String label = KeyLabels.label(keyId);
            if (!s.keyStore().containsAlias(label) && !refreshAliases(s, keyId)) {
                throw new NotFoundException("key " + keyId + " not found");
            }
            s.keyStore().deleteEntry(label);
            keys.remove(keyId);
            log.info("event=hsm_key_destroyed backend=sunpkcs11 key={}", keyId);
            return null;
        });
    }

    @Override
    public SecretBytes exportKey(String keyId) throws KmsException {
        return run("C_GetAttributeValue", s -> {
            SecretKey k = key(s, keyId);
            byte[] v = k.getEncoded();
            if (v == null) {
                throw new NotExtractableException("key " + keyId + " is not extractable: its value never leaves the HSM");
            }
            return SecretBytes.adopt(v);
        });
    }

    private SecretKey key(State s, String keyId) throws GeneralSecurityException, KmsException {
        SecretKey k = keys.get(keyId);
        if (k != null) {
            return k;
        }
        Key found = s.keyStore().getKey(KeyLabels.label(keyId), null);
        if (found == null && refreshAliases(s, keyId)) {
            found = s.keyStore().getKey(KeyLabels.label(keyId), null);
        }
        if (!(found instanceof SecretKey sk)) {
            throw new NotFoundException("key " + keyId + " not found");
        }
        keys.put(keyId, sk);
        return sk;
    }

    /**
     * SunPKCS11's key store maps labels once, at login, and then only tracks its own changes. A
     * key another process or node created is invisible until the map is rebuilt: when the HSM
     * has the object, reload the store (a miss is rare: handles are cached after the first use).
     */
    private boolean refreshAliases(State s, String keyId) throws GeneralSecurityException, KmsException {
        boolean present;
        try {
            present = withRawSession(s, session -> handleOf(session, keyId) != 0);
        } catch (Cryptoki.Failure f) {
            throw new HsmException("C_FindObjects", f.ckr, f);
        }
        if (!present) {
            return false;
        }
        char[] pin = config.pin().read();
        try {
            synchronized (s.keyStore()) {
                s.keyStore().load(null, pin);
            }
        } catch (IOException e) {
            throw new HsmException("C_Login", Cryptoki.ckrOf(e), e);
        } finally {
            Arrays.fill(pin, '\0');
        }
        return s.keyStore().containsAlias(KeyLabels.label(keyId));
    }

    // ---------------------------------------------------------------- wrap / unwrap / cipher

    @Override
    public byte[] wrap(String keyId, SecretBytes dek, byte[] aad) throws KmsException {
        WrappedKeyFormat.WrapInput in = WrappedKeyFormat.prepareWrap(keyId, dek, aad, random);
        return in.assemble(run("C_Encrypt", s -> {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding", s.provider());
            c.init(Cipher.ENCRYPT_MODE, key(s, keyId), new GCMParameterSpec(128, in.iv()));
            c.updateAAD(in.hsmAad());
            return c.doFinal(dek.expose());
        }));
    }

    @Override
    public SecretBytes unwrap(String keyId, byte[] blob, byte[] aad) throws KmsException {
        WrappedKeyFormat.Parsed p = WrappedKeyFormat.parse(blob, keyId);
        byte[] hsmAad = WrappedKeyFormat.hsmAad(p.header(), aad);
        return run("C_Decrypt", s -> {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding", s.provider());
            c.init(Cipher.DECRYPT_MODE, key(s, keyId), new GCMParameterSpec(128, p.iv()));
            c.updateAAD(hsmAad);
            try {
                return SecretBytes.adopt(c.doFinal(p.ciphertextAndTag()));
            } catch (AEADBadTagException e) {
                throw new CryptographicFailureException("wrapped key failed authentication");
            } catch (GeneralSecurityException | RuntimeException e) {
                long ckr = Cryptoki.ckrOf(e);
                if (Ckr.isIntegrityFailure(ckr)) {
                    throw new CryptographicFailureException("wrapped key failed authentication");
                }
                throw e;
            }
        });
    }

    @Override
    public CipherResult encrypt(String keyId, CipherParams params, byte[] data) throws KmsException {
        return cipher(keyId, params, data, true);
    }

    @Override
    public CipherResult decrypt(String keyId, CipherParams params, byte[] data) throws KmsException {
        return cipher(keyId, params, data, false);
    }

    private CipherResult cipher(String keyId, CipherParams params, byte[] data, boolean encrypt) throws KmsException {
        return run(encrypt ? "C_Encrypt" : "C_Decrypt", s -> {
            SecretKey k = key(s, keyId);
            KeyAlgorithm alg = switch (k.getAlgorithm()) {
                case "AES" -> KeyAlgorithm.AES;
                case "DESede" -> KeyAlgorithm.DES3;
                default -> throw new UnsupportedException(ResultReason.UNSUPPORTED_CRYPTOGRAPHIC_PARAMETERS,
                        "the HSM has no cipher for this key type", null);
            };
            Mechanisms.Prepared m = Mechanisms.prepare(alg, params, data, encrypt, random);
            Cipher c = Cipher.getInstance(m.jcaTransformation(), s.provider());
            AlgorithmParameterSpec spec = m.gcm() ? new GCMParameterSpec(m.tagBits(), m.iv())
                    : m.iv() == null ? null : new IvParameterSpec(m.iv());
            if (spec == null) {
                c.init(encrypt ? Cipher.ENCRYPT_MODE : Cipher.DECRYPT_MODE, k);
            } else {
                c.init(encrypt ? Cipher.ENCRYPT_MODE : Cipher.DECRYPT_MODE, k, spec);
            }
            if (m.gcm() && m.aad().length > 0) {
                c.updateAAD(m.aad());
            }
            try {
                return m.finish(c.doFinal(m.input()));
            } catch (AEADBadTagException e) {
                throw new CryptographicFailureException("authentication tag check failed");
            } catch (javax.crypto.BadPaddingException | javax.crypto.IllegalBlockSizeException e) {
                throw new InvalidRequestException(ResultReason.INVALID_FIELD, "data do not fit the cipher mode", null);
            }
        });
    }

    // ---------------------------------------------------------------- health, stats, close

    @Override
    public VaultHealth health() {
        try {
            run("C_GetTokenInfo", s -> {
                s.keyStore().size();
                return null;
            });
            return new VaultHealth(true, backend(), config.tokenLabel(), "ok");
        } catch (KmsException e) {
            return new VaultHealth(false, backend(), config.tokenLabel(), e.getMessage());
        }
    }

    /** SunPKCS11 pools its sessions internally; only the rebuild count is ours to report. */
    @Override
    public VaultStats stats() {
        return new VaultStats(-1, -1, -1, 0, rebuilds.get());
    }

    @Override
    public String backend() {
        return "sunpkcs11";
    }

    @Override
    public void close() {
        closed = true;
        keys.clear();
        log.info("event=vault_closed backend=sunpkcs11 token={}", config.tokenLabel());
    }
}
