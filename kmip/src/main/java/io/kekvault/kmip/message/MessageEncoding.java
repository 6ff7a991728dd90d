package io.kekvault.kmip.message;

import io.kekvault.kmip.error.KmsException;
import io.kekvault.kmip.ttlv.KmipJson;
import io.kekvault.kmip.ttlv.KmipXml;
import io.kekvault.kmip.ttlv.TextCodecOptions;
import io.kekvault.kmip.ttlv.TtlvDecoder;
import io.kekvault.kmip.ttlv.TtlvEncoder;
import io.kekvault.kmip.ttlv.TtlvItem;
import io.kekvault.kmip.ttlv.TtlvLimits;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;

/**
 * The three KMIP message encodings, for the front ends: binary TTLV (port 5696), and XML and
 * JSON (the KMIP Profiles' message encodings, {@code POST /kmip}). Decoding applies the limits
 * before allocating and returns typed errors only.
 */
public enum MessageEncoding {
    TTLV("application/octet-stream"),
    XML("text/xml"),
    JSON("application/json");

    private final String mediaType;

    MessageEncoding(String mediaType) {
        this.mediaType = mediaType;
    }

    /** The Content-Type to send ({@code text/xml} and {@code application/json} as in the KMIP HTTPS profile). */
    public String mediaType() {
        return mediaType;
    }

    /** The encoding for a Content-Type header (parameters ignored), if it is one of the three. */
    public static Optional<MessageEncoding> forMediaType(String contentType) {
        if (contentType == null) {
            return Optional.empty();
        }
        String t = contentType.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
        return switch (t) {
            case "application/octet-stream", "application/x-kmip", "application/kmip" -> Optional.of(TTLV);
            case "text/xml", "application/xml" -> Optional.of(XML);
            case "application/json" -> Optional.of(JSON);
            default -> Optional.empty();
        };
    }

    public TtlvItem decodeItem(byte[] body, TtlvLimits limits) throws KmsException {
        return switch (this) {
            case TTLV -> TtlvDecoder.decode(body, limits);
            case XML -> KmipXml.read(new ByteArrayInputStream(body), new TextCodecOptions(limits, false));
            case JSON -> KmipJson.read(new ByteArrayInputStream(body), new TextCodecOptions(limits, false));
        };
    }

    public byte[] encodeItem(TtlvItem item) {
        return switch (this) {
            case TTLV -> TtlvEncoder.encode(item);
            case XML -> KmipXml.write(item).getBytes(StandardCharsets.UTF_8);
            case JSON -> KmipJson.write(item).getBytes(StandardCharsets.UTF_8);
        };
    }

    public RequestMessage decodeRequest(byte[] body, TtlvLimits limits) throws KmsException {
        return RequestMessage.fromTtlv(decodeItem(body, limits));
    }

    public ResponseMessage decodeResponse(byte[] body, TtlvLimits limits) throws KmsException {
        return ResponseMessage.fromTtlv(decodeItem(body, limits));
    }

    public byte[] encode(RequestMessage m) {
        return encodeItem(m.toTtlv());
    }

    public byte[] encode(ResponseMessage m) {
        return encodeItem(m.toTtlv());
    }
}
