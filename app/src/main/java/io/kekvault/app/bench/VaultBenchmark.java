package io.kekvault.app.bench;

import io.kekvault.kms.vault.KeySpec;
import io.kekvault.kms.vault.KeyVault;
import io.kekvault.kms.vault.KeyVaults;
import io.kekvault.kms.vault.PinSource;
import io.kekvault.kms.vault.VaultConfig;
import io.kekvault.kms.vault.softhsm.SoftHsm;
import io.kekvault.secret.SecretBytes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Comparator;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * In-process wrap and unwrap through each vault backend on a fresh SoftHSM2 token (one per
 * fork). Run with {@code ./kekvault bench vault}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Benchmark)
public class VaultBenchmark {
    @Param({"pkcs11", "sunpkcs11"})
    public String backend;

    @Param({"32", "64"})
    public int dekBytes;

    /** A token other processes change too: SoftHSM2 object calls serialized (Pkcs11Vault). */
    @Param({"false"})
    public boolean sharedToken;

    private Path dir;
    private KeyVault vault;
    private String keyId;
    private SecretBytes dek;
    private byte[] blob;
    private final byte[] aad = "vm-bench/disk-0".getBytes(java.nio.charset.StandardCharsets.UTF_8);

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        SoftHsm.requireInstalled();
        dir = Files.createTempDirectory("kekvault-bench-");
        Path conf = SoftHsm.writeConfig(dir);
        SoftHsm.useConfig(conf);
        SecureRandom random = new SecureRandom();
        char[] so = SoftHsm.randomPin(random);
        char[] pin = SoftHsm.randomPin(random);
        Path pinFile = dir.resolve("token-pin");
        SoftHsm.writePinFile(pinFile, pin);
        SoftHsm.initToken("bench", so, pin);
        java.util.Arrays.fill(so, '\0');
        java.util.Arrays.fill(pin, '\0');
        vault = KeyVaults.open(new VaultConfig(backend, SoftHsm.MODULE, "bench", new PinSource.File(pinFile),
                Math.max(4, 2 * Runtime.getRuntime().availableProcessors()), Map.of(), sharedToken));
        keyId = UUID.randomUUID().toString();
        vault.generate(keyId, KeySpec.kek());
        dek = SecretBytes.random(dekBytes, random);
        blob = vault.wrap(keyId, dek, aad);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        dek.close();
        vault.close();
        try (var walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Benchmark
    public byte[] wrap() throws Exception {
        return vault.wrap(keyId, dek, aad);
    }

    @Benchmark
    public int unwrap() throws Exception {
        try (SecretBytes out = vault.unwrap(keyId, blob, aad)) {
            return out.length();
        }
    }
}
