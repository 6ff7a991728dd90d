package io.kekvault.esxi.vm;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kekvault.kmip.error.CryptographicFailureException;
import io.kekvault.kmip.error.InvalidRequestException;
import io.kekvault.kmip.error.KmsException;
import io.kekvault.kmip.error.ResultReason;
import io.kekvault.secret.SecretBytes;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The VM's sensitive settings sealed with its VM-home DEK ({@code encryption.data} in the .vmx).
 *
 * <p>Format {@code v1:<base64(iv | ciphertext | tag)>}: AES-256-GCM, random 96-bit IV, under a
 * key derived from the 512-bit home DEK with HKDF-SHA256 (info {@code kekvault/vm-home/data/v1}),
 * with AAD {@code kekvault/vm/<uuid>/home/data}. Opening with the wrong DEK or a tampered value
 * fails ({@link CryptographicFailureException}), which is also how a host proves it holds the
 * right home key. The derived key lives only for the call and is wiped.
 */
public final class HomeData {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final byte[] INFO = "kekvault/vm-home/data/v1".getBytes(StandardCharsets.US_ASCII);
    private static final String PREFIX = "v1:";
    private static final int IV = 12;
    private static final int TAG_BITS = 128;

    private HomeData() {
    }

    /** Seals {@code settings} for the VM {@code vmUuid} under {@code homeDek}. */
    public static String seal(Map<String, String> settings, SecretBytes homeDek, String vmUuid, SecureRandom random) {
        byte[] plain = null;
        byte[] key = derive(homeDek);
        try {
            plain = JSON.writeValueAsBytes(settings);
            byte[] iv = new byte[IV];
            random.nextBytes(iv);
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(TAG_BITS, iv));
            c.updateAAD(aad(vmUuid));
            byte[] ct = c.doFinal(plain);
            return PREFIX + Base64.getEncoder().encodeToString(ByteBuffer.allocate(IV + ct.length).put(iv).put(ct).array());
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot seal VM settings", e);
        } finally {
            SecretBytes.wipe(plain);
            SecretBytes.wipe(key);
        }
    }

    /** Opens a sealed value; refuses a wrong key, another VM's value or tampering. */
    public static Map<String, String> open(String sealed, SecretBytes homeDek, String vmUuid) throws KmsException {
        if (sealed == null || !sealed.startsWith(PREFIX)) {
            throw new InvalidRequestException(ResultReason.INVALID_FIELD, "unreadable encryption.data", null);
        }
        byte[] blob;
        try {
            blob = Base64.getDecoder().decode(sealed.substring(PREFIX.length()));
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException(ResultReason.INVALID_FIELD, "unreadable encryption.data", e);
        }
        if (blob.length < IV + TAG_BITS / 8) {
            throw new InvalidRequestException(ResultReason.INVALID_FIELD, "encryption.data too short", null);
        }
        byte[] key = derive(homeDek);
        byte[] plain = null;
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(TAG_BITS, blob, 0, IV));
            c.updateAAD(aad(vmUuid));
            plain = c.doFinal(blob, IV, blob.length - IV);
            return new LinkedHashMap<>(JSON.readValue(plain, new TypeReference<Map<String, String>>() { }));
        } catch (javax.crypto.AEADBadTagException e) {
            throw new CryptographicFailureException(ResultReason.CRYPTOGRAPHIC_FAILURE,
                    "the VM-home key does not open encryption.data (wrong key or tampered .vmx)", null);
        } catch (GeneralSecurityException | IOException e) {
            throw new CryptographicFailureException(ResultReason.CRYPTOGRAPHIC_FAILURE, "cannot open encryption.data", e);
        } finally {
            SecretBytes.wipe(plain);
            SecretBytes.wipe(key);
        }
    }

    private static byte[] aad(String vmUuid) {
        return ("kekvault/vm/" + vmUuid + "/home/data").getBytes(StandardCharsets.UTF_8);
    }

    /** HKDF-SHA256 (RFC 5869) with an empty salt, 32 bytes out. */
    static byte[] derive(SecretBytes dek) {
        byte[] prk = null;
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(new byte[32], "HmacSHA256"));
            prk = mac.doFinal(dek.expose());
            mac.init(new SecretKeySpec(prk, "HmacSHA256"));
            mac.update(INFO);
            mac.update((byte) 1);
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        } finally {
            SecretBytes.wipe(prk);
        }
    }
}
