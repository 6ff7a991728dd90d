package io.kekvault.kms.op.kmip;

import io.kekvault.kmip.error.CryptographicFailureException;
import io.kekvault.kmip.error.GeneralFailureException;
import io.kekvault.kmip.error.InvalidRequestException;
import io.kekvault.kmip.error.KmsException;
import io.kekvault.kmip.error.PermissionDeniedException;
import io.kekvault.kmip.error.ResultReason;
import io.kekvault.kmip.error.UnsupportedException;
import io.kekvault.kmip.error.WrongStateException;
import io.kekvault.kmip.message.BlockCipherMode;
import io.kekvault.kmip.message.CryptographicAlgorithm;
import io.kekvault.kmip.message.CryptographicUsageMask;
import io.kekvault.kmip.message.PaddingMethod;
import io.kekvault.kmip.ttlv.Tag;
import io.kekvault.kmip.ttlv.TtlvStructure;
import io.kekvault.kms.op.KeyAccess;
import io.kekvault.kms.op.KmsServices;
import io.kekvault.kms.op.Lifecycle;
import io.kekvault.kms.op.OpContext;
import io.kekvault.kms.store.AttributeValue;
import io.kekvault.kms.store.KeyRecord;
import io.kekvault.kms.store.KeyState;
import io.kekvault.kms.store.Permission;
import io.kekvault.kms.vault.CipherParams;
import io.kekvault.kms.vault.CipherResult;
import io.kekvault.secret.SecretBytes;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Arrays;
import java.util.Optional;

/**
 * KMIP Encrypt and Decrypt. AES and Triple DES in ECB, CBC and GCM run inside the HSM, for every
 * key; PKCS#5 padding for ECB is added and checked around the HSM's ECB. Ciphers the HSM has no
 * mechanism for (ChaCha20, ChaCha20-Poly1305, AES key wrap) run in software, and only for keys
 * the export policy made extractable; for a non-extractable key they are refused, never
 * computed outside the HSM. Checks, in order: access (owner, admin, or an Encrypt/Decrypt grant),
 * lifecycle state (Encrypt needs Active; Decrypt Active or Deactivated, Compromised for admins),
 * usage mask, Protect Stop Date / Process Start Date, and for Encrypt the Usage Limits.
 * Multi-part requests (Init Indicator, Correlation Value, Final Indicator) keep the cipher state
 * between requests, so they run in software too, for extractable keys only ({@link StreamingCipher}).
 */
public abstract sealed class CipherHandler implements KmipHandler permits EncryptHandler, DecryptHandler {
    private static final int GCM_MIN_TAG = 12;
    private static final int GCM_MAX_TAG = 16;
    /** Poly1305 tags truncated below 12 bytes are refused, as for GCM. */
    private static final int AEAD_MIN_TAG = 12;

    protected final KmsServices s;
    private final boolean encrypt;
    private final SecureRandom random = new SecureRandom();
    private final StreamingCipher streams;

    CipherHandler(KmsServices services, boolean encrypt) {
        this.s = services;
        this.encrypt = encrypt;
        this.streams = new StreamingCipher(services.clock());
    }

    /** The request's parameters: given with the request, else the key's Cryptographic Parameters. */
    private record Params(BlockCipherMode mode, PaddingMethod padding, CryptographicAlgorithm algorithm, Boolean randomIv,
                          Integer tagLength, int initialCounter) {
        static Params read(TtlvStructure p) throws KmsException {
            return new Params(
                    p.optEnumeration(Tag.BLOCK_CIPHER_MODE, BlockCipherMode.class).orElse(null),
                    p.optEnumeration(Tag.PADDING_METHOD, PaddingMethod.class).orElse(null),
                    p.optEnumeration(Tag.CRYPTOGRAPHIC_ALGORITHM, CryptographicAlgorithm.class).orElse(null),
                    p.optBool(Tag.RANDOM_IV).orElse(null),
                    p.optInteger(Tag.TAG_LENGTH).orElse(null),
                    p.optInteger(Tag.INITIAL_COUNTER_VALUE).orElse(0));
        }
    }

