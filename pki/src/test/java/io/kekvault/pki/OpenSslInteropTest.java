package io.kekvault.pki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Checks what this module writes with the openssl tool, and signs CSRs that openssl made. */
class OpenSslInteropTest {

    private static final PkiService PKI = new PkiService();

    @TempDir
    static Path tmp;
    static Path dir;
    static Path foreign;

    @BeforeAll
    static void createPki() throws Exception {
        dir = tmp.resolve("pki");
        foreign = tmp.resolve("foreign");
        PKI.init(dir, InitOptions.defaults().withExtraSans(List.of("kms1.lab.example", "IP:10.0.0.7")));
        PKI.init(foreign, InitOptions.defaults());
        PKI.issue(dir, "esxi-h1", "host", IssueOptions.defaults());
        PKI.issue(dir, "esxi-rsa", "host", IssueOptions.defaults().withKeyAlgorithm(KeyAlgorithm.RSA_2048));
        PKI.issue(dir, "expired", "host", IssueOptions.defaults().withValidityPeriod(
                Instant.parse("2020-01-01T00:00:00Z"), Instant.parse("2020-01-02T00:00:00Z")));
        PKI.issue(dir, "intruder", "admin", IssueOptions.defaults().withSigningCaDir(foreign));
    }

    @Test
    void serverAndClientCertificates_verifyForTheirOwnPurposeOnly() {
        assertThat(OpenSsl.ok(dir, "verify", "-CAfile", "ca.pem", "-purpose", "sslserver", "server.pem"))
                .contains("server.pem: OK");
        assertThat(OpenSsl.ok(dir, "verify", "-CAfile", "ca.pem", "-purpose", "sslclient", "esxi-h1.pem"))
                .contains("esxi-h1.pem: OK");
        assertThat(OpenSsl.ok(dir, "verify", "-CAfile", "ca.pem", "-purpose", "sslclient", "esxi-rsa.pem"))
                .contains("esxi-rsa.pem: OK");

        OpenSsl.Result clientAsServer = OpenSsl.run(dir, "verify", "-CAfile", "ca.pem", "-purpose", "sslserver", "esxi-h1.pem");
        assertThat(clientAsServer.exitCode()).isNotZero();
        assertThat(clientAsServer.output()).contains("unsuitable certificate purpose");
        OpenSsl.Result serverAsClient = OpenSsl.run(dir, "verify", "-CAfile", "ca.pem", "-purpose", "sslclient", "server.pem");
        assertThat(serverAsClient.exitCode()).isNotZero();
        assertThat(serverAsClient.output()).contains("unsuitable certificate purpose");
    }

    @Test
    void expiredAndForeignCertificates_failOpenSslVerify() {
        OpenSsl.Result expired = OpenSsl.run(dir, "verify", "-CAfile", "ca.pem", "-purpose", "sslclient", "expired.pem");
        assertThat(expired.exitCode()).isNotZero();
        assertThat(expired.output()).contains("certificate has expired");

        OpenSsl.Result intruder = OpenSsl.run(dir, "verify", "-CAfile", "ca.pem", "-purpose", "sslclient", "intruder.pem");
        assertThat(intruder.exitCode()).isNotZero();
        assertThat(intruder.output()).contains("unable to get local issuer certificate");
        assertThat(OpenSsl.ok(dir, "verify", "-CAfile", foreign.resolve("ca.pem").toString(), "intruder.pem"))
                .contains("OK");
    }

    @Test
    void caText_showsCriticalCaConstraintsAndKeyUsage() {
        String text = OpenSsl.ok(dir, "x509", "-in", "ca.pem", "-noout", "-text");
        assertThat(text).contains("X509v3 Basic Constraints: critical", "CA:TRUE",
                "X509v3 Key Usage: critical", "Certificate Sign, CRL Sign", "X509v3 Subject Key Identifier",
                "Signature Algorithm: ecdsa-with-SHA256", "NIST CURVE: P-256");
    }

    @Test
    void serverText_showsServerAuthDigitalSignatureAndSans() {
        String text = OpenSsl.ok(dir, "x509", "-in", "server.pem", "-noout", "-text");
        assertThat(text).contains("CA:FALSE", "X509v3 Key Usage: critical", "Digital Signature",
                "TLS Web Server Authentication", "X509v3 Authority Key Identifier",
                "DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1, DNS:kms1.lab.example, IP Address:10.0.0.7");
        assertThat(text).doesNotContain("TLS Web Client Authentication", "Certificate Sign");
    }

