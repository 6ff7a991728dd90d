package io.kekvault.kms.vault;

import io.kekvault.kms.vault.softhsm.SoftHsm;
import io.kekvault.secret.SecretBytes;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;

/**
 * Second process for multi-process tests: opens a vault on an existing token and either unwraps
 * a blob, or wraps a random DEK of the given length; it prints SHA-256 digests, never a DEK.
 * Args: backend label pinFile op(unwrap|wrap-random) keyId (blobHex|length) aadHex, or
 * backend label pinFile generate keyId (makes an AES-256 key and prints "created"), or
 * backend label pinFile generate-many prefix count (makes count keys with 2 threads, printing
 * "created ID" for each; a failure ends the process with a stack trace and exit 1), or
 * backend label pinFile generate-on-demand - (prints "ready", then makes one AES-256 key for each
 * identifier read from stdin, printing "created ID", until stdin ends).
 */
public final class VaultChildMain {
    public static void main(String[] args) throws Exception {
        String backend = args[0];
        VaultConfig cfg = new VaultConfig(backend, SoftHsm.MODULE, args[1], new PinSource.File(Path.of(args[2])), 2, Map.of(), true);
        HexFormat hex = HexFormat.of();
        try (KeyVault vault = KeyVaults.open(cfg)) {
            String keyId = args[4];
            if (args[3].equals("generate-many")) {
                generateMany(vault, Integer.parseInt(args[5]));
                return;
            }
            if (args[3].equals("generate-on-demand")) {
                generateOnDemand(vault);
                return;
            }
            if (args[3].equals("generate")) {
                vault.generate(keyId, new KeySpec(KeyAlgorithm.AES, 256, false));
                System.out.println("created");
                return;
            }
            byte[] aad = hex.parseHex(args[6]);
            if (vault.find(keyId).isEmpty()) {
                System.out.println("missing");
                return;
            }
            switch (args[3]) {
                case "unwrap" -> {
                    try (SecretBytes dek = vault.unwrap(keyId, hex.parseHex(args[5]), aad)) {
                        System.out.println("sha256=" + hex.formatHex(MessageDigest.getInstance("SHA-256").digest(dek.expose())));
                    }
                }
                case "wrap-random" -> {
                    try (SecretBytes dek = SecretBytes.random(Integer.parseInt(args[5]), new java.security.SecureRandom())) {
                        System.out.println("blob=" + hex.formatHex(vault.wrap(keyId, dek, aad)));
                        System.out.println("sha256=" + hex.formatHex(MessageDigest.getInstance("SHA-256").digest(dek.expose())));
                    }
                }
                default -> throw new IllegalArgumentException(args[3]);
            }
        }
    }

    private static void generateOnDemand(KeyVault vault) throws Exception {
        System.out.println("ready");
        var in = new java.io.BufferedReader(new java.io.InputStreamReader(System.in, java.nio.charset.StandardCharsets.UTF_8));
        for (String line; (line = in.readLine()) != null; ) {
            String id = line.trim();
            vault.generate(id, new KeySpec(KeyAlgorithm.AES, 256, false));
            System.out.println("created " + id);
        }
    }

    private static void generateMany(KeyVault vault, int count) throws Exception {
        try (var pool = java.util.concurrent.Executors.newFixedThreadPool(2)) {
            java.util.List<java.util.concurrent.Future<String>> made = new java.util.ArrayList<>();
            for (int i = 0; i < count; i++) {
                made.add(pool.submit(() -> {
                    String id = java.util.UUID.randomUUID().toString();
                    vault.generate(id, new KeySpec(KeyAlgorithm.AES, 256, false));
                    return id;
                }));
            }
            for (var f : made) {
                System.out.println("created " + f.get());
            }
        }
    }
}