    @Override
    public TtlvStructure handle(OpContext ctx, KmipCall call) throws KmsException {
        String uid = call.uniqueIdentifier();
        ctx.auditKey(uid);
        TtlvStructure p = call.payload();
        KeyRecord k = KeyAccess.permitted(s.store(), ctx.caller(), uid, encrypt ? Permission.ENCRYPT : Permission.DECRYPT);
        checkUsable(ctx, k);
        byte[] data = p.bytes(Tag.DATA);
        byte[] iv = p.optBytes(Tag.IV_COUNTER_NONCE).orElse(null);
        byte[] aad = p.optBytes(Tag.AUTHENTICATED_ENCRYPTION_ADDITIONAL_DATA).orElse(null);
        byte[] tag = p.optBytes(Tag.AUTHENTICATED_ENCRYPTION_TAG).orElse(null);
        Optional<TtlvStructure> given = p.optStructure(Tag.CRYPTOGRAPHIC_PARAMETERS);
        if (given.isEmpty()) {
            Optional<AttributeValue> stored = k.attribute("Cryptographic Parameters");
            if (stored.isPresent()) {
                given = Optional.of(KmipAttributes.fromStore(Tag.CRYPTOGRAPHIC_PARAMETERS, stored.get()).asStructure());
            }
        }
        Params params = given.isPresent() ? Params.read(given.get())
                : new Params(null, null, null, null, null, 0);
        CryptographicAlgorithm alg = KmipAttributes.kmipAlgorithm(k.algorithm()).orElseThrow(() -> new UnsupportedException(
                ResultReason.UNSUPPORTED_CRYPTOGRAPHIC_PARAMETERS, "key " + uid + " has no cipher algorithm", null));
        if (encrypt) {
            consumeUsage(uid, k, data.length);
        }
        boolean init = p.optBool(Tag.INIT_INDICATOR).orElse(false);
        boolean last = p.optBool(Tag.FINAL_INDICATOR).orElse(false);
        Optional<byte[]> correlation = p.optBytes(Tag.CORRELATION_VALUE);
        if ((init && !last) || correlation.isPresent()) {
            call.batch().idPlaceholder(uid);
            return streaming(ctx, k, alg, params, data, iv, aad, tag, correlation.orElse(null), last);
        }
        Out out = switch (alg) {
            case AES, TRIPLE_DES -> block(k, alg, params, data, iv, aad, tag);
            case CHACHA20 -> {
                if (params.mode() == BlockCipherMode.AEAD) {
                    yield aead(k, params, data, iv, aad, tag);
                }
                yield stream(k, params, data, iv);
            }
            case CHACHA20POLY1305 -> aead(k, params, data, iv, aad, tag);
            default -> throw new UnsupportedException(ResultReason.UNSUPPORTED_CRYPTOGRAPHIC_PARAMETERS,
                    "no cipher for " + alg + " keys", null);
        };
        call.batch().idPlaceholder(uid);
        var b = TtlvStructure.builder(Tag.RESPONSE_PAYLOAD).text(Tag.UNIQUE_IDENTIFIER, uid).bytes(Tag.DATA, out.data());
        b.optBytes(Tag.IV_COUNTER_NONCE, out.chosenIv());
        b.optBytes(Tag.AUTHENTICATED_ENCRYPTION_TAG, out.tag());
        return b.build();
    }

    private record Out(byte[] data, byte[] chosenIv, byte[] tag) {
    }

    // ------------------------------------------------------------------ streaming, extractable keys only

