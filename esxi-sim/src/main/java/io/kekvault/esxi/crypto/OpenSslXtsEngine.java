package io.kekvault.esxi.crypto;

import io.kekvault.secret.SecretBytes;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Optional;

/**
 * XTS-AES-256 through OpenSSL's libcrypto ({@code EVP_CIPHER} "AES-256-XTS") called with the
 * FFM API, so the AES and the tweak arithmetic run in OpenSSL's AES-NI/VAES assembly.
 *
 * <p>The engine keeps one EVP context per direction, keyed once; per data unit it only resets the
 * IV ({@code EVP_CipherInit_ex} with no cipher and no key) and runs one {@code EVP_CipherUpdate}.
 * For Java arrays the update is a "critical" downcall (no thread-state transition, the array
 * passed without copying), fine since it processes one data unit and does not block; for native
 * memory (direct buffers, file mappings whose pages may fault in from disk) it is an ordinary
 * downcall, so a slow page fault never holds up the JVM's safepoints.
 *
 * <p>Key hygiene: the key is copied into native memory only for the two init calls and zeroed
 * right after; {@code EVP_CIPHER_CTX_free} clears the contexts' key schedules on close.
 */
@SuppressWarnings("restricted") // this class is the one place that calls native code (FFM linker)
final class OpenSslXtsEngine implements XtsEngine {
    private static final ValueLayout.OfLong LE_LONG =
            ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final int unit;
    private final Arena arena;
    private final MemorySegment iv;
    private final MemorySegment outLen;
    private MemorySegment encCtx;
    private MemorySegment decCtx;
    /** The contexts' own IV buffers, when OpenSSL exposes them (see {@link #ivBuffer}); else null. */
    private MemorySegment encIv;
    private MemorySegment decIv;
    private boolean closed;

    OpenSslXtsEngine(SecretBytes key, int dataUnitSize) {
        XtsKeys.validate(key);
        this.unit = XtsArgs.checkDataUnit(dataUnitSize);
        Lib lib = Lib.get();
        this.arena = Arena.ofShared();
        boolean ok = false;
        try {
            this.iv = arena.allocate(BLOCK, 16);
            this.outLen = arena.allocate(ValueLayout.JAVA_INT);
            MemorySegment nativeKey = arena.allocate(KEY_LENGTH, 16);
            try {
                MemorySegment.copy(key.expose(), 0, nativeKey, ValueLayout.JAVA_BYTE, 0, KEY_LENGTH);
                encCtx = newContext(lib, nativeKey, 1);
                decCtx = newContext(lib, nativeKey, 0);
            } finally {
                nativeKey.fill((byte) 0);
            }
            encIv = ivBuffer(lib, encCtx);
            decIv = ivBuffer(lib, decCtx);
            if (encIv != null && decIv != null && !directIvAgreesWithInit()) {
                encIv = null;
                decIv = null;
            }
            ok = true;
        } finally {
            if (!ok) {
                freeContexts();
                arena.close();
            }
        }
    }

