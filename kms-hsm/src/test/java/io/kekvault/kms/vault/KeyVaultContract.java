package io.kekvault.kms.vault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kekvault.kmip.error.ConflictException;
import io.kekvault.kmip.error.CryptographicFailureException;
import io.kekvault.kmip.error.InvalidRequestException;
import io.kekvault.kmip.error.NotExtractableException;
import io.kekvault.kmip.error.NotFoundException;
import io.kekvault.kmip.error.UnsupportedException;
import io.kekvault.kms.testkit.ChildJvm;
import io.kekvault.kms.testkit.SoftHsmExtension;
import io.kekvault.kms.testkit.SoftHsmToken;
import io.kekvault.secret.SecretBytes;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.xipki.pkcs11.wrapper.PKCS11Module;

/**
 * The contract every {@link KeyVault} backend passes on a real SoftHSM2 token. One subclass per
 * backend; each runs in its own JVM with its own token.
 */
@ExtendWith(SoftHsmExtension.class)
abstract class KeyVaultContract {
    private static final HexFormat HEX = HexFormat.of();
    static SoftHsmToken token;
    static KeyVault vault;
    static long seed;
    Random random;

    abstract String backend();

    @BeforeAll
    static void recordToken(SoftHsmToken t) {
        token = t;
        vault = null;
        seed = System.nanoTime();
        System.out.println("[contract] seed=" + seed);
    }

    @BeforeEach
    void openVault() throws Exception {
        if (vault == null) {
            vault = token.openVault(backend());
        }
        random = new Random(seed);
    }

    private static String newId() {
        return UUID.randomUUID().toString();
    }

    private SecretBytes dek(int len) {
        byte[] b = new byte[len];
        random.nextBytes(b);
        return SecretBytes.adopt(b);
    }