    /** One part of a multi-part operation: Init (no Correlation Value), a middle part, or the Final one. */
    private TtlvStructure streaming(OpContext ctx, KeyRecord k, CryptographicAlgorithm alg, Params params, byte[] data, byte[] iv,
                                    byte[] aad, byte[] tag, byte[] correlation, boolean last) throws KmsException {
        String who = ctx.caller().identity();
        var b = TtlvStructure.builder(Tag.RESPONSE_PAYLOAD).text(Tag.UNIQUE_IDENTIFIER, k.id());
        if (correlation == null) {
            byte[][] chosen = new byte[1][];
            javax.crypto.Cipher c = jceCipher(k, alg, params, iv, aad, chosen);
            boolean gcm = params.mode() == BlockCipherMode.GCM;
            int tagBytes = gcm ? tagLength(params, tag) : 0;
            byte[] out = StreamingCipher.update(c, data);
            byte[] id = streams.open(who, k.id(), c, gcm, tagBytes);
            return b.bytes(Tag.DATA, out).optBytes(Tag.IV_COUNTER_NONCE, chosen[0]).bytes(Tag.CORRELATION_VALUE, id).build();
        }
        javax.crypto.Cipher c = streams.resume(correlation, who, k.id());
        if (!last) {
            return b.bytes(Tag.DATA, StreamingCipher.update(c, data)).bytes(Tag.CORRELATION_VALUE, correlation).build();
        }
        boolean gcm = streams.gcm(correlation);
        int tagBytes = streams.tagBytes(correlation);
        streams.close(correlation);
        byte[] in = data;
        if (gcm && !encrypt) {
            if (tag == null || tag.length != tagBytes) {
                throw new InvalidRequestException(ResultReason.MISSING_DATA,
                        "the final part of a GCM decrypt needs the " + tagBytes + "-byte tag", null);
            }
            in = Arrays.copyOf(data, data.length + tag.length);
            System.arraycopy(tag, 0, in, data.length, tag.length);
        }
        byte[] out = StreamingCipher.doFinal(c, in);
        if (gcm && encrypt) {
            return b.bytes(Tag.DATA, Arrays.copyOf(out, out.length - tagBytes))
                    .bytes(Tag.AUTHENTICATED_ENCRYPTION_TAG, Arrays.copyOfRange(out, out.length - tagBytes, out.length)).build();
        }
        return b.bytes(Tag.DATA, out).build();
    }

    /** A JDK cipher for AES or Triple DES in ECB, CBC or GCM, keyed with the (extractable) key's value. */
    private javax.crypto.Cipher jceCipher(KeyRecord k, CryptographicAlgorithm alg, Params params, byte[] iv, byte[] aad,
                                          byte[][] chosenIv) throws KmsException {
        if (alg != CryptographicAlgorithm.AES && alg != CryptographicAlgorithm.TRIPLE_DES) {
            throw new UnsupportedException(ResultReason.UNSUPPORTED_CRYPTOGRAPHIC_PARAMETERS,
                    "streaming is supported for AES and Triple DES keys", null);
        }
        BlockCipherMode mode = params.mode();
        if (mode != BlockCipherMode.GCM && mode != BlockCipherMode.CBC && mode != BlockCipherMode.ECB) {
            throw new UnsupportedException(ResultReason.UNSUPPORTED_CRYPTOGRAPHIC_PARAMETERS,
                    "streaming supports ECB, CBC and GCM", null);
        }
        String name = alg == CryptographicAlgorithm.AES ? "AES" : "DESede";
        String padding = params.padding() == PaddingMethod.PKCS5 && mode != BlockCipherMode.GCM ? "PKCS5Padding" : "NoPadding";
        int block = alg == CryptographicAlgorithm.AES ? 16 : 8;
        byte[] useIv = iv;
        if (mode != BlockCipherMode.ECB && useIv == null) {
            if (!encrypt || Boolean.FALSE.equals(params.randomIv())) {
                throw new InvalidRequestException(ResultReason.INVALID_MESSAGE, "the IV/Counter/Nonce is missing", null);
            }
            useIv = new byte[mode == BlockCipherMode.GCM ? 12 : block];
            random.nextBytes(useIv);
            chosenIv[0] = useIv;
        }
        try (SecretBytes key = software(k, "a streaming " + mode + " operation")) {
            javax.crypto.Cipher c = javax.crypto.Cipher.getInstance(name + "/" + mode.name() + "/" + padding);
            var spec = new javax.crypto.spec.SecretKeySpec(key.expose(), name);
            int m = encrypt ? javax.crypto.Cipher.ENCRYPT_MODE : javax.crypto.Cipher.DECRYPT_MODE;
            if (mode == BlockCipherMode.GCM) {
                int tagLength = tagLength(params, null);
                if (tagLength < GCM_MIN_TAG || tagLength > GCM_MAX_TAG) {
                    throw invalidTagLength(tagLength);
                }
                c.init(m, spec, new javax.crypto.spec.GCMParameterSpec(tagLength * 8, useIv));
                if (aad != null && aad.length > 0) {
                    c.updateAAD(aad);
                }
            } else if (mode == BlockCipherMode.CBC) {
                c.init(m, spec, new javax.crypto.spec.IvParameterSpec(useIv));
            } else {
                c.init(m, spec);
            }
            return c;
        } catch (java.security.GeneralSecurityException e) {
            throw new InvalidRequestException(ResultReason.INVALID_FIELD, "the cipher parameters do not fit: " + e.getMessage(), null);
        }
    }

