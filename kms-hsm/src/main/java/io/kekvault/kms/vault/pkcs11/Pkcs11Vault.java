package io.kekvault.kms.vault.pkcs11;

import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_ALWAYS_SENSITIVE;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_CLASS;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_DECRYPT;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_ENCRYPT;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_EXTRACTABLE;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_KEY_TYPE;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_LABEL;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_NEVER_EXTRACTABLE;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_PRIVATE;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_SENSITIVE;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_TOKEN;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_VALUE;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_VALUE_LEN;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKO_SECRET_KEY;

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
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xipki.pkcs11.wrapper.AttributeVector;
import org.xipki.pkcs11.wrapper.Mechanism;
import org.xipki.pkcs11.wrapper.PKCS11Constants;
import org.xipki.pkcs11.wrapper.PKCS11Exception;
import org.xipki.pkcs11.wrapper.PKCS11Module;
import org.xipki.pkcs11.wrapper.Session;
import org.xipki.pkcs11.wrapper.Slot;
import org.xipki.pkcs11.wrapper.Token;
import org.xipki.pkcs11.wrapper.TokenException;
import org.xipki.pkcs11.wrapper.params.ByteArrayParams;
import org.xipki.pkcs11.wrapper.params.GCM_PARAMS;

/**
 * The primary backend: the PKCS#11 module through xipki's ipkcs11wrapper (JNI).
 *
 * <p>Sessions come from a {@link SessionPool}; object handles are cached per key identifier and
 * re-resolved when the HSM says they are stale. A lost session is dropped and the call retried;
 * a lost module (re-initialised, token removed) is re-initialised, the token found again by its
 * label and the user logged in again, without a restart. Keys are created with the KEK template
 * of ARCHITECTURE section 3 and their attributes are read back and checked before use.
 *
 * <p>Several processes on one token (KMS nodes on a shared SoftHSM2 token directory): a key made
 * by another process is found on a handle-cache miss. SoftHSM2 re-reads its object directory only
 * when the token's generation counter moved since it last looked, and a process that changes the
 * token itself writes the counter back as its own, hiding a change another process made just
 * before; such a key then stays invisible to this process until the token changes again. So a
 * use of a key the caller already checked exists (the metadata store has it) that finds no object
 * re-initialises the module, which re-reads the whole directory, and looks once more; at most
 * once a second, counted in {@link VaultStats#moduleRecoveries()}. A miss within a second of the
 * last re-index waits for the next one rather than report the key as not found.
 */
public final class Pkcs11Vault implements KeyVault {
    private static final Logger log = LoggerFactory.getLogger(Pkcs11Vault.class);
    private static final int MAX_ATTEMPTS = 3;
    private static final long REINDEX_INTERVAL_NANOS = 1_000_000_000L;

    private final VaultConfig config;
    private final PKCS11Module module;
    private final SessionPool pool;
    /**
     * Fault injection for tests: the next N read-backs of a new object come back empty, as one did
     * under a concurrent writer on a shared SoftHSM2 directory. Always 0 outside tests.
     */
    static final AtomicInteger EMPTY_READ_BACKS_FOR_TEST = new AtomicInteger();
    private final ConcurrentHashMap<String, Long> handles = new ConcurrentHashMap<>();
    /**
     * CKA_KEY_TYPE by object handle, for Encrypt/Decrypt: fixed for an object's life, while each
     * read costs SoftHSM2 a check of the object's file (open, lock, read, close). Dropped with the
     * handles.
     */
    private final ConcurrentHashMap<Long, Long> keyTypes = new ConcurrentHashMap<>();
    private final SecureRandom random;
    private final AtomicLong recoveries = new AtomicLong();
    private final Object recoveryLock = new Object();
    private final java.util.concurrent.locks.ReentrantLock objectStore = new java.util.concurrent.locks.ReentrantLock();
    private final AtomicLong lastReindex = new AtomicLong(System.nanoTime() - REINDEX_INTERVAL_NANOS);
    private final AtomicLong reindexes = new AtomicLong();
    private volatile boolean reindexing;
    // Every session use holds the read side; a re-index holds the write side, so no call can carry
    // a session or object handle from before the module's re-initialisation into the one after it
    // (the new module hands out the same numbers for other sessions and objects).
    private final java.util.concurrent.locks.ReentrantReadWriteLock moduleUse = new java.util.concurrent.locks.ReentrantReadWriteLock();

    /**
     * A key has no (readable) object in this process's view of the token. Ordinary misses
     * (a key used through {@link #handle}, or destroyed) wait for the next re-index slot, at most
     * one a second, look once more and end as not found; one with {@link #onGiveUp} (an object
     * this process has just made reads back empty) re-indexes at once and ends with that error
     * when the object stays unreadable.
     */
    private static final class ObjectMissing extends RuntimeException {
        final KmsException onGiveUp;

        ObjectMissing(String keyId) {
            this(keyId, null);
        }