    private String pkcs11Tool(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("pkcs11-tool", "--module", token.module().toString(),
                "--token-label", token.label(), "--login", "--pin", Files.readString(token.pinFile()).trim()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().putAll(token.env());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("pkcs11-tool finished").isTrue();
        return "exit=" + p.exitValue() + "\n" + out;
    }

    @Test
    void generatedKek_readsBackSensitiveAndNeverExtractable() throws Exception {
        String id = newId();
        HsmKeyInfo created = vault.generate(id, KeySpec.kek());
        HsmKeyInfo found = vault.find(id).orElseThrow();
        for (HsmKeyInfo info : List.of(created, found)) {
            assertThat(info.sensitive()).isTrue();
            assertThat(info.extractable()).isFalse();
            assertThat(info.neverExtractable()).isTrue();
            assertThat(info.alwaysSensitive()).isTrue();
            assertThat(info.token()).isTrue();
            assertThat(info.privateObject()).isTrue();
            assertThat(info.algorithm()).isEqualTo(KeyAlgorithm.AES);
            assertThat(info.valueLengthBytes()).isEqualTo(32);
            assertThat(info.label()).isEqualTo(KeyLabels.label(id));
            assertThat(info.isProtectedKek()).isTrue();
        }
        assertThat(vault.list()).contains(id);
    }

    @Test
    void generatedKek_pkcs11ToolShowsItNeverExtractableAndCannotReadIt() throws Exception {
        String id = newId();
        vault.generate(id, KeySpec.kek());
        String listing = pkcs11Tool("--list-objects", "--type", "secrkey");
        assertThat(listing).startsWith("exit=0");
        int at = listing.indexOf("label:      " + KeyLabels.label(id));
        assertThat(at).as("pkcs11-tool lists the KEK:\n%s", listing).isGreaterThan(0);
        int start = listing.lastIndexOf("Secret Key Object", at);
        int end = listing.indexOf("Secret Key Object", at);
        String object = listing.substring(start, end < 0 ? listing.length() : end);
        assertThat(object).contains("AES length 32").contains("never extractable").contains("sensitive")
                .doesNotContain("  extractable").contains("ID:         " + HEX.formatHex(KeyLabels.id(id)));
        String read = pkcs11Tool("--read-object", "--type", "secrkey", "--label", KeyLabels.label(id));
        assertThat(read).as("reading the KEK value must fail:\n%s", read).doesNotStartWith("exit=0");
        assertThatThrownBy(() -> vault.exportKey(id)).isInstanceOf(NotExtractableException.class)
                .hasMessageContaining("never leaves the HSM");
    }

    @Test
    void wrapThenUnwrap_returnsTheDek() throws Exception {
        String id = newId();
        vault.generate(id, KeySpec.kek());
        for (int len : new int[] {32, 64, 1, 1024}) {
            byte[] aad = ("vm-" + len).getBytes(StandardCharsets.UTF_8);
            try (SecretBytes dek = dek(len)) {
                byte[] blob = vault.wrap(id, dek, aad);
                assertThat(WrappedKeyFormat.keyIdOf(blob)).isEqualTo(id);
                assertThat(blob.length).isEqualTo(5 + id.length() + 12 + len + 16);
                try (SecretBytes back = vault.unwrap(id, blob, aad)) {
                    assertThat(back.contentEquals(dek)).isTrue();
                }
                byte[] again = vault.wrap(id, dek, aad);
                assertThat(again).as("a fresh IV per wrap").isNotEqualTo(blob);
            }
        }
    }

    @Test
    void wrap_refusesEmptyAndOversizedDeks() throws Exception {
        String id = newId();
        vault.generate(id, KeySpec.kek());
        assertThatThrownBy(() -> vault.wrap(id, SecretBytes.adopt(new byte[0]), null)).isInstanceOf(InvalidRequestException.class);
        assertThatThrownBy(() -> vault.wrap(id, SecretBytes.adopt(new byte[1025]), null)).isInstanceOf(InvalidRequestException.class);
    }

    @Test
    void unwrap_failsWithTypedErrors_forEveryKindOfBadBlob() throws Exception {
        String id = newId();
        String other = newId();
        vault.generate(id, KeySpec.kek());
        vault.generate(other, KeySpec.kek());
        byte[] aad = "vm-42/disk-0".getBytes(StandardCharsets.UTF_8);
        byte[] blob;
        try (SecretBytes dek = dek(64)) {
            blob = vault.wrap(id, dek, aad);
        }
        byte[] good = blob;
        // wrong AAD
        assertThatThrownBy(() -> vault.unwrap(id, good, "vm-43/disk-0".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(CryptographicFailureException.class);
        assertThatThrownBy(() -> vault.unwrap(id, good, null)).isInstanceOf(CryptographicFailureException.class);
        // another KEK, with the blob as is, and with its header rewritten to name the other KEK
        assertThatThrownBy(() -> vault.unwrap(other, good, aad)).isInstanceOf(CryptographicFailureException.class);
        byte[] renamed = WrappedKeyFormat.assemble(WrappedKeyFormat.header(other),
                java.util.Arrays.copyOfRange(good, 5 + id.length(), 5 + id.length() + 12),
                java.util.Arrays.copyOfRange(good, 5 + id.length() + 12, good.length));
        assertThatThrownBy(() -> vault.unwrap(other, renamed, aad)).isInstanceOf(CryptographicFailureException.class);
        // a flipped bit anywhere after the magic/version: algorithm byte, identifier, IV, ciphertext, tag
        int[] positions = {3, 5, 5 + id.length() - 1, 5 + id.length(), 5 + id.length() + 11,
            5 + id.length() + 12, good.length - 17, good.length - 1};
        for (int pos : positions) {
            byte[] flipped = good.clone();
            flipped[pos] ^= (byte) (1 << random.nextInt(8));
            assertThatThrownBy(() -> vault.unwrap(id, flipped, aad)).as("bit flipped at %d", pos)
                    .isInstanceOfAny(CryptographicFailureException.class, UnsupportedException.class);
        }
        // truncated anywhere
        for (int len : new int[] {0, 2, 4, 5 + id.length(), 5 + id.length() + 12, good.length - 1}) {
            byte[] cut = java.util.Arrays.copyOf(good, len);
            assertThatThrownBy(() -> vault.unwrap(id, cut, aad)).as("truncated to %d", len)
                    .isInstanceOfAny(InvalidRequestException.class, CryptographicFailureException.class);
        }
        // a future format version
        byte[] future = good.clone();
        future[2] = 2;
        assertThatThrownBy(() -> vault.unwrap(id, future, aad)).isInstanceOf(UnsupportedException.class)
                .hasMessageContaining("version 2");
        // not a Kekvault blob at all
        byte[] junk = good.clone();
        junk[0] = 'X';
        assertThatThrownBy(() -> vault.unwrap(id, junk, aad)).isInstanceOf(InvalidRequestException.class);
        // and the good blob still unwraps: nothing above changed state
        vault.unwrap(id, good, aad).close();
    }

    @Test
    void unknownKey_isNotFound_forEveryOperation() throws Exception {
        String missing = newId();
        assertThat(vault.find(missing)).isEmpty();
        assertThatThrownBy(() -> vault.wrap(missing, dek(32), null)).isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> vault.destroy(missing)).isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> vault.exportKey(missing)).isInstanceOf(NotFoundException.class);
    }

    @Test
    void generate_refusesAnIdentifierAlreadyInUse() throws Exception {
        String id = newId();
        vault.generate(id, KeySpec.kek());
        assertThatThrownBy(() -> vault.generate(id, KeySpec.kek())).isInstanceOf(ConflictException.class);
        assertThat(vault.list().stream().filter(id::equals).count()).isEqualTo(1);
    }

    @Test
    void destroy_removesTheHsmObject() throws Exception {
        String id = newId();
        vault.generate(id, KeySpec.kek());
        byte[] blob = vault.wrap(id, dek(32), null);
        vault.destroy(id);
        assertThat(vault.find(id)).isEmpty();
        assertThat(vault.list()).doesNotContain(id);
        assertThatThrownBy(() -> vault.unwrap(id, blob, null)).isInstanceOf(NotFoundException.class);
        assertThat(pkcs11Tool("--list-objects", "--type", "secrkey")).doesNotContain(KeyLabels.label(id));
    }

    @Test
    void importedExtractableKey_exportsItsValue_andComputesLikeJce() throws Exception {
        String id = newId();
        byte[] raw = new byte[32];
        random.nextBytes(raw);
        try (SecretBytes material = SecretBytes.copyOf(raw)) {
            HsmKeyInfo info = vault.importKey(id, new KeySpec(KeyAlgorithm.AES, 256, true), material);
            assertThat(info.extractable()).isTrue();
        }
        try (SecretBytes exported = vault.exportKey(id)) {
            assertThat(exported.expose()).isEqualTo(raw);
        }
        SecretKeySpec jceKey = new SecretKeySpec(raw, "AES");
        byte[] data = new byte[48];
        random.nextBytes(data);
        byte[] iv = new byte[16];
        random.nextBytes(iv);
        // CBC
        Cipher jce = Cipher.getInstance("AES/CBC/NoPadding");
        jce.init(Cipher.ENCRYPT_MODE, jceKey, new IvParameterSpec(iv));
        CipherResult cbc = vault.encrypt(id, CipherParams.of(CipherParams.CipherMode.CBC, iv), data);
        assertThat(cbc.data()).isEqualTo(jce.doFinal(data));
        assertThat(vault.decrypt(id, CipherParams.of(CipherParams.CipherMode.CBC, iv), cbc.data()).data()).isEqualTo(data);
        // CBC with padding, on data that is not a block multiple
        byte[] odd = java.util.Arrays.copyOf(data, 37);
        jce = Cipher.getInstance("AES/CBC/PKCS5Padding");
        jce.init(Cipher.ENCRYPT_MODE, jceKey, new IvParameterSpec(iv));
        CipherResult pad = vault.encrypt(id, CipherParams.of(CipherParams.CipherMode.CBC_PAD, iv), odd);
        assertThat(pad.data()).isEqualTo(jce.doFinal(odd));
        assertThat(vault.decrypt(id, CipherParams.of(CipherParams.CipherMode.CBC_PAD, iv), pad.data()).data()).isEqualTo(odd);
        // ECB
        jce = Cipher.getInstance("AES/ECB/NoPadding");
        jce.init(Cipher.ENCRYPT_MODE, jceKey);
        assertThat(vault.encrypt(id, CipherParams.of(CipherParams.CipherMode.ECB, null), data).data()).isEqualTo(jce.doFinal(data));
        // GCM with AAD
        byte[] nonce = java.util.Arrays.copyOf(iv, 12);
        byte[] aad = "aad".getBytes(StandardCharsets.UTF_8);
        CipherParams gcm = new CipherParams(CipherParams.CipherMode.GCM, nonce, aad, 128, null);
        CipherResult g = vault.encrypt(id, gcm, data);
        jce = Cipher.getInstance("AES/GCM/NoPadding");
        jce.init(Cipher.ENCRYPT_MODE, jceKey, new GCMParameterSpec(128, nonce));
        jce.updateAAD(aad);
        byte[] expect = jce.doFinal(data);
        assertThat(g.data()).isEqualTo(java.util.Arrays.copyOf(expect, 48));
        assertThat(g.tag()).isEqualTo(java.util.Arrays.copyOfRange(expect, 48, 64));
        CipherParams withTag = new CipherParams(CipherParams.CipherMode.GCM, nonce, aad, 128, g.tag());
        assertThat(vault.decrypt(id, withTag, g.data()).data()).isEqualTo(data);
        byte[] badTag = g.tag().clone();
        badTag[0] ^= 1;
        assertThatThrownBy(() -> vault.decrypt(id, new CipherParams(CipherParams.CipherMode.GCM, nonce, aad, 128, badTag), g.data()))
                .isInstanceOf(CryptographicFailureException.class);
        // bad input is refused before the HSM sees it
        assertThatThrownBy(() -> vault.encrypt(id, CipherParams.of(CipherParams.CipherMode.CBC, new byte[3]), data))
                .isInstanceOf(InvalidRequestException.class);
        assertThatThrownBy(() -> vault.encrypt(id, CipherParams.of(CipherParams.CipherMode.ECB, null), odd))
                .isInstanceOf(InvalidRequestException.class);
    }

    @Test
    void importedNonExtractableKey_refusesExport() throws Exception {
        String id = newId();
        try (SecretBytes material = dek(32)) {
            HsmKeyInfo info = vault.importKey(id, new KeySpec(KeyAlgorithm.AES, 256, false), material);
            assertThat(info.sensitive()).isTrue();
            assertThat(info.extractable()).isFalse();
        }
        assertThatThrownBy(() -> vault.exportKey(id)).isInstanceOf(NotExtractableException.class);
    }

    @Test
    void des3Key_encryptsLikeJce() throws Exception {
        String id = newId();
        byte[] raw = new byte[24];
        random.nextBytes(raw);
        try (SecretBytes material = SecretBytes.copyOf(raw)) {
            vault.importKey(id, new KeySpec(KeyAlgorithm.DES3, 192, true), material);
        }
        byte[] data = new byte[16];
        random.nextBytes(data);
        Cipher jce = Cipher.getInstance("DESede/ECB/NoPadding");
        jce.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(raw, "DESede"));
        assertThat(vault.encrypt(id, CipherParams.of(CipherParams.CipherMode.ECB, null), data).data()).isEqualTo(jce.doFinal(data));
    }

