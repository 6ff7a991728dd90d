package io.kekvault.kms.op.kmip;

import io.kekvault.kmip.error.CryptographicFailureException;
import io.kekvault.kmip.error.InvalidRequestException;
import io.kekvault.kmip.error.KmsException;
import io.kekvault.kmip.error.LimitExceededException;
import io.kekvault.kmip.error.ResultReason;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.AEADBadTagException;
import javax.crypto.BadPaddingException;
import javax.crypto.Cipher;

/**
 * Multi-part (streaming) Encrypt and Decrypt: KMIP's Init Indicator, Correlation Value and Final
 * Indicator. The cipher state lives between requests, so it runs in software, and only for keys
 * the export policy made extractable (callers check). Each stream is bound to the caller and the
 * key that started it, expires after {@link #TTL}, and at most {@link #MAX_STREAMS} are open at
 * once; a Correlation Value is 16 random bytes and names nothing else.
 */
final class StreamingCipher {
    static final Duration TTL = Duration.ofMinutes(5);
    static final int MAX_STREAMS = 1000;

    private record Stream(String identity, String keyId, Cipher cipher, boolean gcm, int tagBytes, Instant expires) {
    }

    private final Map<String, Stream> streams = new ConcurrentHashMap<>();
    private final SecureRandom random = new SecureRandom();
    private final Clock clock;

    StreamingCipher(Clock clock) {
        this.clock = clock;
    }

    /** Opens a stream for {@code cipher} (initialised) and returns its Correlation Value. */
    byte[] open(String identity, String keyId, Cipher cipher, boolean gcm, int tagBytes) throws KmsException {
        expire();
        if (streams.size() >= MAX_STREAMS) {
            throw new LimitExceededException(ResultReason.SERVER_LIMIT_EXCEEDED, "too many open streaming operations", null);
        }
        byte[] id = new byte[16];
        random.nextBytes(id);
        streams.put(key(id), new Stream(identity, keyId, cipher, gcm, tagBytes, clock.instant().plus(TTL)));
        return id;
    }

    /** The stream's cipher, if {@code correlation} names a live stream of this caller and key. */
    Cipher resume(byte[] correlation, String identity, String keyId) throws KmsException {
        Stream s = streams.get(key(correlation));
        if (s == null || s.expires().isBefore(clock.instant()) || !MessageDigest.isEqual(
                s.identity().getBytes(java.nio.charset.StandardCharsets.UTF_8), identity.getBytes(java.nio.charset.StandardCharsets.UTF_8))
                || !s.keyId().equals(keyId)) {
            throw new InvalidRequestException(ResultReason.INVALID_CORRELATION_VALUE,
                    "no open streaming operation has this Correlation Value for this key", null);
        }
        return s.cipher();
    }

    int tagBytes(byte[] correlation) {
        Stream s = streams.get(key(correlation));
        return s == null ? 16 : s.tagBytes();
    }

    boolean gcm(byte[] correlation) {
        Stream s = streams.get(key(correlation));
        return s != null && s.gcm();
    }

    void close(byte[] correlation) {
        streams.remove(key(correlation));
    }

    static byte[] update(Cipher c, byte[] data) {
        byte[] out = c.update(data);
        return out == null ? new byte[0] : out;
    }

    static byte[] doFinal(Cipher c, byte[] data) throws KmsException {
        try {
            return c.doFinal(data);
        } catch (AEADBadTagException e) {
            throw new CryptographicFailureException("authentication tag check failed");
        } catch (BadPaddingException e) {
            throw new CryptographicFailureException("the padding is invalid");
        } catch (GeneralSecurityException e) {
            throw new InvalidRequestException(ResultReason.INVALID_FIELD, "the data does not fit the cipher mode", null);
        }
    }

    private void expire() {
        Instant now = clock.instant();
        for (Iterator<Stream> it = streams.values().iterator(); it.hasNext(); ) {
            if (it.next().expires().isBefore(now)) {
                it.remove();
            }
        }
    }

    private static String key(byte[] id) {
        return java.util.HexFormat.of().formatHex(id);
    }
}