        ObjectMissing(String keyId, KmsException onGiveUp) {
            super(keyId, null, false, false);
            this.onGiveUp = onGiveUp;
        }
    }
    /**
     * SoftHSM2 re-reads the token's object directory inside any call that touches an object
     * (C_EncryptInit and C_GetAttributeValue too, not just C_FindObjects) once another process
     * has changed the token, and two such re-reads running at once in one process corrupt its
     * object list: one re-read's stale listing invalidates an object the other (or a create) has
     * just added, so a create or a wrap fails with CKR_GENERAL_ERROR, or an object is listed twice.
     * On a shared SoftHSM2 token every call that touches an object therefore runs under
     * {@link #objectStore}; the cipher itself (C_Encrypt, C_Decrypt) stays parallel. That halves
     * what two threads wrap on a token nobody else changes, so it is not done there; a vault that
     * was told the token is its own and then finds another process's key starts serializing.
     */
    private volatile boolean serializeObjectCalls;
    private final boolean softHsm;
    private volatile Token token;
    private volatile boolean closed;
    /** True while {@link #handles} holds every Kekvault object this process has seen on the token. */
    private volatile boolean indexed;
    /** Object handles whose label this process has read (handles stay valid until the module is re-initialised). */
    private final java.util.Set<Long> labelled = ConcurrentHashMap.newKeySet();

    private Pkcs11Vault(VaultConfig config, PKCS11Module module, Token token, boolean softHsm) {
        this.config = config;
        this.module = module;
        this.token = token;
        this.softHsm = softHsm;
        this.serializeObjectCalls = softHsm && config.sharedToken();
        this.pool = new SessionPool(config.maxSessions(), this::openLoggedInSession);
        this.random = new io.kekvault.kms.vault.IvSource();
    }

    /** Loads the module, finds the token by label and logs in once to check the PIN. */
    public static Pkcs11Vault open(VaultConfig config) throws KmsException {
        WrapperLogging.install();
        PKCS11Module module;
        try {
            module = PKCS11Module.getInstance(config.modulePath().toString());
        } catch (IOException e) {
            throw new HsmUnavailableException("cannot load PKCS#11 module " + config.modulePath(), -1, e);
        }
        initialize(module);
        Token token = findToken(module, config.tokenLabel());
        Pkcs11Vault vault = new Pkcs11Vault(config, module, token, isSoftHsm(token));
        // Borrow once so a wrong PIN or a missing token fails at start-up, not at the first request.
        vault.withSession("C_Login", s -> null);
        log.info("event=vault_open backend=pkcs11 module={} token={} slot={} maxSessions={} objectCalls={} pin={}",
                config.modulePath(), config.tokenLabel(), token.getSlot().getSlotID(), config.maxSessions(),
                vault.serializeObjectCalls ? "serialized" : "parallel", config.pin().describe());
        return vault;
    }

    private static boolean isSoftHsm(Token token) throws KmsException {
        try {
            return token.getTokenInfo().getManufacturerID().trim().startsWith("SoftHSM");
        } catch (PKCS11Exception e) {
            throw new HsmUnavailableException("cannot read the token's information", e.getErrorCode(), e);
        }
    }

    private static void initialize(PKCS11Module module) throws KmsException {
        try {
            module.initialize();
        } catch (PKCS11Exception e) {
            if (e.getErrorCode() != Ckr.CRYPTOKI_ALREADY_INITIALIZED) {
                throw new HsmUnavailableException("cannot initialise PKCS#11 module", e.getErrorCode(), e);
            }
        }
    }

    static Token findToken(PKCS11Module module, String label) throws KmsException {
        try {
            for (Slot slot : module.getSlotList(true)) {
                Token t = slot.getToken();
                if (label.equals(t.getTokenInfo().getLabel().trim())) {
                    return t;
                }
            }
        } catch (PKCS11Exception e) {
            throw new HsmUnavailableException("cannot list PKCS#11 slots", e.getErrorCode(), e);
        }
        throw new HsmUnavailableException("no token labelled '" + label + "' in the PKCS#11 module", -1, null);
    }

    private Session openLoggedInSession() throws PKCS11Exception {
        if (!serializeObjectCalls) {
            return openAndLogIn();
        }
        // Opening a session and logging in check the token's state, which may re-read the object
        // directory too; the pool opens sessions before any lock is taken, so this cannot deadlock.
        objectStore.lock();
        try {
            return openAndLogIn();
        } finally {
            objectStore.unlock();
        }
    }

    private Session openAndLogIn() throws PKCS11Exception {
        Session s = token.openSession(true);
        try {
            // Login state belongs to the application, not the session: a fresh session after
            // every other one was closed is logged out, and private objects become invisible.
            if (s.getSessionInfo().getState() != PKCS11Constants.CKS_RW_USER_FUNCTIONS) {
                char[] pin = config.pin().read();
                try {
                    s.login(PKCS11Constants.CKU_USER, pin);
                } catch (PKCS11Exception e) {
                    if (e.getErrorCode() != Ckr.USER_ALREADY_LOGGED_IN) {
                        throw e;
                    }
                } finally {
                    Arrays.fill(pin, '\0');
                }
            }
            return s;
        } catch (PKCS11Exception | RuntimeException e) {
            closeQuietly(s);
            throw e;
        }
    }

