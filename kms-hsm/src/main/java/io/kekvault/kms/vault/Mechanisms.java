package io.kekvault.kms.vault;

import io.kekvault.kmip.error.InvalidRequestException;
import io.kekvault.kmip.error.KmsException;
import io.kekvault.kmip.error.ResultReason;
import java.security.SecureRandom;
import java.util.Arrays;

/**
 * Checks and prepares raw cipher parameters the same way for every backend, so both refuse the
 * same bad input with the same error before the HSM sees it.
 */
public final class Mechanisms {
    // PKCS#11 mechanism codes (PKCS#11 2.40 section 6 tables).
    public static final long CKM_AES_ECB = 0x1081L;
    public static final long CKM_AES_CBC = 0x1082L;
    public static final long CKM_AES_CBC_PAD = 0x1085L;
    public static final long CKM_AES_GCM = 0x1087L;
    public static final long CKM_DES3_ECB = 0x132L;
    public static final long CKM_DES3_CBC = 0x133L;
    public static final long CKM_DES3_CBC_PAD = 0x135L;

    private Mechanisms() {
    }

    /** A checked request: mechanism code, IV, AAD, input (ciphertext with tag appended for GCM decrypt). */
    public record Prepared(long mechanism, String jcaTransformation, byte[] iv, byte[] aad, int tagBits,
                           byte[] input, boolean encrypt, boolean ivChosen) {
        public boolean gcm() {
            return mechanism == CKM_AES_GCM;
        }

        /** Splits the HSM output into the result (GCM encrypt: ciphertext and tag apart). */
        public CipherResult finish(byte[] out) {
            byte[] ivOut = ivChosen ? iv : null;
            if (gcm() && encrypt) {
                int t = tagBits / 8;
                return new CipherResult(Arrays.copyOf(out, out.length - t), ivOut,
                        Arrays.copyOfRange(out, out.length - t, out.length));
            }
            return new CipherResult(out, ivOut, null);
        }
    }

    public static Prepared prepare(KeyAlgorithm alg, CipherParams p, byte[] data, boolean encrypt,
                                   SecureRandom random) throws KmsException {
        if (p == null || p.mode() == null) {
            throw invalid("block cipher mode is required");
        }
        if (data == null) {
            throw invalid("data is required");
        }
        int block = alg == KeyAlgorithm.DES3 ? 8 : 16;
        String name = alg == KeyAlgorithm.DES3 ? "DESede" : "AES";
        switch (p.mode()) {
            case ECB -> {
                requireBlocks(data, block);
                if (p.iv() != null && p.iv().length > 0) {
                    throw invalid("ECB takes no IV");
                }
                return new Prepared(alg == KeyAlgorithm.DES3 ? CKM_DES3_ECB : CKM_AES_ECB, name + "/ECB/NoPadding",
                        null, null, 0, data, encrypt, false);
            }
            case CBC, CBC_PAD -> {
                boolean pad = p.mode() == CipherParams.CipherMode.CBC_PAD;
                if (!pad || !encrypt) {
                    requireBlocks(data, block);
                }
                byte[] iv = p.iv();
                boolean chosen = false;
                if (iv == null && encrypt) {
                    iv = new byte[block];
                    random.nextBytes(iv);
                    chosen = true;
                }
                if (iv == null || iv.length != block) {
                    throw new InvalidRequestException(ResultReason.MISSING_INITIALIZATION_VECTOR,
                            "CBC needs a " + block + "-byte IV", null);
                }
                long m = alg == KeyAlgorithm.DES3 ? (pad ? CKM_DES3_CBC_PAD : CKM_DES3_CBC) : (pad ? CKM_AES_CBC_PAD : CKM_AES_CBC);
                return new Prepared(m, name + "/CBC/" + (pad ? "PKCS5Padding" : "NoPadding"), iv, null, 0, data, encrypt, chosen);
            }
            case GCM -> {
                if (alg != KeyAlgorithm.AES) {
                    throw new InvalidRequestException(ResultReason.UNSUPPORTED_CRYPTOGRAPHIC_PARAMETERS,
                            "GCM needs an AES key", null);
                }
                int tagBits = p.tagLengthBits() == 0 ? 128 : p.tagLengthBits();
                if (tagBits < 96 || tagBits > 128 || tagBits % 8 != 0) {
                    throw invalid("GCM tag length must be 96..128 bits");
                }
                byte[] iv = p.iv();
                boolean chosen = false;
                if (iv == null && encrypt) {
                    iv = new byte[12];
                    random.nextBytes(iv);
                    chosen = true;
                }
                if (iv == null || iv.length < 1 || iv.length > 128) {
                    throw new InvalidRequestException(ResultReason.MISSING_INITIALIZATION_VECTOR, "GCM needs an IV", null);
                }
                byte[] input = data;
                if (!encrypt && p.tag() != null) {
                    if (p.tag().length != tagBits / 8) {
                        throw invalid("GCM tag length does not match the tag given");
                    }
                    input = Arrays.copyOf(data, data.length + p.tag().length);
                    System.arraycopy(p.tag(), 0, input, data.length, p.tag().length);
                }
                if (!encrypt && input.length < tagBits / 8) {
                    throw invalid("GCM ciphertext is shorter than its tag");
                }
                return new Prepared(CKM_AES_GCM, "AES/GCM/NoPadding", iv, p.aad() == null ? new byte[0] : p.aad(),
                        tagBits, input, encrypt, chosen);
            }
            default -> throw new InvalidRequestException(ResultReason.UNSUPPORTED_CRYPTOGRAPHIC_PARAMETERS,
                    "unsupported block cipher mode " + p.mode(), null);
        }
    }

    private static void requireBlocks(byte[] data, int block) throws KmsException {
        if (data.length == 0 || data.length % block != 0) {
            throw invalid("data must be a non-empty multiple of " + block + " bytes for this mode");
        }
    }

    private static InvalidRequestException invalid(String m) {
        return new InvalidRequestException(ResultReason.INVALID_FIELD, m, null);
    }
}
