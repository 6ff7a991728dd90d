package io.kekvault.kms.vault;

import io.kekvault.kmip.error.CryptographicFailureException;
import io.kekvault.kmip.error.InvalidRequestException;
import io.kekvault.kmip.error.KmsException;
import io.kekvault.kmip.error.ResultReason;
import io.kekvault.kmip.error.UnsupportedException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The wrapped-DEK blob, version 1:
 * <pre>
 *   'K' 'V'              magic
 *   0x01                 format version
 *   0x01                 algorithm: AES-256-GCM, 96-bit IV, 128-bit tag
 *   u8  n, n bytes       KEK identifier (UTF-8)
 *   12 bytes             IV
 *   rest                 ciphertext || tag (16 bytes)
 * </pre>
 * The AAD handed to the HSM is the header (magic through KEK identifier) followed by the
 * caller's AAD with a 4-byte length prefix. The header is therefore authenticated: changing the
 * identifier, version or algorithm byte makes the tag check fail, and a blob presented under
 * another key or with another caller AAD fails in the same way.
 */
public final class WrappedKeyFormat {
    public static final int VERSION = 1;
    public static final int ALG_AES256_GCM = 1;
    public static final int IV_LENGTH = 12;
    public static final int TAG_LENGTH = 16;
    /** A wrapped key is a key: bounded so a hostile blob cannot make the HSM work on megabytes. */
    public static final int MAX_PLAINTEXT = 1024;
    private static final byte M0 = 'K';
    private static final byte M1 = 'V';

    private WrappedKeyFormat() {
    }

    /** What a backend hands the HSM to wrap one DEK: a fresh IV and the AAD. */
    public record WrapInput(byte[] header, byte[] iv, byte[] hsmAad) {
        public byte[] assemble(byte[] ciphertextAndTag) {
            return WrappedKeyFormat.assemble(header, iv, ciphertextAndTag);
        }
    }

    /**
     * Checks the DEK's size and prepares header, random IV and HSM AAD for wrapping under
     * {@code keyId}; every backend wraps through this, so all produce the same format.
     */
    public static WrapInput prepareWrap(String keyId, io.kekvault.secret.SecretBytes dek, byte[] callerAad,
                                        java.security.SecureRandom random) throws KmsException {
        if (dek.length() == 0 || dek.length() > MAX_PLAINTEXT) {
            throw new InvalidRequestException(ResultReason.INVALID_FIELD,
                    "a wrapped key must be 1.." + MAX_PLAINTEXT + " bytes", null);
        }
        byte[] header = header(keyId);
        byte[] iv = new byte[IV_LENGTH];
        random.nextBytes(iv);
        return new WrapInput(header, iv, hsmAad(header, callerAad));
    }

    /** The parts of a blob; {@code header} is also the first part of the HSM's AAD. */
    public record Parsed(String keyId, byte[] header, byte[] iv, byte[] ciphertextAndTag) {
    }

    public static byte[] header(String keyId) {
        byte[] id = keyId.getBytes(StandardCharsets.UTF_8);
        if (id.length == 0 || id.length > 255) {
            throw new IllegalArgumentException("key identifier must be 1..255 bytes");
        }
        byte[] h = new byte[5 + id.length];
        h[0] = M0;
        h[1] = M1;
        h[2] = VERSION;
        h[3] = ALG_AES256_GCM;
        h[4] = (byte) id.length;
        System.arraycopy(id, 0, h, 5, id.length);
        return h;
    }

    /** AAD for the HSM: header || u32(len(callerAad)) || callerAad. */
    public static byte[] hsmAad(byte[] header, byte[] callerAad) {
        byte[] a = callerAad == null ? new byte[0] : callerAad;
        return ByteBuffer.allocate(header.length + 4 + a.length).put(header).putInt(a.length).put(a).array();
    }

    public static byte[] assemble(byte[] header, byte[] iv, byte[] ciphertextAndTag) {
        return ByteBuffer.allocate(header.length + iv.length + ciphertextAndTag.length)
                .put(header).put(iv).put(ciphertextAndTag).array();
    }

    /**
     * Parses and checks the structure of a blob for {@code expectedKeyId}. Structural problems are
     * reported precisely (they reveal nothing secret); the cryptographic check happens in the HSM.
     */
    public static Parsed parse(byte[] blob, String expectedKeyId) throws KmsException {
        if (blob == null || blob.length < 5) {
            throw new InvalidRequestException(ResultReason.INVALID_FIELD, "wrapped key is truncated", null);
        }
        if (blob[0] != M0 || blob[1] != M1) {
            throw new InvalidRequestException(ResultReason.INVALID_FIELD, "not a Kekvault wrapped key (bad magic)", null);
        }
        int version = blob[2] & 0xFF;
        if (version != VERSION) {
            throw new UnsupportedException(ResultReason.FEATURE_NOT_SUPPORTED,
                    "wrapped key format version " + version + " is not supported (this server reads version "
                            + VERSION + ")", null);
        }
        int alg = blob[3] & 0xFF;
        if (alg != ALG_AES256_GCM) {
            throw new UnsupportedException(ResultReason.UNSUPPORTED_CRYPTOGRAPHIC_PARAMETERS,
                    "wrapped key algorithm " + alg + " is not supported", null);
        }
        int idLen = blob[4] & 0xFF;
        int headerLen = 5 + idLen;
        if (idLen == 0 || blob.length < headerLen + IV_LENGTH + TAG_LENGTH) {
            throw new InvalidRequestException(ResultReason.INVALID_FIELD, "wrapped key is truncated", null);
        }
        if (blob.length - headerLen - IV_LENGTH - TAG_LENGTH > MAX_PLAINTEXT) {
            throw new InvalidRequestException(ResultReason.INVALID_FIELD, "wrapped key is too long", null);
        }
        String keyId = new String(blob, 5, idLen, StandardCharsets.UTF_8);
        if (expectedKeyId != null && !expectedKeyId.equals(keyId)) {
            // Same answer as a failed tag: which key a blob names is not a secret, but a
            // different answer would let a caller probe the binding without the HSM.
            throw new CryptographicFailureException("wrapped key failed authentication");
        }
        byte[] header = java.util.Arrays.copyOfRange(blob, 0, headerLen);
        byte[] iv = java.util.Arrays.copyOfRange(blob, headerLen, headerLen + IV_LENGTH);
        byte[] ct = java.util.Arrays.copyOfRange(blob, headerLen + IV_LENGTH, blob.length);
        return new Parsed(keyId, header, iv, ct);
    }

    /** The KEK identifier a blob names, after structural checks. */
    public static String keyIdOf(byte[] blob) throws KmsException {
        return parse(blob, null).keyId();
    }
}