    private void checkUsable(OpContext ctx, KeyRecord k) throws KmsException {
        Instant now = s.clock().instant();
        if (encrypt) {
            if (k.state() != KeyState.ACTIVE) {
                throw new WrongStateException(ResultReason.WRONG_KEY_LIFECYCLE_STATE, "key " + k.id() + " is "
                        + Lifecycle.display(k.state()) + "; encrypting needs an Active key", null);
            }
        } else {
            KeyAccess.requireUnwrapState(k, ctx.caller());
        }
        CryptographicUsageMask bit = encrypt ? CryptographicUsageMask.ENCRYPT : CryptographicUsageMask.DECRYPT;
        if ((k.usageMask() & bit.value()) == 0) {
            throw new PermissionDeniedException(ResultReason.INCOMPATIBLE_CRYPTOGRAPHIC_USAGE_MASK, "key " + k.id()
                    + " does not allow " + (encrypt ? "Encrypt" : "Decrypt") + " in its Cryptographic Usage Mask", null);
        }
        if (encrypt) {
            Optional<AttributeValue> stop = k.attribute("Protect Stop Date");
            if (stop.isPresent() && stop.get() instanceof AttributeValue.DateTime d && !d.value().isAfter(now)) {
                throw new PermissionDeniedException("key " + k.id() + " is past its Protect Stop Date; it no longer encrypts");
            }
        } else {
            Optional<AttributeValue> start = k.attribute("Process Start Date");
            if (start.isPresent() && start.get() instanceof AttributeValue.DateTime d && d.value().isAfter(now)) {
                throw new PermissionDeniedException("key " + k.id() + " is before its Process Start Date; it does not decrypt yet");
            }
        }
    }

    /** Usage Limits (KMIP): the remaining count of bytes or objects this key may still protect. */
    private void consumeUsage(String uid, KeyRecord k, int bytes) throws KmsException {
        if (k.attribute("Usage Limits").isEmpty()) {
            return;
        }
        s.store().modify(uid, cur -> {
            Optional<AttributeValue> limits = cur.attribute("Usage Limits");
            if (limits.isEmpty()) {
                return cur;
            }
            AttributeValue v = limits.get();
            long total = longField(v, "Usage Limits Total").orElse(0L);
            long remaining = longField(v, "Usage Limits Count").orElse(total);
            int unit = KmipAttributes.field(v, "Usage Limits Unit")
                    .map(u -> u instanceof AttributeValue.Enumeration e ? e.value() : 1).orElse(1);
            long use = unit == 2 ? 1 : bytes; // Unit 1 is Byte, 2 is Object
            if (use > remaining) {
                // Permission Denied, as the KMIP profiles' test cases expect, in 1.x and 2.x alike
                throw new PermissionDeniedException(ResultReason.PERMISSION_DENIED, "key " + uid
                        + " has reached its Usage Limits (" + remaining + " left, " + use + " asked)", null);
            }
            java.util.List<io.kekvault.kms.store.Attribute> fields = new java.util.ArrayList<>();
            fields.add(io.kekvault.kms.store.Attribute.of("Usage Limits Total", AttributeValue.longInteger(total)));
            fields.add(io.kekvault.kms.store.Attribute.of("Usage Limits Count", AttributeValue.longInteger(remaining - use)));
            fields.add(io.kekvault.kms.store.Attribute.of("Usage Limits Unit", AttributeValue.enumeration(unit)));
            return cur.toBuilder().setAttribute("Usage Limits", AttributeValue.structure(fields)).build();
        });
    }

    private static Optional<Long> longField(AttributeValue struct, String name) {
        return KmipAttributes.field(struct, name).map(f -> switch (f) {
            case AttributeValue.LongInt l -> l.value();
            case AttributeValue.Int i -> (long) i.value();
            default -> 0L;
        });
    }

