package io.kekvault.esxi.crypto;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads NIST CAVP-style {@code .rsp} XTS vector files ("data unit seq no" form) from test resources. */
record XtsVectors(String name, int dataUnitBytes, byte[] key, long unitNumber, byte[] plaintext, byte[] ciphertext) {

    @Override
    public String toString() {
        return name;
    }

    static List<XtsVectors> load(String resource) throws IOException {
        String text;
        try (InputStream in = XtsVectors.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException("missing test resource " + resource);
            }
            text = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        }
        List<XtsVectors> out = new ArrayList<>();
        Map<String, String> fields = new LinkedHashMap<>();
        for (String raw : (text + "\n\n").split("\n", -1)) {
            String line = raw.strip();
            if (line.startsWith("#") || line.startsWith("[")) {
                continue;
            }
            if (line.isEmpty()) {
                if (!fields.isEmpty()) {
                    out.add(of(resource, fields));
                    fields.clear();
                }
                continue;
            }
            int eq = line.indexOf('=');
            fields.put(line.substring(0, eq).strip(), line.substring(eq + 1).strip());
        }
        return out;
    }

    private static XtsVectors of(String resource, Map<String, String> f) {
        HexFormat hex = HexFormat.of();
        int bits = Integer.parseInt(f.get("DataUnitLen"));
        return new XtsVectors(resource.substring(resource.lastIndexOf('/') + 1) + "#" + f.get("COUNT"),
                bits / 8, hex.parseHex(f.get("Key")), Long.parseUnsignedLong(f.get("DataUnitSeqNumber")),
                hex.parseHex(f.get("PT")), hex.parseHex(f.get("CT")));
    }
}