    @Test
    void clientText_showsClientAuthAndCnOnly() {
        String text = OpenSsl.ok(dir, "x509", "-in", "esxi-h1.pem", "-noout", "-text");
        assertThat(text).contains("Subject: CN = esxi-h1", "CA:FALSE", "Digital Signature", "TLS Web Client Authentication");
        assertThat(text).doesNotContain("TLS Web Server Authentication", "Subject Alternative Name", "host");
        String rsa = OpenSsl.ok(dir, "x509", "-in", "esxi-rsa.pem", "-noout", "-text");
        assertThat(rsa).contains("Public-Key: (2048 bit)", "ecdsa-with-SHA256");
    }

    @Test
    void fingerprintsAndSerials_matchOpenSsl() throws Exception {
        ShowResult show = PKI.show(dir);
        for (CertificateInfo info : show.certificates()) {
            String file = info.name() + ".pem";
            assertThat(OpenSsl.ok(dir, "x509", "-in", file, "-noout", "-fingerprint", "-sha256"))
                    .as(file).contains("sha256 Fingerprint=" + info.sha256Fingerprint());
            assertThat(OpenSsl.ok(dir, "x509", "-in", file, "-noout", "-serial").trim().toLowerCase())
                    .as(file).endsWith(info.serial().length() % 2 == 1 ? "0" + info.serial() : info.serial());
        }
    }

    @Test
    void privateKeys_arePkcs8AndMatchTheirCertificates() throws Exception {
        for (String name : List.of("ca", "server", "esxi-h1", "esxi-rsa")) {
            assertThat(Files.readString(dir.resolve(name + ".key"))).startsWith("-----BEGIN PRIVATE KEY-----\n");
            String fromKey = OpenSsl.ok(dir, "pkey", "-in", name + ".key", "-pubout");
            String fromCert = OpenSsl.ok(dir, "x509", "-in", name + ".pem", "-noout", "-pubkey");
            assertThat(fromKey).as(name).isEqualTo(fromCert);
        }
    }

    @Test
    void ownCsr_verifiesWithOpenSsl() throws Exception {
        Path out = tmp.resolve("vc");
        PKI.writeKeyAndCsr(out.resolve("vc.key"), out.resolve("vc.csr"), "vcenter-own", KeyAlgorithm.EC_P256, false);
        assertThat(OpenSsl.ok(out, "req", "-in", "vc.csr", "-noout", "-verify", "-subject"))
                .contains("verify OK").contains("CN = vcenter-own");
        assertThat(OpenSsl.ok(out, "pkey", "-in", "vc.key", "-pubout"))
                .isEqualTo(OpenSsl.ok(out, "req", "-in", "vc.csr", "-noout", "-pubkey"));
    }