    // ------------------------------------------------------------------ AES and Triple DES: the HSM

    private Out block(KeyRecord k, CryptographicAlgorithm alg, Params params, byte[] data, byte[] iv, byte[] aad, byte[] tag)
            throws KmsException {
        BlockCipherMode mode = params.mode();
        if (mode == null) {
            throw new InvalidRequestException(ResultReason.MISSING_DATA,
                    "Cryptographic Parameters with a Block Cipher Mode are required (the key has none)", null);
        }
        if (mode == BlockCipherMode.NISTKEYWRAP && alg == CryptographicAlgorithm.AES) {
            try (SecretBytes key = software(k, "AES key wrap")) {
                return new Out(SoftwareCipher.aesKeyWrap(encrypt, key, data), null, null);
            }
        }
        boolean pkcs5 = params.padding() == PaddingMethod.PKCS5;
        if (params.padding() != null && params.padding() != PaddingMethod.NONE && !pkcs5) {
            throw new UnsupportedException(ResultReason.UNSUPPORTED_CRYPTOGRAPHIC_PARAMETERS,
                    "padding " + params.padding() + " is not supported (None or PKCS5)", null);
        }
        int block = alg == CryptographicAlgorithm.AES ? 16 : 8;
        return switch (mode) {
            case ECB -> {
                noIv(iv, "ECB");
                if (encrypt) {
                    byte[] in = pkcs5 ? pad(data, block) : data;
                    yield new Out(hsm(k, CipherParams.of(CipherParams.CipherMode.ECB, null), in).data(), null, null);
                }
                byte[] out = hsm(k, CipherParams.of(CipherParams.CipherMode.ECB, null), data).data();
                yield new Out(pkcs5 ? unpad(out, block) : out, null, null);
            }
            case CBC -> {
                byte[] useIv = ivFor(iv, params);
                CipherResult r = hsm(k, CipherParams.of(pkcs5 ? CipherParams.CipherMode.CBC_PAD : CipherParams.CipherMode.CBC, useIv), data);
                yield new Out(r.data(), encrypt ? r.iv() : null, null);
            }
            case GCM -> {
                if (alg != CryptographicAlgorithm.AES) {
                    throw new UnsupportedException(ResultReason.UNSUPPORTED_CRYPTOGRAPHIC_PARAMETERS, "GCM needs an AES key", null);
                }
                int tagLength = tagLength(params, tag);
                if (tagLength < GCM_MIN_TAG || tagLength > GCM_MAX_TAG) {
                    throw invalidTagLength(tagLength);
                }
                byte[] useIv = ivFor(iv, params);
                if (!encrypt && tag == null) {
                    throw new InvalidRequestException(ResultReason.MISSING_DATA, "GCM decrypt needs the Authenticated Encryption Tag", null);
                }
                CipherResult r = hsm(k, new CipherParams(CipherParams.CipherMode.GCM, useIv, aad, tagLength * 8, tag), data);
                yield new Out(r.data(), encrypt ? r.iv() : null, encrypt ? r.tag() : null);
            }
            default -> throw new UnsupportedException(ResultReason.UNSUPPORTED_CRYPTOGRAPHIC_PARAMETERS,
                    "block cipher mode " + mode + " is not supported (ECB, CBC, GCM; AES key wrap for extractable keys)", null);
        };
    }

    private CipherResult hsm(KeyRecord k, CipherParams p, byte[] data) throws KmsException {
        return encrypt ? s.vault().encrypt(k.id(), p, data) : s.vault().decrypt(k.id(), p, data);
    }

    /** The IV to use: the client's; on Encrypt without one, null lets the HSM side choose a random one. */
    private byte[] ivFor(byte[] iv, Params params) throws KmsException {
        if (iv != null) {
            return iv;
        }
        if (!encrypt || Boolean.FALSE.equals(params.randomIv())) {
            // The KMIP profiles' test cases answer a missing IV with Invalid Message.
            throw new InvalidRequestException(ResultReason.INVALID_MESSAGE, "the IV/Counter/Nonce is missing", null);
        }
        return null;
    }

    private static void noIv(byte[] iv, String mode) throws InvalidRequestException {
        if (iv != null && iv.length > 0) {
            throw new InvalidRequestException(ResultReason.INVALID_FIELD, mode + " takes no IV/Counter/Nonce", null);
        }
    }

