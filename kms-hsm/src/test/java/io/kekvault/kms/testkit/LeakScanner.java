package io.kekvault.kms.testkit;

import io.kekvault.secret.SecretScan;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** The tests' name for {@link SecretScan}. */
public final class LeakScanner {
    private LeakScanner() {
    }

    public static List<byte[]> patterns(byte[] secret) {
        return SecretScan.patterns(secret);
    }

    public static List<String> scan(Path root, List<Path> exclude, List<byte[]> secrets) throws IOException {
        return SecretScan.scan(root, exclude, secrets);
    }

    public static long count(Path root) throws IOException {
        return SecretScan.count(root);
    }
}
