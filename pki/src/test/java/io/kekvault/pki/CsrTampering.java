package io.kekvault.pki;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** Edits a CSR's signed content without re-signing it. */
final class CsrTampering {

    private CsrTampering() {
    }

    /** Replaces the first occurrence of {@code from} in the DER (same length) and re-wraps it as PEM. */
    static String renameSubject(String csrPem, String from, String to) {
        if (from.length() != to.length()) {
            throw new IllegalArgumentException("same length keeps the DER structure valid");
        }
        String body = csrPem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        byte[] der = Base64.getDecoder().decode(body);
        byte[] needle = from.getBytes(StandardCharsets.US_ASCII);
        int at = indexOf(der, needle);
        if (at < 0) {
            throw new IllegalArgumentException("'" + from + "' not found in the CSR");
        }
        System.arraycopy(to.getBytes(StandardCharsets.US_ASCII), 0, der, at, needle.length);
        return "-----BEGIN CERTIFICATE REQUEST-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END CERTIFICATE REQUEST-----\n";
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