    @Test
    void eightThreads_tenThousandWrapsAndUnwrapsEach_allCorrect_noSessionLeak() throws Exception {
        String id = newId();
        vault.generate(id, KeySpec.kek());
        VaultStats before = vault.stats();
        int threads = 8;
        int perThread = 10_000;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<Integer>> results = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            long threadSeed = seed + t;
            results.add(pool.submit(() -> {
                Random r = new Random(threadSeed);
                byte[] aad = new byte[16];
                int ok = 0;
                for (int i = 0; i < perThread; i++) {
                    byte[] raw = new byte[(i & 1) == 0 ? 32 : 64];
                    r.nextBytes(raw);
                    r.nextBytes(aad);
                    try (SecretBytes dek = SecretBytes.adopt(raw);
                         SecretBytes back = vault.unwrap(id, vault.wrap(id, dek, aad), aad)) {
                        if (back.contentEquals(dek)) {
                            ok++;
                        }
                    }
                }
                return ok;
            }));
        }
        int total = 0;
        for (Future<Integer> f : results) {
            total += f.get(10, TimeUnit.MINUTES);
        }
        pool.shutdown();
        assertThat(total).isEqualTo(threads * perThread);
        VaultStats after = vault.stats();
        System.out.println("[contract] " + backend() + " stats before=" + before + " after=" + after);
        assertThat(after.sessionsOpen()).isLessThanOrEqualTo(Math.max(after.sessionsMax(), -1));
        assertThat(after.sessionsDiscarded()).isEqualTo(before.sessionsDiscarded());
        assertThat(after.moduleRecoveries()).isEqualTo(before.moduleRecoveries());
        assertThat(after.sessionsIdle()).isEqualTo(after.sessionsOpen());
    }

    @Test
    void secondJvm_findsAndUsesAKekTheFirstCreated() throws Exception {
        String id = newId();
        vault.generate(id, KeySpec.kek());
        byte[] aad = "shared-aad".getBytes(StandardCharsets.UTF_8);
        String digest;
        byte[] blob;
        try (SecretBytes dek = dek(64)) {
            blob = vault.wrap(id, dek, aad);
            digest = HEX.formatHex(MessageDigest.getInstance("SHA-256").digest(dek.expose()));
        }
        String pin = token.pinFile().toString();
        String out = ChildJvm.run(VaultChildMain.class, token.env(), backend(), token.label(), pin,
                "unwrap", id, HEX.formatHex(blob), HEX.formatHex(aad));
        assertThat(out).contains("sha256=" + digest);
        // and the other way round: the child wraps, this process unwraps
        String wrapped = ChildJvm.run(VaultChildMain.class, token.env(), backend(), token.label(), pin,
                "wrap-random", id, "64", HEX.formatHex(aad));
        String childBlob = wrapped.lines().filter(l -> l.startsWith("blob=")).findFirst().orElseThrow().substring(5);
        String childDigest = wrapped.lines().filter(l -> l.startsWith("sha256=")).findFirst().orElseThrow().substring(7);
        try (SecretBytes back = vault.unwrap(id, HEX.parseHex(childBlob), aad)) {
            assertThat(HEX.formatHex(MessageDigest.getInstance("SHA-256").digest(back.expose()))).isEqualTo(childDigest);
        }
    }

    /** Another handle on the same library, to break things behind the vault's back. */
    private static PKCS11Module saboteur() throws Exception {
        return PKCS11Module.getInstance(token.module().toString());
    }

    private static long slotOfToken(PKCS11Module m) throws Exception {
        for (var s : m.getSlotList(true)) {
            if (token.label().equals(s.getToken().getTokenInfo().getLabel().trim())) {
                return s.getSlotID();
            }
        }
        throw new AssertionError("token not found");
    }

    @Test
    void sessionsClosedBehindThePoolsBack_areRecoveredOnTheNextCall() throws Exception {
        String id = newId();
        vault.generate(id, KeySpec.kek());
        byte[] blob = vault.wrap(id, dek(32), null);
        PKCS11Module m = saboteur();
        m.getPKCS11Module().C_CloseAllSessions(slotOfToken(m));
        // the very next call works, without a restart
        vault.unwrap(id, blob, null).close();
        assertThat(vault.find(id)).isPresent();
        vault.wrap(id, dek(32), null);
        assertThat(vault.health().up()).isTrue();
    }

    @Test
    void moduleFinalisedBehindTheVaultsBack_isReinitialisedOnTheNextCall() throws Exception {
        String id = newId();
        vault.generate(id, KeySpec.kek());
        byte[] blob = vault.wrap(id, dek(32), null);
        long recoveriesBefore = vault.stats().moduleRecoveries();
        PKCS11Module m = saboteur();
        m.getPKCS11Module().C_Finalize(null);
        vault.unwrap(id, blob, null).close();
        assertThat(vault.find(id)).isPresent();
        assertThat(vault.stats().moduleRecoveries()).isGreaterThan(recoveriesBefore);
    }
}
