package io.kekvault.secret;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * Searches files for secret bytes in every form they could be written: raw, hex (lower and upper
 * case), base64 and base64url at each of the three byte alignments a longer encoding could give.
 * Used by the leak tests and by the demo's final check; it reports file names and pattern lengths,
 * never the secrets.
 */
public final class SecretScan {
    private SecretScan() {
    }

    /** The byte patterns that reveal {@code secret}. */
    public static List<byte[]> patterns(byte[] secret) {
        List<byte[]> out = new ArrayList<>();
        out.add(secret.clone());
        out.add(HexFormat.of().formatHex(secret).getBytes(StandardCharsets.US_ASCII));
        out.add(HexFormat.of().withUpperCase().formatHex(secret).getBytes(StandardCharsets.US_ASCII));
        for (int shift = 0; shift < 3; shift++) {
            int len = (secret.length - shift) / 3 * 3;
            if (len < 12) {
                continue;
            }
            byte[] aligned = Arrays.copyOfRange(secret, shift, shift + len);
            out.add(Base64.getEncoder().encode(aligned));
            out.add(Base64.getUrlEncoder().withoutPadding().encode(aligned));
        }
        return out;
    }

    /** Files under {@code root} (skipping {@code exclude}) that contain any pattern of any secret. */
    public static List<String> scan(Path root, List<Path> exclude, List<byte[]> secrets) throws IOException {
        List<byte[]> all = new ArrayList<>();
        secrets.forEach(s -> all.addAll(patterns(s)));
        List<String> hits = new ArrayList<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                if (exclude.stream().anyMatch(f::startsWith)) {
                    continue;
                }
                byte[] content = Files.readAllBytes(f);
                for (byte[] p : all) {
                    if (indexOf(content, p) >= 0) {
                        hits.add(root.relativize(f) + " contains a secret pattern of length " + p.length);
                    }
                }
            }
        }
        return hits;
    }

    /** Number of regular files scanned under {@code root}, for the test's own sanity. */
    public static long count(Path root) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(Files::isRegularFile).count();
        }
    }

    static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i <= hay.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