    @FunctionalInterface
    private interface SessionCall<T> {
        T apply(Session s) throws PKCS11Exception, KmsException;
    }

    /**
     * Runs {@code call} on a pooled session, recovering from lost sessions, stale handles and a
     * lost module; anything else is mapped to a typed error without retry.
     */
    private <T> T withSession(String function, SessionCall<T> call) throws KmsException {
        if (closed) {
            throw new HsmUnavailableException("vault is closed", -1, null);
        }
        PKCS11Exception last = null;
        ObjectMissing missed = null;
        long reindexesAtMiss = 0;
        boolean waitedForReindex = false;
        for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
            if (missed != null) {
                reindexAfter(reindexesAtMiss, missed.onGiveUp != null);
                missed = null;
                waitedForReindex = true;
            }
            moduleUse.readLock().lock();
            try {
                // Read under the read lock: no re-index can complete while it is held, so after a
                // miss a different count means a re-index that started after the miss.
                long reindexesBefore = reindexes.get();
                Session s;
                try {
                    s = pool.borrow();
                } catch (PKCS11Exception e) {
                    last = e;
                    if (Ckr.isModuleLost(e.getErrorCode()) || Ckr.isSessionLost(e.getErrorCode())) {
                        recoverModule(e.getErrorCode());
                        continue;
                    }
                    throw mapError(function, e);
                }
                boolean healthy = false;
                try {
                    T result = call.apply(s);
                    healthy = true;
                    return result;
                } catch (KmsException e) {
                    healthy = true;
                    throw e;
                } catch (ObjectMissing e) {
                    healthy = true;
                    if (attempt < MAX_ATTEMPTS && !waitedForReindex) {
                        // Look again after a re-index that starts after this miss (this call's own,
                        // or one another call runs), outside the read lock the re-index needs.
                        missed = e;
                        reindexesAtMiss = reindexesBefore;
                        continue;
                    }
                    if (e.onGiveUp != null) {
                        throw e.onGiveUp;
                    }
                    throw new NotFoundException("key " + e.getMessage() + " not found");
                } catch (PKCS11Exception e) {
                    last = e;
                    long ckr = e.getErrorCode();
                    if (Ckr.isSessionLost(ckr)) {
                        log.warn("event=hsm_session_lost function={} ckr={} attempt={}", function, Ckr.name(ckr), attempt);
                        pool.discardIdle();
                        continue;
                    }
                    if (ckr == Ckr.USER_NOT_LOGGED_IN) {
                        log.warn("event=hsm_logged_out function={} attempt={}", function, attempt);
                        pool.discardIdle();
                        continue;
                    }
                    if (Ckr.isModuleLost(ckr)) {
                        recoverModule(ckr);
                        continue;
                    }
                    if (Ckr.isHandleStale(ckr)) {
                        forgetHandles();
                        healthy = true;
                        continue;
                    }
                    // The session is fine after an ordinary failure of a single-part call, except a
                    // failed C_Encrypt/C_Decrypt: SoftHSM2 leaves the operation active on some errors
                    // (CKR_ARGUMENTS_BAD), and the next call on that session would fail.
                    healthy = ckr != Ckr.OPERATION_ACTIVE && ckr != Ckr.GENERAL_ERROR
                            && !function.equals("C_Encrypt") && !function.equals("C_Decrypt");
                    throw mapError(function, e);
                } finally {
                    pool.release(s, healthy);
                }
            } finally {
                moduleUse.readLock().unlock();
            }
        }
        log.error("event=hsm_gave_up function={} ckr={}", function, last == null ? "-" : Ckr.name(last.getErrorCode()));
        throw new HsmUnavailableException("HSM did not recover after " + MAX_ATTEMPTS + " attempts",
                last == null ? -1 : last.getErrorCode(), last);
    }

    /**
     * Returns once a re-index has completed since {@code reindexesAtMiss} was read (before the
     * miss): the one this call claims, or one another call claimed meanwhile. A claim waits for
     * the next slot, at most one a second (unless {@code now}: an object this process has just
     * made read back empty), instead of giving up: a key another process made just after the
     * last re-index is invisible until the next one, yet the store already has it, so "not found"
     * would be wrong. Waiting callers share one re-index, which bounds a stream of misses for an
     * object that truly is gone to one module re-read a second.
     */
    private void reindexAfter(long reindexesAtMiss, boolean now) throws KmsException {
        long deadline = System.nanoTime() + 2 * REINDEX_INTERVAL_NANOS;
        while (reindexes.get() == reindexesAtMiss) {
            if (!reindexing && (now ? claimReindexNow() : claimReindexSlot())) {
                reindex();
                return;
            }
            long untilSlot = lastReindex.get() + REINDEX_INTERVAL_NANOS - System.nanoTime();
            long remaining = deadline - System.nanoTime();
            if (remaining <= 0 || Thread.currentThread().isInterrupted()) {
                return; // the caller looks once more and then reports the key as not found
            }
            LockSupport.parkNanos(Math.clamp(Math.min(untilSlot, remaining), 1_000_000L, 20_000_000L));
        }
    }

    /** True (once per interval) when a re-index may start now; the caller then runs {@link #reindex()}. */
    private boolean claimReindexSlot() {
        long last = lastReindex.get();
        long now = System.nanoTime();
        if (now - last >= REINDEX_INTERVAL_NANOS && lastReindex.compareAndSet(last, now)) {
            reindexing = true;
            return true;
        }
        return false;
    }

    /** Claims a re-index regardless of the last one. */
    private boolean claimReindexNow() {
        lastReindex.set(System.nanoTime());
        reindexing = true;
        return true;
    }

    /**
     * Re-initialises the module so that it reads the token's object directory afresh (see the
     * class comment), once every call in flight has returned its session, and before any other
     * starts: all sessions and cached handles are dropped with the old module.
     */
    private void reindex() throws KmsException {
        moduleUse.writeLock().lock();
        objectStore.lock();
        try {
            synchronized (recoveryLock) {
                pool.discardIdle();
                forgetHandles();
                reinitialise();
                log.info("event=hsm_reindexed reason=object_missing_on_cache_miss");
            }
        } finally {
            reindexes.incrementAndGet();
            reindexing = false;
            objectStore.unlock();
            moduleUse.writeLock().unlock();
        }
    }

    private void recoverModule(long ckr) throws KmsException {
        synchronized (recoveryLock) {
            pool.discardIdle();
            forgetHandles();
            try {
                // Another thread may have recovered already: a probe is cheaper than a re-init.
                Token t = findToken(module, config.tokenLabel());
                t.getTokenInfo();
                token = t;
                return;
            } catch (KmsException | PKCS11Exception probeFailed) {
                log.warn("event=hsm_module_lost ckr={} action=reinitialise", Ckr.name(ckr));
            }
            reinitialise();
            log.info("event=hsm_module_recovered slot={}", token.getSlot().getSlotID());
        }
    }

    /** C_Finalize and C_Initialize, then the token again by its label; the caller holds {@link #recoveryLock}. */
    private void reinitialise() throws KmsException {
        try {
            module.finalize(null);
        } catch (PKCS11Exception ignored) {
            // not initialised (finalised behind our back, the case being recovered): initialising is all that is needed
        }
        initialize(module);
        token = findToken(module, config.tokenLabel());
        recoveries.incrementAndGet();
    }

    private KmsException mapError(String function, PKCS11Exception e) {
        long ckr = e.getErrorCode();
        if (Ckr.isModuleLost(ckr)) {
            return new HsmUnavailableException("HSM unavailable", ckr, e);
        }
        if (ckr == Ckr.PIN_INCORRECT || ckr == Ckr.PIN_LOCKED) {
            log.error("event=hsm_login_failed ckr={} pin={}", Ckr.name(ckr), config.pin().describe());
            return new HsmUnavailableException("HSM login failed", ckr, e);
        }
        log.warn("event=hsm_error function={} ckr={}", function, Ckr.name(ckr));
        return new HsmException(function, ckr, e);
    }

    // ---------------------------------------------------------------- key objects

    private void forgetHandles() {
        indexed = false;
        handles.clear();
        keyTypes.clear();
        labelled.clear();
    }

    /**
     * Whether {@code keyId} is already on the token. A search by label costs SoftHSM a pass over
     * every object (it decrypts each private object's attributes), which made creation slow down
     * as the token filled; one pass fills the handle cache instead, and every key this process
     * makes is added to it. Keys are named by random UUIDs the KMS draws, so another node cannot
     * pick an identifier this cache has missed.
     */
    private boolean known(Session s, String keyId) throws PKCS11Exception {
        if (!indexed) {
            indexNewObjects(s);
            indexed = true;
        }
        return handles.containsKey(keyId);
    }

    /**
     * Adds the secret-key objects this process has not looked at yet to the handle cache. The
     * class-only search costs SoftHSM no decryption; only the labels of objects new since the last
     * pass are read. With several nodes on one token, this is how a node learns the keys the
     * others made: one pass after a miss picks up every key made meanwhile, where a search by
     * label per missed key would cost a pass over (and a decryption of) every object each time.
     * An object whose label cannot be read yet (another process is still writing it, or has just
     * destroyed it) is looked at again next time.
     */
    private int indexNewObjects(Session s) throws PKCS11Exception {
        int added = 0;
        for (long h : s.findAllObjectsSingle(new AttributeVector().attr(CKA_CLASS, CKO_SECRET_KEY))) {
            if (labelled.contains(h)) {
                continue;
            }
            String label;
            try {
                label = s.getStringAttrValue(h, CKA_LABEL);
            } catch (PKCS11Exception e) {
                if (Ckr.isHandleStale(e.getErrorCode())) {
                    continue;
                }
                throw e;
            }
            if (label == null || label.isEmpty()) {
                continue;
            }
            labelled.add(h);
            String id = KeyLabels.keyIdOf(label);
            if (id != null) {
                Long before = handles.putIfAbsent(id, h);
                if (before == null) {
                    added++;
                } else if (before != h) {
                    log.error("event=hsm_duplicate_label key={}", id);
                }
            }
        }
        return added;
    }

    private long handle(Session s, String keyId) throws PKCS11Exception, KmsException {
        Long h = handles.get(keyId);
        if (h != null) {
            return h;
        }
        long found = objectStoreCall(s, x -> {
            boolean wasIndexed = indexed;
            int added = indexNewObjects(x);
            if (!wasIndexed) {
                indexed = true;
            } else if (added > 0 && softHsm && !serializeObjectCalls) {
                // Keys this process did not make appeared after it had indexed the token: another
                // process changes it, whatever the configuration says.
                serializeObjectCalls = true;
                log.warn("event=hsm_shared_token_detected new_keys={} action=serialize_object_calls"
                        + " hint=\"set hsm.shared-token: true for every node on this token\"", added);
            }
            Long now = handles.get(keyId);
            return now == null ? 0L : now;
        });
        if (found == 0) {
            throw new ObjectMissing(keyId);
        }
        return found;
    }

    /**
     * Runs a call that lists, creates or deletes token objects with this process's other such
     * calls held off. SoftHSM2 (a file-backed token shared by several processes, as the KMS nodes
     * of a lab share one token directory) re-reads its object directory when another process
     * changed it, without holding its own lock while it lists the directory: an object created
     * meanwhile by another thread of the same process can be dropped (its C_GenerateKey fails with
     * CKR_GENERAL_ERROR) or indexed twice (two handles for one label). Serializing these calls in
     * the process closes the race for them; on a shared token every other call that touches an
     * object joins them ({@link #objectCall}). The session is borrowed before the lock is taken,
     * so the lock holder never waits for a session.
     */
    private <T> T objectStoreCall(Session s, SessionCall<T> call) throws PKCS11Exception, KmsException {
        objectStore.lock();
        try {
            return call.apply(s);
        } finally {
            objectStore.unlock();
        }
    }

    /**
     * Runs a call that reads an object (C_EncryptInit, C_DecryptInit, C_GetAttributeValue): under
     * {@link #objectStore} when the module may re-read its object directory inside it
     * ({@link #serializeObjectCalls}), directly otherwise.
     */
    private <T> T objectCall(Session s, SessionCall<T> call) throws PKCS11Exception, KmsException {
        return serializeObjectCalls ? objectStoreCall(s, call) : call.apply(s);
    }

    /** C_EncryptInit or C_DecryptInit (an object call); the cipher call that follows runs in parallel. */
    private void cipherInit(Session s, Mechanism mech, long h, boolean encrypt) throws PKCS11Exception, KmsException {
        objectCall(s, x -> {
            if (encrypt) {
                x.encryptInit(mech, h);
            } else {
                x.decryptInit(mech, h);
            }
            return null;
        });
    }

    /** The object handle for {@code keyId}, 0 when absent. */
    private static long findHandle(Session s, String keyId) throws PKCS11Exception, KmsException {
        AttributeVector template = new AttributeVector()
                .attr(CKA_CLASS, CKO_SECRET_KEY)
                .attr(CKA_LABEL, KeyLabels.label(keyId));
        long[] found = s.findObjectsSingle(template, 2);
        if (found.length > 1) {
            log.error("event=hsm_duplicate_label key={}", keyId);
            throw new ConflictException("more than one HSM object carries key " + keyId);
        }
        return found.length == 0 ? 0 : found[0];
    }

    @Override
    public HsmKeyInfo generate(String keyId, KeySpec spec) throws KmsException {
        KeyLabels.check(keyId);
        AtomicBoolean made = new AtomicBoolean();
        return removingIfUnconfirmed(keyId, made, () -> withSession("C_GenerateKey", s0 -> objectStoreCall(s0, s -> {
            if (known(s, keyId)) {
                return madeBefore(s, keyId, spec, made, true);
            }
            AttributeVector template = keyTemplate(keyId, spec);
            long mech = switch (spec.algorithm()) {
                case AES -> PKCS11Constants.CKM_AES_KEY_GEN;
                case DES3 -> PKCS11Constants.CKM_DES3_KEY_GEN;
                case GENERIC -> PKCS11Constants.CKM_GENERIC_SECRET_KEY_GEN;
            };
            if (spec.algorithm() != KeyAlgorithm.DES3) {
                template.attr(CKA_VALUE_LEN, spec.algorithm().valueLength(spec.lengthBits()));
            }
            made.set(true);
            long h = s.generateKey(new Mechanism(mech), template);
            return verifyCreated(s, keyId, spec, h, true);
        })));
    }

    @Override
    public HsmKeyInfo importKey(String keyId, KeySpec spec, SecretBytes material) throws KmsException {
        KeyLabels.check(keyId);
        if (material.length() != spec.algorithm().valueLength(spec.lengthBits())) {
            throw new InvalidRequestException(ResultReason.INVALID_FIELD,
                    "key material length does not match " + spec.lengthBits() + "-bit " + spec.algorithm(), null);
        }
        AtomicBoolean made = new AtomicBoolean();
        return removingIfUnconfirmed(keyId, made, () -> withSession("C_CreateObject", s0 -> objectStoreCall(s0, s -> {
            if (known(s, keyId)) {
                return madeBefore(s, keyId, spec, made, false);
            }
            byte[] value = material.duplicate().expose();
            try {
                AttributeVector template = keyTemplate(keyId, spec).attr(CKA_VALUE, value);
                made.set(true);
                long h = s.createObject(template);
                return verifyCreated(s, keyId, spec, h, false);
            } finally {
                SecretBytes.wipe(value);
            }
        })));
    }

    @FunctionalInterface
    private interface Creation {
        HsmKeyInfo run() throws KmsException;
    }

    /**
     * Runs a create; when it fails after it may have made the object (one that never read back
     * right), removes whatever object carries the key's label, so a failed create leaves no key
     * material on the token that no record describes.
     */
    private HsmKeyInfo removingIfUnconfirmed(String keyId, AtomicBoolean made, Creation create) throws KmsException {
        try {
            return create.run();
        } catch (KmsException | RuntimeException e) {
            if (made.get()) {
                try {
                    destroy(keyId);
                    log.warn("event=hsm_unconfirmed_object_removed key={}", keyId);
                } catch (NotFoundException gone) {
                    // never reached the token, or destroyed already as a template not honoured
                } catch (KmsException | RuntimeException cleanupFailed) {
                    log.error("event=orphan_hsm_object key={} reason=create_failed_and_destroy_failed", keyId);
                }
            }
            throw e;
        }
    }

    /**
     * An identifier already on the token is a conflict, unless this very call made the object in
     * an earlier attempt whose read-back came back empty: then that object is checked and used.
     * Identifiers are random UUIDs the KMS draws, so no other caller can have made it meanwhile.
     */
    private HsmKeyInfo madeBefore(Session s, String keyId, KeySpec spec, AtomicBoolean made,
            boolean generated) throws PKCS11Exception, KmsException {
        if (!made.get()) {
            throw new ConflictException("key " + keyId + " already exists in the HSM");
        }
        log.info("event=hsm_new_object_found_after_reindex key={}", keyId);
        return verifyCreated(s, keyId, spec, handles.get(keyId), generated);
    }

    private static AttributeVector keyTemplate(String keyId, KeySpec spec) {
        boolean ex = spec.extractable();
        return AttributeVector.newSecretKey(spec.algorithm().ckk())
                .token(true)
                .attr(CKA_PRIVATE, true)
                .sensitive(!ex)
                .extractable(ex)
                .encrypt(true)
                .decrypt(true)
                .wrap(false)
                .unwrap(false)
                .sign(false)
                .verify(false)
                .derive(false)
                .label(KeyLabels.label(keyId))
                .id(KeyLabels.id(keyId));
    }

    /**
     * Reads the new object's attributes back. An HSM that silently ignored part of the template
     * would otherwise leave a weaker key than the one asked for: such an object is destroyed.
     */
    private HsmKeyInfo verifyCreated(Session s, String keyId, KeySpec spec, long h, boolean generated)
            throws PKCS11Exception, KmsException {
        HsmKeyInfo info = EMPTY_READ_BACKS_FOR_TEST.getAndUpdate(n -> Math.max(0, n - 1)) > 0
                ? new HsmKeyInfo(keyId, null, KeyAlgorithm.GENERIC, 0, false, false, false, false, false, false, false, false)
                : readInfo(s, keyId, h);
        if (info.label() == null) {
            // Not a template the HSM ignored (every template sets the label) but an object this
            // process cannot read yet: SoftHSM2 re-read the token directory while another process
            // wrote to it. A fresh module reads the object from its file; the retry then finds it
            // by its label, or makes the key again if it never reached the token.
            log.warn("event=hsm_new_object_unreadable key={} action=reindex_and_retry", keyId);
            throw new ObjectMissing(keyId, new HsmException("C_GetAttributeValue", Ckr.GENERAL_ERROR, null));
        }
        boolean ok = info.token() && info.privateObject() && info.canEncrypt() && info.canDecrypt()
                && info.algorithm() == spec.algorithm()
                && (spec.extractable()
                    ? info.extractable()
                    : info.sensitive() && !info.extractable() && (!generated || (info.neverExtractable() && info.alwaysSensitive())));
        if (!ok) {
            try {
                s.destroyObject(h);
            } catch (PKCS11Exception ignored) {
                // The key is unusable either way; the error below says why.
            }
            log.error("event=hsm_template_not_honoured key={} info={}", keyId, info);
            throw new HsmException("C_GetAttributeValue", Ckr.GENERAL_ERROR, null);
        }
        handles.put(keyId, h);
        labelled.add(h);
        log.info("event=hsm_key_created key={} alg={} bits={} extractable={} generated={}",
                keyId, spec.algorithm(), spec.lengthBits(), spec.extractable(), generated);
        return info;
    }

    private static HsmKeyInfo readInfo(Session s, String keyId, long h) throws PKCS11Exception {
        AttributeVector a = s.getAttrValues(h, CKA_LABEL, CKA_KEY_TYPE, CKA_VALUE_LEN, CKA_TOKEN, CKA_PRIVATE,
                CKA_SENSITIVE, CKA_EXTRACTABLE, CKA_NEVER_EXTRACTABLE, CKA_ALWAYS_SENSITIVE, CKA_ENCRYPT, CKA_DECRYPT);
        Long kt = a.keyType();
        KeyAlgorithm alg = KeyAlgorithm.GENERIC;
        for (KeyAlgorithm k : KeyAlgorithm.values()) {
            if (kt != null && k.ckk() == kt) {
                alg = k;
            }
        }
        Integer len = a.valueLen();
        return new HsmKeyInfo(keyId, a.label(), alg, len == null ? (alg == KeyAlgorithm.DES3 ? 24 : 0) : len,
                isTrue(a.token()), isTrue(a.private_()), isTrue(a.sensitive()), isTrue(a.extractable()),
                isTrue(a.neverExtractable()), isTrue(a.alwaysSensitive()), isTrue(a.encrypt()), isTrue(a.decrypt()));
    }

    private static boolean isTrue(Boolean b) {
        return b != null && b;
    }

    @Override
    public Optional<HsmKeyInfo> find(String keyId) throws KmsException {
        KeyLabels.check(keyId);
        return withSession("C_FindObjects", s0 -> objectStoreCall(s0, s -> {
            long h = findHandle(s, keyId);
            if (h == 0) {
                handles.remove(keyId);
                return Optional.empty();
            }
            handles.put(keyId, h);
            return Optional.of(readInfo(s, keyId, h));
        }));
    }

    @Override
    public List<String> list() throws KmsException {
        return withSession("C_FindObjects", s0 -> objectStoreCall(s0, s -> {
            long[] all = s.findAllObjectsSingle(new AttributeVector().attr(CKA_CLASS, CKO_SECRET_KEY));
            List<String> ids = new ArrayList<>();
            for (long h : all) {
                String id = KeyLabels.keyIdOf(s.getStringAttrValue(h, CKA_LABEL));
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
        withSession("C_DestroyObject", s0 -> objectStoreCall(s0, s -> {
            long h = findHandle(s, keyId);
            if (h == 0) {
                // Possibly an object another process made that this one cannot see yet: answering
                // "not found" here would let the caller record the key destroyed while its
                // material stays on the token, so look again after a re-index first.
                throw new ObjectMissing(keyId);
            }
            s.destroyObject(h);
            handles.remove(keyId);
            keyTypes.remove(h);
            log.info("event=hsm_key_destroyed key={}", keyId);
            return null;
        }));
    }

    @Override
    public SecretBytes exportKey(String keyId) throws KmsException {
        return withSession("C_GetAttributeValue", s -> {
            long h = handle(s, keyId);
            AttributeVector flags = objectCall(s, x -> x.getAttrValues(h, CKA_SENSITIVE, CKA_EXTRACTABLE));
            if (isTrue(flags.sensitive()) || !isTrue(flags.extractable())) {
                throw new NotExtractableException("key " + keyId + " is not extractable: its value never leaves the HSM");
            }
            byte[] v = objectCall(s, x -> x.getAttrValues(h, CKA_VALUE).value());
            if (v == null) {
                throw new NotExtractableException(ResultReason.KEY_VALUE_NOT_PRESENT, "the HSM returned no key value", null);
            }
            return SecretBytes.adopt(v);
        });
    }

    // ---------------------------------------------------------------- wrap / unwrap

    @Override
    public byte[] wrap(String keyId, SecretBytes dek, byte[] aad) throws KmsException {
        WrappedKeyFormat.WrapInput in = WrappedKeyFormat.prepareWrap(keyId, dek, aad, random);
        Mechanism gcm = new Mechanism(PKCS11Constants.CKM_AES_GCM, new GCM_PARAMS(in.iv(), in.hsmAad(), 128));
        return in.assemble(withSession("C_Encrypt", s -> {
            cipherInit(s, gcm, handle(s, keyId), true);
            return s.encrypt(dek.expose());
        }));
    }

    @Override
    public SecretBytes unwrap(String keyId, byte[] blob, byte[] aad) throws KmsException {
        WrappedKeyFormat.Parsed p = WrappedKeyFormat.parse(blob, keyId);
        Mechanism gcm = new Mechanism(PKCS11Constants.CKM_AES_GCM,
                new GCM_PARAMS(p.iv(), WrappedKeyFormat.hsmAad(p.header(), aad), 128));
        return withSession("C_Decrypt", s -> {
            cipherInit(s, gcm, handle(s, keyId), false);
            try {
                return SecretBytes.adopt(s.decrypt(p.ciphertextAndTag()));
            } catch (PKCS11Exception e) {
                if (Ckr.isIntegrityFailure(e.getErrorCode())) {
                    throw new CryptographicFailureException("wrapped key failed authentication");
                }
                throw e;
            }
        });
    }

    // ---------------------------------------------------------------- raw cipher

    @Override
    public CipherResult encrypt(String keyId, CipherParams params, byte[] data) throws KmsException {
        return cipher(keyId, params, data, true);
    }

    @Override
    public CipherResult decrypt(String keyId, CipherParams params, byte[] data) throws KmsException {
        return cipher(keyId, params, data, false);
    }

    private CipherResult cipher(String keyId, CipherParams params, byte[] data, boolean encrypt) throws KmsException {
        return withSession(encrypt ? "C_Encrypt" : "C_Decrypt", s -> {
            long h = handle(s, keyId);
            Long keyType = keyTypes.get(h);
            if (keyType == null) {
                keyType = objectCall(s, x -> x.getAttrValues(h, CKA_KEY_TYPE).keyType());
                if (keyType != null) {
                    keyTypes.put(h, keyType);
                }
            }
            KeyAlgorithm alg = keyType != null && keyType == KeyAlgorithm.DES3.ckk()
                    ? KeyAlgorithm.DES3 : KeyAlgorithm.AES;
            if (keyType == null || (keyType != KeyAlgorithm.AES.ckk() && alg != KeyAlgorithm.DES3)) {
                throw new UnsupportedException(ResultReason.UNSUPPORTED_CRYPTOGRAPHIC_PARAMETERS,
                        "the HSM has no cipher for this key type", null);
            }
            Mechanisms.Prepared m = Mechanisms.prepare(alg, params, data, encrypt, random);
            Mechanism mech = m.gcm()
                    ? new Mechanism(m.mechanism(), new GCM_PARAMS(m.iv(), m.aad(), m.tagBits()))
                    : m.iv() == null ? new Mechanism(m.mechanism())
                    : new Mechanism(m.mechanism(), new ByteArrayParams(m.iv()));
            try {
                byte[] out;
                cipherInit(s, mech, h, encrypt);
                if (encrypt && m.input().length == 0) {
                    // Empty plaintext (GCM of AAD only, CBC-PAD of nothing): the single-part call
                    // hands the module a null buffer, which SoftHSM2 refuses; Final takes none.
                    out = s.encryptFinal();
                } else {
                    out = encrypt ? s.encrypt(m.input()) : s.decrypt(m.input());
                }
                return m.finish(out);
            } catch (PKCS11Exception e) {
                if (!encrypt && m.gcm() && Ckr.isIntegrityFailure(e.getErrorCode())) {
                    throw new CryptographicFailureException("authentication tag check failed");
                }
                if (e.getErrorCode() == Ckr.DATA_LEN_RANGE || e.getErrorCode() == Ckr.ENCRYPTED_DATA_LEN_RANGE
                        || e.getErrorCode() == Ckr.MECHANISM_PARAM_INVALID) {
                    throw new InvalidRequestException(ResultReason.INVALID_FIELD,
                            "data or parameters do not fit the cipher mode", null);
                }
                throw e;
            }
        });
    }

    // ---------------------------------------------------------------- health, stats, close

    @Override
    public VaultHealth health() {
        try {
            withSession("C_GetSessionInfo", s -> {
                s.getSessionInfo();
                return null;
            });
            return new VaultHealth(true, backend(), config.tokenLabel(), "ok");
        } catch (KmsException e) {
            return new VaultHealth(false, backend(), config.tokenLabel(), e.getMessage());
        }
    }

    @Override
    public VaultStats stats() {
        return new VaultStats(pool.open(), pool.idle(), pool.capacity(), pool.discarded(), recoveries.get());
    }

    @Override
    public String backend() {
        return "pkcs11";
    }

    /** For tests and operators' diagnostics: the module this vault drives. */
    public PKCS11Module module() {
        return module;
    }

    /** For tests and diagnostics: whether calls that touch objects are serialized (see {@link #serializeObjectCalls}). */
    public boolean objectCallsSerialized() {
        return serializeObjectCalls;
    }

    /** For tests: the slot the token currently sits in. */
    public long slotId() {
        return token.getSlot().getSlotID();
    }

    /**
     * For tests: try to read {@code CKA_VALUE} of a key object directly; the HSM must refuse it
     * for a KEK. Returns the PKCS#11 return code of the refusal, or 0 if the value was returned.
     */
    public long probeValueRead(String keyId) throws KmsException {
        return withSession("C_GetAttributeValue", s -> {
            long h = handle(s, keyId);
            try {
                byte[] v = objectCall(s, x -> x.getAttrValues(h, CKA_VALUE).value());
                SecretBytes.wipe(v);
                return v == null ? Ckr.ATTRIBUTE_SENSITIVE : 0L;
            } catch (PKCS11Exception e) {
                return e.getErrorCode();
            }
        });
    }

    @Override
    public void close() {
        closed = true;
        pool.close();
        forgetHandles();
        log.info("event=vault_closed backend=pkcs11 token={}", config.tokenLabel());
    }

    static void closeQuietly(Session s) {
        try {
            s.closeSession();
        } catch (TokenException | RuntimeException ignored) {
            // Closing a session the HSM already dropped is expected during recovery.
        }
    }
}
