package io.kekvault.pki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PkiServiceTest {

    private final PkiService pki = new PkiService();

    @TempDir
    Path tmp;

    private static String mode(Path file) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(file));
    }

    /** Every regular file's bytes and modification time, by name. */
    private static Map<String, String> snapshot(Path dir) throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.toList()) {
                out.put(f.getFileName().toString(), Files.getLastModifiedTime(f) + " "
                        + java.util.HexFormat.of().formatHex(Files.readAllBytes(f)));
            }
        }
        return out;
    }

    @Test
    void init_createsOwnerOnlyFilesAndDirectory() throws Exception {
        Path dir = tmp.resolve("pki");
        InitResult result = pki.init(dir, InitOptions.defaults());

        assertThat(mode(dir)).isEqualTo("rwx------");
        for (String name : List.of("ca.pem", "ca.key", "server.pem", "server.key", "roles.properties")) {
            assertThat(dir.resolve(name)).exists();
            assertThat(mode(dir.resolve(name))).as(name).isEqualTo("rw-------");
        }
        assertThat(Files.readString(dir.resolve("ca.key"))).startsWith("-----BEGIN PRIVATE KEY-----\n");
        assertThat(result.ca().certificateAuthority()).isTrue();
        assertThat(result.ca().keyUsage()).containsExactly("keyCertSign", "cRLSign");
        assertThat(result.server().extendedKeyUsage()).containsExactly("serverAuth");
        assertThat(result.server().keyUsage()).containsExactly("digitalSignature");
        assertThat(result.server().subjectAltNames())
                .containsExactly("DNS:localhost", "IP:127.0.0.1", "IP:0:0:0:0:0:0:0:1");
        assertThat(result.server().issuedByCa()).isTrue();
        assertThat(result.server().publicKey()).isEqualTo("EC P-256");
        // No temporary files left behind.
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".tmp"));
        }
    }

    @Test
    void init_whenCaExists_refusesAndChangesNothing() throws Exception {
        Path dir = tmp.resolve("pki");
        pki.init(dir, InitOptions.defaults());
        pki.issue(dir, "esxi-h1", "host", IssueOptions.defaults());
        Map<String, String> before = snapshot(dir);

        assertThatThrownBy(() -> pki.init(dir, InitOptions.defaults().withExtraSans(List.of("kms.example"))))
                .isInstanceOf(PkiException.class)
                .hasMessageContaining("a CA already exists")
                .extracting(e -> ((PkiException) e).reason()).isEqualTo(PkiException.Reason.ALREADY_EXISTS);

        assertThat(snapshot(dir)).isEqualTo(before);
    }

    @Test
    void init_whenOnlyCaKeyExists_stillRefuses() throws Exception {
        Path dir = tmp.resolve("pki");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("ca.key"), "placeholder");

        assertThatThrownBy(() -> pki.init(dir, InitOptions.defaults()))
                .isInstanceOf(PkiException.class).hasMessageContaining("a CA already exists");
        assertThat(Files.readString(dir.resolve("ca.key"))).isEqualTo("placeholder");
        assertThat(dir.resolve("ca.pem")).doesNotExist();
    }

    @Test
    void init_withForce_replacesCaAndServer() throws Exception {
        Path dir = tmp.resolve("pki");
        InitResult first = pki.init(dir, InitOptions.defaults());
        InitResult second = pki.init(dir, InitOptions.defaults().withForce(true));

        assertThat(second.ca().sha256Fingerprint()).isNotEqualTo(first.ca().sha256Fingerprint());
        assertThat(second.server().issuer()).isEqualTo(second.ca().subject());
        assertThat(CertificateInfo.fingerprint(Pem.readCertificate(dir.resolve("ca.pem"))))
                .isEqualTo(second.ca().sha256Fingerprint());
    }

    @Test
    void init_withExtraSans_addsThemAfterTheDefaults() throws Exception {
        InitResult result = pki.init(tmp.resolve("pki"), InitOptions.defaults()
                .withExtraSans(List.of("DNS:kms1.lab.example", "IP:10.1.2.3", "kms2.lab.example", "192.168.0.9",
                        "localhost")));

        assertThat(result.server().subjectAltNames()).containsExactly("DNS:localhost", "IP:127.0.0.1",
                "IP:0:0:0:0:0:0:0:1", "DNS:kms1.lab.example", "IP:10.1.2.3", "DNS:kms2.lab.example", "IP:192.168.0.9");
    }

    @Test
    void init_withInvalidSan_isRefusedBeforeAnyFileIsWritten() {
        Path dir = tmp.resolve("pki");
        for (String bad : List.of("IP:300.1.1.1", "DNS:bad name", "DNS:under_score.example", "-leading.example")) {
            assertThatThrownBy(() -> pki.init(dir, InitOptions.defaults().withExtraSans(List.of(bad))))
                    .as(bad)
                    .isInstanceOf(PkiException.class)
                    .extracting(e -> ((PkiException) e).reason()).isEqualTo(PkiException.Reason.INVALID_INPUT);
        }
        assertThat(dir).doesNotExist();
    }

    @Test
    void init_withRsa3072_makesRsaCaAndServer() throws Exception {
        InitResult result = pki.init(tmp.resolve("pki"), InitOptions.defaults().withKeyAlgorithm(KeyAlgorithm.RSA_3072));

        assertThat(result.ca().publicKey()).isEqualTo("RSA 3072");
        assertThat(result.server().publicKey()).isEqualTo("RSA 3072");
        assertThat(Pem.readCertificate(tmp.resolve("pki/server.pem")).getSigAlgName()).isEqualTo("SHA256withRSA");
    }

    @Test
    void issue_writesOwnerOnlyFilesAndRecordsRoleOutsideTheCertificate() throws Exception {
        Path dir = tmp.resolve("pki");
        pki.init(dir, InitOptions.defaults());
        IssueResult h1 = pki.issue(dir, "esxi-h1", "host", IssueOptions.defaults());
        pki.issue(dir, "vcenter", "admin", IssueOptions.defaults());

        assertThat(mode(dir.resolve("esxi-h1.pem"))).isEqualTo("rw-------");
        assertThat(mode(dir.resolve("esxi-h1.key"))).isEqualTo("rw-------");
        assertThat(h1.keyFile()).contains(dir.resolve("esxi-h1.key"));
        assertThat(h1.certificate().subject()).isEqualTo("CN=esxi-h1");
        assertThat(h1.certificate().extendedKeyUsage()).containsExactly("clientAuth");
        assertThat(h1.certificate().keyUsage()).containsExactly("digitalSignature");
        assertThat(h1.certificate().certificateAuthority()).isFalse();
        assertThat(h1.certificate().subjectAltNames()).isEmpty();

        RoleMap roles = RoleMap.load(dir.resolve("roles.properties"));
        assertThat(roles.asMap()).containsExactly(Map.entry(new Identity("esxi-h1"), "host"),
                Map.entry(new Identity("vcenter"), "admin"));
        // The role is nowhere in the certificate.
        X509Certificate cert = Pem.readCertificate(dir.resolve("esxi-h1.pem"));
        assertThat(new String(cert.getEncoded(), StandardCharsets.ISO_8859_1)).doesNotContain("host");
    }

    @Test
    void issue_existingIdentityWithoutForce_isRefusedAndChangesNothing() throws Exception {
        Path dir = tmp.resolve("pki");
        pki.init(dir, InitOptions.defaults());
        pki.issue(dir, "esxi-h1", "host", IssueOptions.defaults());
        Map<String, String> before = snapshot(dir);

        assertThatThrownBy(() -> pki.issue(dir, "esxi-h1", "admin", IssueOptions.defaults()))
                .isInstanceOf(PkiException.class)
                .extracting(e -> ((PkiException) e).reason()).isEqualTo(PkiException.Reason.ALREADY_EXISTS);
        assertThat(snapshot(dir)).isEqualTo(before);

        IssueResult forced = pki.issue(dir, "esxi-h1", "admin", IssueOptions.defaults().withForce(true));
        assertThat(RoleMap.load(dir.resolve("roles.properties")).roleOf(forced.identity())).contains("admin");
    }

    @Test
    void issue_invalidOrReservedIdentity_isRefused() throws Exception {
        Path dir = tmp.resolve("pki");
        pki.init(dir, InitOptions.defaults());
        for (String bad : List.of("ca", "server", "roles", "CA", "../evil", "a/b", "a b", "", ".hidden", "a..b",
                "x".repeat(65), "tab\tname", "é")) {
            assertThatThrownBy(() -> pki.issue(dir, bad, "host", IssueOptions.defaults()))
                    .as("identity %s", bad)
                    .isInstanceOf(PkiException.class)
                    .extracting(e -> ((PkiException) e).reason()).isEqualTo(PkiException.Reason.INVALID_INPUT);
        }
        for (String badRole : List.of("", "Admin", "a b", "1host")) {
            assertThatThrownBy(() -> pki.issue(dir, "esxi-h1", badRole, IssueOptions.defaults()))
                    .as("role %s", badRole).isInstanceOf(PkiException.class);
        }
        assertThat(dir.resolve("esxi-h1.pem")).doesNotExist();
        assertThat(tmp.resolve("evil.pem")).doesNotExist();
    }

    @Test
    void issue_explicitValidityPeriod_isUsedAndMayBeInThePast() throws Exception {
        Path dir = tmp.resolve("pki");
        pki.init(dir, InitOptions.defaults());
        Instant from = Instant.parse("2020-01-01T00:00:00Z");
        Instant until = Instant.parse("2020-01-02T00:00:00Z");

        IssueResult expired = pki.issue(dir, "old", "host", IssueOptions.defaults().withValidityPeriod(from, until));

        assertThat(expired.certificate().notBefore()).isEqualTo(from);
        assertThat(expired.certificate().notAfter()).isEqualTo(until);
        assertThat(expired.certificate().status()).isEqualTo("expired");
    }

    @Test
    void issue_notAfterPastTheCaEnd_isRefused_andDefaultIsCutAtTheCaEnd() throws Exception {
        Path dir = tmp.resolve("pki");
        InitResult init = pki.init(dir, InitOptions.defaults().withCaValidity(Duration.ofDays(30)));

        assertThatThrownBy(() -> pki.issue(dir, "late", "host",
                IssueOptions.defaults().withValidityPeriod(null, init.ca().notAfter().plusSeconds(60))))
                .isInstanceOf(PkiException.class).hasMessageContaining("past the CA's end");
        IssueResult cut = pki.issue(dir, "cut", "host", IssueOptions.defaults());
        assertThat(cut.certificate().notAfter()).isEqualTo(init.ca().notAfter());
        assertThat(init.server().notAfter()).isEqualTo(init.ca().notAfter());
    }

    @Test
    void issue_withSigningCaDir_isSignedByThatCa() throws Exception {
        Path dir = tmp.resolve("pki");
        Path other = tmp.resolve("other");
        pki.init(dir, InitOptions.defaults());
        InitResult foreign = pki.init(other, InitOptions.defaults());

        IssueResult result = pki.issue(dir, "intruder", "admin", IssueOptions.defaults().withSigningCaDir(other));

        assertThat(result.certificate().issuer()).isEqualTo(foreign.ca().subject());
        assertThat(result.certificate().issuedByCa()).isFalse();
        assertThat(result.certificateFile()).isEqualTo(dir.resolve("intruder.pem"));
        X509Certificate cert = Pem.readCertificate(dir.resolve("intruder.pem"));
        cert.verify(Pem.readCertificate(other.resolve("ca.pem")).getPublicKey());
    }

    @Test
    void issue_withoutCa_isRefusedAsNotFound() {
        assertThatThrownBy(() -> pki.issue(tmp.resolve("empty"), "esxi-h1", "host", IssueOptions.defaults()))
                .isInstanceOf(PkiException.class)
                .extracting(e -> ((PkiException) e).reason()).isEqualTo(PkiException.Reason.NOT_FOUND);
    }

    @Test
    void serialNumbers_arePositiveDistinctAndAtMost128Bits() throws Exception {
        Path dir = tmp.resolve("pki");
        pki.init(dir, InitOptions.defaults());
        List<BigInteger> serials = new ArrayList<>();
        serials.add(Pem.readCertificate(dir.resolve("ca.pem")).getSerialNumber());
        serials.add(Pem.readCertificate(dir.resolve("server.pem")).getSerialNumber());
        for (int i = 0; i < 4; i++) {
            pki.issue(dir, "h" + i, "host", IssueOptions.defaults());
            serials.add(Pem.readCertificate(dir.resolve("h" + i + ".pem")).getSerialNumber());
        }
        assertThat(serials).doesNotHaveDuplicates().allSatisfy(s -> {
            assertThat(s.signum()).isPositive();
            assertThat(s.bitLength()).isLessThanOrEqualTo(128);
        });
        // 6 random 128-bit values all below 2^120 would happen with probability 2^-48.
        assertThat(serials).anySatisfy(s -> assertThat(s.bitLength()).isGreaterThan(120));
    }

    @Test
    void concurrentIssues_loseNoRole() throws Exception {
        Path dir = tmp.resolve("pki");
        pki.init(dir, InitOptions.defaults());
        List<Callable<IssueResult>> tasks = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            String name = "esxi-c" + i;
            tasks.add(() -> pki.issue(dir, name, "host", IssueOptions.defaults()));
        }
        try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
            for (Future<IssueResult> f : executor.invokeAll(tasks)) {
                f.get();
            }
        }
        assertThat(RoleMap.load(dir.resolve("roles.properties")).asMap()).hasSize(8);
    }

    @Test
    void show_describesEveryCertificateWithItsRole() throws Exception {
        Path dir = tmp.resolve("pki");
        Path other = tmp.resolve("other");
        pki.init(dir, InitOptions.defaults());
        pki.init(other, InitOptions.defaults());
        pki.issue(dir, "vcenter", "admin", IssueOptions.defaults());
        pki.issue(dir, "esxi-h1", "host", IssueOptions.defaults().withKeyAlgorithm(KeyAlgorithm.RSA_2048));
        pki.issue(dir, "foreign", "host", IssueOptions.defaults().withSigningCaDir(other));
        Files.writeString(dir.resolve("broken.pem"), "not pem");

        ShowResult show = pki.show(dir);

        assertThat(show.certificates()).extracting(CertificateInfo::name)
                .containsExactly("ca", "server", "esxi-h1", "foreign", "vcenter");
        assertThat(show.certificates()).extracting(c -> c.role().orElse("-"))
                .containsExactly("-", "-", "host", "host", "admin");
        assertThat(show.certificates()).extracting(CertificateInfo::issuedByCa)
                .containsExactly(true, true, true, false, true);
        assertThat(show.certificates().get(2).publicKey()).isEqualTo("RSA 2048");
        assertThat(show.problems()).singleElement().asString().contains("broken.pem");
        String text = show.summary();
        assertThat(text).contains("CN=vcenter", "clientAuth", "serverAuth", "DNS:localhost", "SHA-256", "admin",
                "NOT this directory's CA");
        assertThat(text).doesNotContain("PRIVATE KEY");
    }

    @Test
    void writeKeyAndCsr_writesOwnerOnlyFilesAndRefusesToOverwrite() throws Exception {
        Path key = tmp.resolve("vc/vcenter.key");
        Path csr = tmp.resolve("vc/vcenter.csr");

        CsrResult result = pki.writeKeyAndCsr(key, csr, "vcenter", KeyAlgorithm.EC_P256, false);

        assertThat(mode(key)).isEqualTo("rw-------");
        assertThat(mode(csr)).isEqualTo("rw-------");
        assertThat(Files.readString(key)).startsWith("-----BEGIN PRIVATE KEY-----");
        assertThat(Files.readString(csr)).isEqualTo(result.csrPem()).startsWith("-----BEGIN CERTIFICATE REQUEST-----");
        String keyBefore = Files.readString(key);
        assertThatThrownBy(() -> pki.writeKeyAndCsr(key, csr, "vcenter", KeyAlgorithm.EC_P256, false))
                .isInstanceOf(PkiException.class)
                .extracting(e -> ((PkiException) e).reason()).isEqualTo(PkiException.Reason.ALREADY_EXISTS);
        assertThat(Files.readString(key)).isEqualTo(keyBefore);
    }

    @Test
    void signCsr_ownCsr_issuesClientCertificateForTheRequestersKey() throws Exception {
        Path dir = tmp.resolve("pki");
        pki.init(dir, InitOptions.defaults());
        GeneratedCsr request = pki.createCsr("vcenter", KeyAlgorithm.RSA_2048);

        IssueResult result = pki.signCsr(dir, request.csrPem(), "admin", SignCsrOptions.defaults());

        X509Certificate cert = Pem.readCertificate(dir.resolve("vcenter.pem"));
        assertThat(cert.getPublicKey()).isEqualTo(request.keyPair().getPublic());
        assertThat(result.keyFile()).isEmpty();
        assertThat(dir.resolve("vcenter.key")).doesNotExist();
        assertThat(result.certificate().extendedKeyUsage()).containsExactly("clientAuth");
        assertThat(result.certificatePem()).isEqualTo(Files.readString(dir.resolve("vcenter.pem")));
        assertThat(result.caCertificatePem()).isEqualTo(Files.readString(dir.resolve("ca.pem")));
        assertThat(RoleMap.load(dir.resolve("roles.properties")).roleOf(new Identity("vcenter"))).contains("admin");
        assertThat(request.toString()).doesNotContain("PRIVATE").contains("redacted");
    }

    @Test
    void signCsr_tamperedCsr_isRefusedAsBadSignature() throws Exception {
        Path dir = tmp.resolve("pki");
        pki.init(dir, InitOptions.defaults());
        String tampered = CsrTampering.renameSubject(pki.createCsr("vcenter", KeyAlgorithm.EC_P256).csrPem(),
                "vcenter", "vcentex");

        assertThatThrownBy(() -> pki.signCsr(dir, tampered, "admin", SignCsrOptions.defaults()))
                .isInstanceOf(PkiException.class)
                .extracting(e -> ((PkiException) e).reason()).isEqualTo(PkiException.Reason.BAD_SIGNATURE);
        assertThat(dir.resolve("vcentex.pem")).doesNotExist();
        assertThat(RoleMap.load(dir.resolve("roles.properties")).asMap()).isEmpty();
    }

    @Test
    void signCsr_existingIdentity_isRefusedUnlessForced_andForceDropsTheStaleKey() throws Exception {
        Path dir = tmp.resolve("pki");
        pki.init(dir, InitOptions.defaults());
        pki.issue(dir, "vcenter", "admin", IssueOptions.defaults());
        String csr = pki.createCsr("vcenter", KeyAlgorithm.EC_P256).csrPem();

        assertThatThrownBy(() -> pki.signCsr(dir, csr, "admin", SignCsrOptions.defaults()))
                .isInstanceOf(PkiException.class)
                .extracting(e -> ((PkiException) e).reason()).isEqualTo(PkiException.Reason.ALREADY_EXISTS);
        assertThat(dir.resolve("vcenter.key")).exists();

        pki.signCsr(dir, csr, "admin", SignCsrOptions.defaults().withForce(true));
        assertThat(dir.resolve("vcenter.key")).doesNotExist();
    }

    @Test
    void signCsr_garbageInput_isRefusedAsInvalidInput() throws Exception {
        Path dir = tmp.resolve("pki");
        pki.init(dir, InitOptions.defaults());
        for (String bad : List.of("", "hello", "-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n",
                Files.readString(dir.resolve("ca.pem")))) {
            assertThatThrownBy(() -> pki.signCsr(dir, bad, "admin", SignCsrOptions.defaults()))
                    .isInstanceOf(PkiException.class)
                    .extracting(e -> ((PkiException) e).reason()).isEqualTo(PkiException.Reason.INVALID_INPUT);
        }
    }

    @Test
    void roleMap_load_refusesInvalidEntries() throws Exception {
        Path file = tmp.resolve("roles.properties");
        Files.writeString(file, "vcenter=admin\nesxi-h1 = host\n");
        assertThat(RoleMap.load(file).roleOf(new Identity("esxi-h1"))).contains("host");

        Files.writeString(file, "../x=admin\n");
        assertThatThrownBy(() -> RoleMap.load(file)).isInstanceOf(PkiException.class);
        Files.writeString(file, "vcenter=Admin Role\n");
        assertThatThrownBy(() -> RoleMap.load(file)).isInstanceOf(PkiException.class);
        assertThatThrownBy(() -> RoleMap.load(tmp.resolve("missing")))
                .isInstanceOf(PkiException.class)
                .extracting(e -> ((PkiException) e).reason()).isEqualTo(PkiException.Reason.NOT_FOUND);
    }
}
