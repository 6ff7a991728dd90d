package io.kekvault.kmip.http;

import com.fasterxml.jackson.core.Base64Variants;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * The JSON shape of wrap/unwrap/rewrap bodies, written by the KMS and by its clients alike:
 * {@code {"keyId": .., <fields>}} for one item, {@code {"keyId": .., "items": [{<fields>}]}} for a
 * batch. Byte values are written as base64 straight from the arrays (no String copy of a DEK);
 * null values are left out.
 */
public final class DekJson {
    private static final JsonFactory FACTORY = new JsonFactory();

    private DekJson() {
    }

    /** @param keyId written first when not null; values are {@code byte[]} (base64) or strings */
    public static byte[] write(String keyId, boolean batch, List<? extends Map<String, ?>> items) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(64 + items.size() * 160);
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            g.writeStartObject();
            if (keyId != null) {
                g.writeStringField("keyId", keyId);
            }
            if (batch) {
                g.writeArrayFieldStart("items");
            }
            for (Map<String, ?> item : items) {
                if (batch) {
                    g.writeStartObject();
                }
                for (var e : item.entrySet()) {
                    if (e.getValue() instanceof byte[] b) {
                        g.writeFieldName(e.getKey());
                        g.writeBinary(Base64Variants.MIME_NO_LINEFEEDS, b, 0, b.length);
                    } else if (e.getValue() != null) {
                        g.writeStringField(e.getKey(), String.valueOf(e.getValue()));
                    }
                }
                if (batch) {
                    g.writeEndObject();
                }
            }
            if (batch) {
                g.writeEndArray();
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toByteArray();
    }
}