    private int tagLength(Params params, byte[] tag) {
        if (params.tagLength() != null) {
            return params.tagLength();
        }
        return !encrypt && tag != null ? tag.length : 16;
    }

    /** The KMIP profiles' test cases answer an impossible tag length with General Failure. */
    private static KmsException invalidTagLength(int bytes) {
        return new GeneralFailureException(ResultReason.GENERAL_FAILURE, "invalid tag length: " + bytes + " bytes", null);
    }

    private static byte[] pad(byte[] data, int block) {
        int n = block - data.length % block;
        byte[] out = Arrays.copyOf(data, data.length + n);
        Arrays.fill(out, data.length, out.length, (byte) n);
        return out;
    }

    private static byte[] unpad(byte[] data, int block) throws KmsException {
        int n = data.length == 0 ? 0 : data[data.length - 1] & 0xFF;
        boolean ok = n >= 1 && n <= block && n <= data.length;
        for (int i = data.length - n; ok && i < data.length; i++) {
            ok = (data[i] & 0xFF) == n;
        }
        if (!ok) {
            throw new CryptographicFailureException("the PKCS#5 padding is invalid");
        }
        return Arrays.copyOf(data, data.length - n);
    }

    // ------------------------------------------------------------------ software, extractable keys only

    /** The key's value for a software cipher: only for extractable keys, never for the others. */
    private SecretBytes software(KeyRecord k, String what) throws KmsException {
        if (!k.extractable()) {
            throw new UnsupportedException(ResultReason.UNSUPPORTED_CRYPTOGRAPHIC_PARAMETERS, "the HSM has no mechanism for "
                    + what + ", and key " + k.id() + " is not extractable: it is never used outside the HSM", null);
        }
        return s.vault().exportKey(k.id());
    }

    private Out stream(KeyRecord k, Params params, byte[] data, byte[] iv) throws KmsException {
        byte[] nonce = iv;
        boolean chosen = false;
        if (nonce == null) {
            if (!encrypt || Boolean.FALSE.equals(params.randomIv())) {
                throw new InvalidRequestException(ResultReason.INVALID_MESSAGE, "the IV/Counter/Nonce is missing", null);
            }
            nonce = new byte[12];
            random.nextBytes(nonce);
            chosen = true;
        }
        try (SecretBytes key = software(k, "ChaCha20")) {
            return new Out(SoftwareCipher.chacha20(key, nonce, params.initialCounter(), data), chosen ? nonce : null, null);
        }
    }

    private Out aead(KeyRecord k, Params params, byte[] data, byte[] iv, byte[] aad, byte[] tag) throws KmsException {
        int tagLength = tagLength(params, tag);
        if (tagLength < AEAD_MIN_TAG || tagLength > 16) {
            throw invalidTagLength(tagLength);
        }
        byte[] nonce = iv;
        boolean chosen = false;
        if (nonce == null) {
            if (!encrypt || Boolean.FALSE.equals(params.randomIv())) {
                throw new InvalidRequestException(ResultReason.INVALID_MESSAGE, "the IV/Counter/Nonce is missing", null);
            }
            nonce = new byte[12];
            random.nextBytes(nonce);
            chosen = true;
        }
        try (SecretBytes key = software(k, "ChaCha20-Poly1305")) {
            if (encrypt) {
                byte[] out = SoftwareCipher.chacha20Poly1305(true, key, nonce, aad, data);
                return new Out(Arrays.copyOf(out, out.length - 16), chosen ? nonce : null,
                        Arrays.copyOfRange(out, out.length - 16, out.length - 16 + tagLength));
            }
            if (tag == null) {
                throw new InvalidRequestException(ResultReason.MISSING_DATA, "AEAD decrypt needs the Authenticated Encryption Tag", null);
            }
            if (tag.length != tagLength) {
                throw new InvalidRequestException(ResultReason.INVALID_FIELD, "the tag is " + tag.length
                        + " bytes, the Tag Length " + tagLength, null);
            }
            return new Out(SoftwareCipher.chacha20Poly1305Open(key, nonce, aad, data, tag), null, null);
        }
    }
}