    static Stream<Arguments> goodOpenSslKeys() {
        return Stream.of(
                Arguments.of("vc-ec", List.of("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256")),
                Arguments.of("vc-p384", List.of("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-384")),
                Arguments.of("vc-rsa", List.of("-newkey", "rsa:2048")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("goodOpenSslKeys")
    void openSslCsr_isSignedAndTheResultVerifiesAsClient(String cn, List<String> keyArgs) throws Exception {
        Path work = Files.createDirectories(tmp.resolve("req-" + cn));
        OpenSsl.ok(work, req(cn + ".key", cn + ".csr", "/CN=" + cn + "/O=Example Lab", keyArgs,
                List.of("-addext", "subjectAltName=DNS:vcenter.lab.example", "-addext", "extendedKeyUsage=clientAuth")));

        IssueResult result = PKI.signCsr(dir, Files.readString(work.resolve(cn + ".csr")), "admin",
                SignCsrOptions.defaults());

        assertThat(result.identity().name()).isEqualTo(cn);
        Files.writeString(work.resolve(cn + ".pem"), result.certificatePem());
        Files.writeString(work.resolve("ca.pem"), result.caCertificatePem());
        assertThat(OpenSsl.ok(work, "verify", "-CAfile", "ca.pem", "-purpose", "sslclient", cn + ".pem")).contains("OK");
        assertThat(OpenSsl.ok(work, "x509", "-in", cn + ".pem", "-noout", "-pubkey"))
                .isEqualTo(OpenSsl.ok(work, "pkey", "-in", cn + ".key", "-pubout"));
        // Only key and CN are taken from the request: no requested SAN, no O.
        String text = OpenSsl.ok(work, "x509", "-in", cn + ".pem", "-noout", "-text");
        assertThat(text).contains("Subject: CN = " + cn).doesNotContain("vcenter.lab.example", "Example Lab");
    }

    static Stream<Arguments> refusedOpenSslCsrs() {
        List<String> ec = List.of("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256");
        return Stream.of(
                Arguments.of("no CN", "/O=Example Lab", ec, List.of(), PkiException.Reason.INVALID_INPUT),
                Arguments.of("two CNs", "/CN=bad-a/CN=bad-b", ec, List.of(), PkiException.Reason.INVALID_INPUT),
                Arguments.of("CN with path", "/CN=..\\/etc", ec, List.of(), PkiException.Reason.INVALID_INPUT),
                Arguments.of("CN reserved", "/CN=server", ec, List.of(), PkiException.Reason.INVALID_INPUT),
                Arguments.of("RSA 1024", "/CN=weak-rsa", List.of("-newkey", "rsa:1024"), List.of(),
                        PkiException.Reason.WEAK_KEY),
                Arguments.of("P-224", "/CN=weak-ec", List.of("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-224"),
                        List.of(), PkiException.Reason.WEAK_KEY),
                Arguments.of("Ed25519", "/CN=ed", List.of("-newkey", "ed25519"), List.of(),
                        PkiException.Reason.WEAK_KEY),
                Arguments.of("SHA-1 signature", "/CN=sha1", ec, List.of("-sha1"), PkiException.Reason.BAD_SIGNATURE),
                Arguments.of("CA:TRUE", "/CN=want-ca", ec, List.of("-addext", "basicConstraints=critical,CA:TRUE"),
                        PkiException.Reason.FORBIDDEN_EXTENSION),
                Arguments.of("keyCertSign", "/CN=want-sign", ec, List.of("-addext", "keyUsage=keyCertSign"),
                        PkiException.Reason.FORBIDDEN_EXTENSION),
                Arguments.of("serverAuth", "/CN=want-server", ec,
                        List.of("-addext", "extendedKeyUsage=serverAuth,clientAuth"), PkiException.Reason.FORBIDDEN_EXTENSION),
                Arguments.of("anyEKU", "/CN=want-any", ec, List.of("-addext", "extendedKeyUsage=anyExtendedKeyUsage"),
                        PkiException.Reason.FORBIDDEN_EXTENSION));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusedOpenSslCsrs")
    void openSslCsr_thatBreaksThePolicy_isRefusedAndNothingIsWritten(String label, String subject, List<String> keyArgs,
            List<String> extra, PkiException.Reason reason) throws Exception {
        Path work = Files.createDirectories(tmp.resolve("bad-" + label.replaceAll("[^A-Za-z0-9]", "_")));
        OpenSsl.ok(work, req("r.key", "r.csr", subject, keyArgs, extra));
        String rolesBefore = Files.readString(dir.resolve("roles.properties"));
        List<Path> before;
        try (Stream<Path> files = Files.list(dir)) {
            before = files.sorted().toList();
        }

        assertThatThrownBy(() -> PKI.signCsr(dir, Files.readString(work.resolve("r.csr")), "admin",
                SignCsrOptions.defaults()))
                .isInstanceOf(PkiException.class)
                .extracting(e -> ((PkiException) e).reason()).isEqualTo(reason);

        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.sorted().toList()).isEqualTo(before);
        }
        assertThat(Files.readString(dir.resolve("roles.properties"))).isEqualTo(rolesBefore);
    }

    @Test
    void tamperedOpenSslCsr_isRefusedAsBadSignature() throws Exception {
        Path work = Files.createDirectories(tmp.resolve("tamper"));
        OpenSsl.ok(work, req("t.key", "t.csr", "/CN=vcenter-t", List.of("-newkey", "rsa:2048"), List.of()));
        String original = Files.readString(work.resolve("t.csr"));
        String tampered = CsrTampering.renameSubject(original, "vcenter-t", "vcenter-x");
        Files.writeString(work.resolve("x.csr"), tampered);
        // openssl agrees the edit broke the signature, so the test checks a real tampering.
        assertThat(OpenSsl.run(work, "req", "-in", "x.csr", "-noout", "-verify").output()).doesNotContain("verify OK");

        assertThatThrownBy(() -> PKI.signCsr(dir, tampered, "admin", SignCsrOptions.defaults()))
                .isInstanceOf(PkiException.class)
                .extracting(e -> ((PkiException) e).reason()).isEqualTo(PkiException.Reason.BAD_SIGNATURE);
        assertThat(dir.resolve("vcenter-x.pem")).doesNotExist();
    }

    private static String[] req(String keyFile, String csrFile, String subject, List<String> keyArgs, List<String> extra) {
        List<String> args = new java.util.ArrayList<>(List.of("req", "-new", "-nodes", "-keyout", keyFile, "-out", csrFile,
                "-subj", subject));
        args.addAll(keyArgs);
        args.addAll(extra);
        return args.toArray(String[]::new);
    }
}