    private static MemorySegment newContext(Lib lib, MemorySegment nativeKey, int enc) {
        try {
            MemorySegment ctx = (MemorySegment) lib.ctxNew.invokeExact();
            if (ctx.equals(MemorySegment.NULL)) {
                throw new IllegalStateException("EVP_CIPHER_CTX_new failed");
            }
            int rc = (int) lib.init.invokeExact(ctx, lib.cipher, MemorySegment.NULL, nativeKey, MemorySegment.NULL, enc);
            if (rc != 1) {
                lib.ctxFree.invokeExact(ctx);
                throw lib.failure("EVP_CipherInit_ex(key)");
            }
            return ctx;
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /**
     * The context's IV buffer as returned by {@code EVP_CIPHER_CTX_iv_noconst}: for OpenSSL 3's
     * AES-XTS it is the very IV the provider reads on each update, so writing the data-unit
     * number there replaces a full {@code EVP_CipherInit_ex} per unit (about a sixth of the cost
     * of a 4 KiB unit). Used only after {@link #directIvAgreesWithInit()} proved it equivalent.
     */
    private static MemorySegment ivBuffer(Lib lib, MemorySegment ctx) {
        if (lib.ivNoConst == null || Boolean.getBoolean("kekvault.openssl.noDirectIv")) {
            return null;
        }
        try {
            MemorySegment p = (MemorySegment) lib.ivNoConst.invokeExact(ctx);
            return p.equals(MemorySegment.NULL) ? null : p.reinterpret(BLOCK);
        } catch (Throwable t) {
            return null;
        }
    }

    /** Encrypts and decrypts probe units both ways (IV re-init and direct IV) and compares. */
    private boolean directIvAgreesWithInit() {
        byte[] probe = new byte[unit * 2];
        for (int i = 0; i < probe.length; i++) {
            probe[i] = (byte) (i * 31 + 7);
        }
        MemorySegment src = MemorySegment.ofArray(probe);
        byte[] viaInit = new byte[probe.length];
        byte[] viaDirect = new byte[probe.length];
        long firstUnit = 0x0123_4567_89abL;
        runInit(encCtx, firstUnit, 2, src, MemorySegment.ofArray(viaInit));
        runDirect(encCtx, encIv, firstUnit, 2, src, MemorySegment.ofArray(viaDirect));
        boolean same = java.util.Arrays.equals(viaInit, viaDirect);
        // Decrypt once through init (which also marks the decrypting context's IV as set), then
        // directly.
        byte[] back = new byte[probe.length];
        runInit(decCtx, firstUnit, 2, MemorySegment.ofArray(viaInit), MemorySegment.ofArray(back));
        boolean decInit = java.util.Arrays.equals(back, probe);
        java.util.Arrays.fill(back, (byte) 0);
        runDirect(decCtx, decIv, firstUnit, 2, MemorySegment.ofArray(viaInit), MemorySegment.ofArray(back));
        return same && decInit && java.util.Arrays.equals(back, probe);
    }

    /** Whether the per-unit IV is written straight into the contexts (diagnostics, tests). */
    boolean usesDirectIv() {
        return encIv != null;
    }

    @Override
    public String name() {
        return "openssl";
    }

    @Override
    public int dataUnitSize() {
        return unit;
    }

    @Override
    public void encrypt(long firstUnit, byte[] src, int srcOffset, byte[] dst, int dstOffset, int length) {
        XtsArgs.checkArrays(src, srcOffset, dst, dstOffset, length);
        run(encCtx, firstUnit, MemorySegment.ofArray(src).asSlice(srcOffset, length),
                MemorySegment.ofArray(dst).asSlice(dstOffset, length), true);
    }

    @Override
    public void decrypt(long firstUnit, byte[] src, int srcOffset, byte[] dst, int dstOffset, int length) {
        XtsArgs.checkArrays(src, srcOffset, dst, dstOffset, length);
        run(decCtx, firstUnit, MemorySegment.ofArray(src).asSlice(srcOffset, length),
                MemorySegment.ofArray(dst).asSlice(dstOffset, length), true);
    }

    @Override
    public void encrypt(long firstUnit, ByteBuffer src, ByteBuffer dst) {
        run(encCtx, firstUnit, src, dst);
    }

    @Override
    public void decrypt(long firstUnit, ByteBuffer src, ByteBuffer dst) {
        run(decCtx, firstUnit, src, dst);
    }

    private void run(MemorySegment ctx, long firstUnit, ByteBuffer src, ByteBuffer dst) {
        int length = src.remaining();
        if (dst.remaining() < length) {
            throw new IllegalArgumentException("destination has " + dst.remaining() + " bytes left, need " + length);
        }
        if (dst.isReadOnly()) {
            throw new java.nio.ReadOnlyBufferException();
        }
        MemorySegment in = MemorySegment.ofBuffer(src);
        MemorySegment out = MemorySegment.ofBuffer(dst).asSlice(0, length);
        run(ctx, firstUnit, in, out, false);
        src.position(src.position() + length);
        dst.position(dst.position() + length);
    }

    private void run(MemorySegment ctx, long firstUnit, MemorySegment src, MemorySegment dst, boolean overlapChecked) {
        if (closed) {
            throw new IllegalStateException("XTS engine closed");
        }
        long length = src.byteSize();
        long units = XtsArgs.checkUnits(firstUnit, length, unit);
        if (dst.byteSize() != length) {
            throw new IllegalArgumentException("source and destination sizes differ");
        }
        if (dst.isReadOnly()) {
            throw new IllegalArgumentException("destination is read-only");
        }
        if (!overlapChecked && XtsArgs.partiallyOverlapping(src, dst)) {
            throw new IllegalArgumentException("source and destination overlap partially");
        }
        MemorySegment directIv = ctx == encCtx ? encIv : decIv;
        if (directIv != null) {
            runDirect(ctx, directIv, firstUnit, units, src, dst);
        } else {
            runInit(ctx, firstUnit, units, src, dst);
        }
    }

    private void runDirect(MemorySegment ctx, MemorySegment ctxIv, long firstUnit, long units, MemorySegment src,
                           MemorySegment dst) {
        Lib lib = Lib.get();
        MemorySegment lenSeg = outLen;
        int u = unit;
        boolean offHeap = src.isNative() && dst.isNative();
        try {
            ctxIv.set(LE_LONG, 8, 0L);
            if (units == 1) {
                ctxIv.set(LE_LONG, 0, firstUnit);
                int rc = offHeap
                        ? (int) Hot.UPDATE_NATIVE.invokeExact(ctx, dst, lenSeg, src, u)
                        : (int) Hot.UPDATE.invokeExact(ctx, dst, lenSeg, src, u);
                if (rc != 1 || lenSeg.get(ValueLayout.JAVA_INT, 0) != u) {
                    throw lib.failure("EVP_CipherUpdate");
                }
                return;
            }
            for (long i = 0; i < units; i++) {
                long off = i * u;
                ctxIv.set(LE_LONG, 0, firstUnit + i);
                int rc = offHeap
                        ? (int) Hot.UPDATE_NATIVE.invokeExact(ctx, dst.asSlice(off, u), lenSeg, src.asSlice(off, u), u)
                        : (int) Hot.UPDATE.invokeExact(ctx, dst.asSlice(off, u), lenSeg, src.asSlice(off, u), u);
                if (rc != 1 || lenSeg.get(ValueLayout.JAVA_INT, 0) != u) {
                    throw lib.failure("EVP_CipherUpdate");
                }
            }
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private void runInit(MemorySegment ctx, long firstUnit, long units, MemorySegment src, MemorySegment dst) {
        Lib lib = Lib.get();
        MemorySegment ivSeg = iv;
        MemorySegment lenSeg = outLen;
        int u = unit;
        boolean offHeap = src.isNative() && dst.isNative();
        try {
            for (long i = 0; i < units; i++) {
                long off = i * u;
                ivSeg.set(LE_LONG, 0, firstUnit + i);
                ivSeg.set(LE_LONG, 8, 0L);
                int rc = (int) Hot.INIT_IV.invokeExact(ctx, MemorySegment.NULL, MemorySegment.NULL,
                        MemorySegment.NULL, ivSeg, -1);
                if (rc != 1) {
                    throw lib.failure("EVP_CipherInit_ex(iv)");
                }
                rc = offHeap
                        ? (int) Hot.UPDATE_NATIVE.invokeExact(ctx, dst.asSlice(off, u), lenSeg, src.asSlice(off, u), u)
                        : (int) Hot.UPDATE.invokeExact(ctx, dst.asSlice(off, u), lenSeg, src.asSlice(off, u), u);
                if (rc != 1 || lenSeg.get(ValueLayout.JAVA_INT, 0) != u) {
                    throw lib.failure("EVP_CipherUpdate");
                }
            }
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private void freeContexts() {
        if (encIv != null) {
            encIv.fill((byte) 0);
            decIv.fill((byte) 0);
            encIv = null;
            decIv = null;
        }
        try {
            Lib lib = Lib.get();
            if (encCtx != null) {
                lib.ctxFree.invokeExact(encCtx);
                encCtx = null;
            }
            if (decCtx != null) {
                lib.ctxFree.invokeExact(decCtx);
                decCtx = null;
            }
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        freeContexts();
        iv.fill((byte) 0);
        arena.close();
    }

    @Override
    public String toString() {
        return "OpenSslXtsEngine[unit=" + unit + ", key redacted]";
    }

    /** Whether libcrypto with AES-256-XTS can be used here, or why not. */
    static Optional<String> unavailableReason() {
        try {
            Lib.get();
            return Optional.empty();
        } catch (Throwable t) {
            return Optional.of(String.valueOf(t.getMessage() != null ? t.getMessage() : t));
        }
    }

    static String libraryVersion() {
        return Lib.get().version;
    }

    /**
     * The per-unit downcalls as static finals: the JIT treats them as constants and inlines the
     * call, which it cannot do through an instance field. Initialized on first use, after
     * {@link Lib} has loaded.
     */
    private static final class Hot {
        static final MethodHandle UPDATE = Lib.get().update;
        static final MethodHandle UPDATE_NATIVE = Lib.get().updateNative;
        static final MethodHandle INIT_IV = Lib.get().initIv;
    }

    /** The libcrypto bindings, loaded once. */
    private static final class Lib {
        private static volatile Lib instance;
        private static volatile Throwable loadFailure;

        final MethodHandle ctxNew;
        final MethodHandle ctxFree;
        final MethodHandle init;
        final MethodHandle initIv;
        final MethodHandle update;
        final MethodHandle updateNative;
        final MethodHandle ivNoConst;
        final MethodHandle errGet;
        final MethodHandle errString;
        final MemorySegment cipher;
        final String version;

        static Lib get() {
            Lib lib = instance;
            if (lib != null) {
                return lib;
            }
            synchronized (Lib.class) {
                if (instance == null) {
                    if (loadFailure != null) {
                        throw new UnsupportedOperationException("libcrypto unavailable: " + loadFailure.getMessage(),
                                loadFailure);
                    }
                    try {
                        instance = new Lib();
                    } catch (Throwable t) {
                        loadFailure = t;
                        throw new UnsupportedOperationException("libcrypto unavailable: " + t.getMessage(), t);
                    }
                }
                return instance;
            }
        }

        private Lib() throws Throwable {
            SymbolLookup lookup = open();
            Linker linker = Linker.nativeLinker();
            ValueLayout addr = ValueLayout.ADDRESS;
            ValueLayout.OfInt i32 = ValueLayout.JAVA_INT;
            Linker.Option critical = Linker.Option.critical(true);
            ctxNew = linker.downcallHandle(find(lookup, "EVP_CIPHER_CTX_new"), FunctionDescriptor.of(addr));
            ctxFree = linker.downcallHandle(find(lookup, "EVP_CIPHER_CTX_free"), FunctionDescriptor.ofVoid(addr));
            FunctionDescriptor initDesc = FunctionDescriptor.of(i32, addr, addr, addr, addr, addr, i32);
            init = linker.downcallHandle(find(lookup, "EVP_CipherInit_ex"), initDesc);
            initIv = linker.downcallHandle(find(lookup, "EVP_CipherInit_ex"), initDesc, critical);
            update = linker.downcallHandle(find(lookup, "EVP_CipherUpdate"),
                    FunctionDescriptor.of(i32, addr, addr, addr, addr, i32), critical);
            updateNative = linker.downcallHandle(find(lookup, "EVP_CipherUpdate"),
                    FunctionDescriptor.of(i32, addr, addr, addr, addr, i32));
            ivNoConst = lookup.find("EVP_CIPHER_CTX_iv_noconst")
                    .map(sym -> linker.downcallHandle(sym, FunctionDescriptor.of(addr, addr)))
                    .orElse(null);
            errGet = linker.downcallHandle(find(lookup, "ERR_get_error"), FunctionDescriptor.of(ValueLayout.JAVA_LONG));
            errString = linker.downcallHandle(find(lookup, "ERR_error_string_n"),
                    FunctionDescriptor.ofVoid(ValueLayout.JAVA_LONG, addr, ValueLayout.JAVA_LONG));
            MethodHandle versionFn = linker.downcallHandle(find(lookup, "OpenSSL_version"), FunctionDescriptor.of(addr, i32));
            version = ((MemorySegment) versionFn.invokeExact(0)).reinterpret(256).getString(0);

            // Fetch the provider implementation once (OpenSSL 3); EVP_aes_256_xts() would make
            // every keyed init fetch it again.
            Optional<MemorySegment> fetchSym = lookup.find("EVP_CIPHER_fetch");
            MemorySegment c = MemorySegment.NULL;
            if (fetchSym.isPresent()) {
                MethodHandle fetch = linker.downcallHandle(fetchSym.get(), FunctionDescriptor.of(addr, addr, addr, addr));
                try (Arena a = Arena.ofConfined()) {
                    c = (MemorySegment) fetch.invokeExact(MemorySegment.NULL, a.allocateFrom("AES-256-XTS"),
                            MemorySegment.NULL);
                }
            }
            if (c.equals(MemorySegment.NULL)) {
                MethodHandle legacy = linker.downcallHandle(find(lookup, "EVP_aes_256_xts"), FunctionDescriptor.of(addr));
                c = (MemorySegment) legacy.invokeExact();
            }
            if (c.equals(MemorySegment.NULL)) {
                throw new IllegalStateException("AES-256-XTS not available in " + version);
            }
            cipher = c;
        }

        private static SymbolLookup open() {
            String override = System.getProperty("kekvault.libcrypto");
            String[] candidates = override != null
                    ? new String[] {override}
                    : new String[] {"libcrypto.so.3", "libcrypto.so"};
            Throwable last = null;
            for (String name : candidates) {
                try {
                    return SymbolLookup.libraryLookup(name, Arena.global());
                } catch (IllegalArgumentException e) {
                    last = e;
                }
            }
            throw new IllegalStateException("cannot load " + String.join(" or ", candidates), last);
        }

        private static MemorySegment find(SymbolLookup lookup, String name) {
            return lookup.find(name).orElseThrow(() -> new IllegalStateException("libcrypto lacks " + name));
        }

        /** Drains OpenSSL's error queue into an exception (error codes only, no data). */
        IllegalStateException failure(String call) {
            StringBuilder sb = new StringBuilder(call).append(" failed");
            try (Arena a = Arena.ofConfined()) {
                MemorySegment buf = a.allocate(256);
                long code;
                while ((code = (long) errGet.invokeExact()) != 0) {
                    errString.invokeExact(code, buf, 256L);
                    sb.append("; ").append(buf.getString(0));
                }
            } catch (Throwable ignored) {
                // Best effort: the call name alone still says what failed.
            }
            return new IllegalStateException(sb.toString());
        }
    }
}
