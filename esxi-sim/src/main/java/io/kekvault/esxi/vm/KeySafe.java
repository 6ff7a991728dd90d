package io.kekvault.esxi.vm;

import io.kekvault.kmip.error.InvalidRequestException;
import io.kekvault.kmip.error.ResultReason;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A wrapped DEK as stored in a {@code .vmx} ({@code encryption.keySafe}) or a disk descriptor
 * ({@code ddb.keySafe}): the key provider, the KEK id and the KMS's wrapped blob, e.g.
 * {@code kekvault:keysafe/v1/(provider/default,kek/3f2a...,wrapped/AQAk...)}.
 *
 * <p>Holds no clear key material: the blob is AES-256-GCM ciphertext made inside the HSM, bound by
 * its AAD to one VM and component ({@link VmAad}), so copying it elsewhere does not make it
 * usable there.
 */
public record KeySafe(String provider, String kekId, byte[] wrapped) {
    private static final String PREFIX = "kekvault:keysafe/v1/";
    private static final Pattern FORMAT = Pattern.compile(
            Pattern.quote(PREFIX) + "\\(provider/([^,()]+),kek/([^,()]+),wrapped/([A-Za-z0-9+/=]+)\\)");

    public KeySafe {
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(kekId, "kekId");
        Objects.requireNonNull(wrapped, "wrapped");
        wrapped = wrapped.clone();
    }

    @Override
    public byte[] wrapped() {
        return wrapped.clone();
    }

    public String encode() {
        return PREFIX + "(provider/" + enc(provider) + ",kek/" + enc(kekId) + ",wrapped/"
                + Base64.getEncoder().encodeToString(wrapped) + ")";
    }

    public static KeySafe parse(String text) throws InvalidRequestException {
        Matcher m = FORMAT.matcher(text == null ? "" : text.strip());
        if (!m.matches()) {
            throw new InvalidRequestException(ResultReason.INVALID_FIELD, "unreadable keySafe", null);
        }
        try {
            return new KeySafe(dec(m.group(1)), dec(m.group(2)), Base64.getDecoder().decode(m.group(3)));
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException(ResultReason.INVALID_FIELD, "unreadable keySafe", e);
        }
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static String dec(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KeySafe k && provider.equals(k.provider) && kekId.equals(k.kekId)
                && Arrays.equals(wrapped, k.wrapped);
    }

    @Override
    public int hashCode() {
        return Objects.hash(provider, kekId, Arrays.hashCode(wrapped));
    }

    @Override
    public String toString() {
        return "KeySafe[provider=" + provider + ", kek=" + kekId + ", wrapped=" + wrapped.length + " bytes]";
    }
}
