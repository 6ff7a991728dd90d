package io.kekvault.pki;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.bouncycastle.util.IPAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operations of a file-based PKI directory ({@link PkiDirectory} layout): create the CA and
 * server certificate, issue client certificates, sign client CSRs, describe everything, and, on
 * the requester's side, make a key and CSR.
 *
 * <p>Guarantees: private keys are written only to 0600 files created with that mode, atomically,
 * and never appear in logs, messages or results' {@code toString}. Nothing existing is replaced
 * unless the operation is forced; a refused operation changes no file. Roles are recorded in
 * {@code roles.properties}, never in certificates. Mutating operations on one directory are
 * serialized (threads and processes). Certificates are issued only for valid {@link Identity}
 * names, and CSRs only after the checks of a signature, key strength, CN and requested extensions.
 */
public final class PkiService {

    private static final Logger LOG = LoggerFactory.getLogger(PkiService.class);

    /** Default start of validity is this far in the past, so peers with a slow clock accept it. */
    static final Duration BACKDATE = Duration.ofMinutes(5);

    private final Clock clock;
    private final SecureRandom random;

    public PkiService() {
        this(Clock.systemUTC(), new SecureRandom());
    }

    public PkiService(Clock clock, SecureRandom random) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.random = Objects.requireNonNull(random, "random");
    }

    /**
     * Creates the CA and the server certificate in {@code dir} (created 0700 if missing), and an
     * empty {@code roles.properties} if there is none. Refuses, changing nothing, when a CA
     * ({@code ca.pem} or {@code ca.key}) exists and {@code options.force()} is false.
     */
    public InitResult init(Path dir, InitOptions options) throws PkiException {
        PkiDirectory pki = PkiDirectory.of(dir);
        List<GeneralName> sans = serverSans(options.extraSans());
        String caName = options.caName() != null ? checkName("CA name", options.caName())
                : "Kekvault CA " + HexFormat.of().formatHex(randomBytes(4));
        String serverName = checkName("server name", options.serverName());
        checkPositive("CA validity", options.caValidity());
        checkPositive("server validity", options.serverValidity());
        try (var _ = SecureFiles.lock(dir)) {
            if (!options.force() && (Files.exists(pki.caCertificate()) || Files.exists(pki.caKey()))) {
                throw new PkiException(PkiException.Reason.ALREADY_EXISTS,
                        dir + ": a CA already exists (use force to replace it and its server certificate)");
            }
            Instant notBefore = now().minus(BACKDATE);
            KeyPair caKeys = options.keyAlgorithm().generate(random);
            CertificateAuthority ca = CertificateAuthority.selfSigned(caKeys, caName, notBefore,
                    notBefore.plus(options.caValidity()), random);
            KeyPair serverKeys = options.keyAlgorithm().generate(random);
            Instant serverNotAfter = min(notBefore.plus(options.serverValidity()), ca.certificate().getNotAfter().toInstant());
            X509Certificate server = ca.issueServer(serverKeys.getPublic(), serverName, sans, notBefore, serverNotAfter, random);

            writeKey(pki.caKey(), caKeys);
            writeCertificate(pki.caCertificate(), ca.certificate());
            writeKey(pki.serverKey(), serverKeys);
            writeCertificate(pki.serverCertificate(), server);
            if (!Files.exists(pki.rolesFile())) {
                SecureFiles.writeAtomically(pki.rolesFile(), RoleMap.empty().toProperties().getBytes(StandardCharsets.UTF_8));
            }
            LOG.info("pki.init dir={} ca_serial={} server_serial={} key_algorithm={} forced={}", dir,
                    ca.certificate().getSerialNumber().toString(16), server.getSerialNumber().toString(16),
                    options.keyAlgorithm(), options.force());
            Instant now = now();
            return new InitResult(pki,
                    CertificateInfo.describe("ca", ca.certificate(), Optional.empty(), ca.certificate(), now),
                    CertificateInfo.describe("server", server, Optional.empty(), ca.certificate(), now));
        }
    }

    /**
     * Issues a client certificate (clientAuth, CN = {@code identity}) with a fresh key, writes
     * {@code <identity>.pem} and {@code <identity>.key} and records {@code identity=role}.
     * Refuses, changing nothing, if the identity already has a certificate or key and the
     * operation is not forced, or if the name is invalid or reserved ({@code ca}, {@code server},
     * {@code roles}).
     */
    public IssueResult issue(Path dir, String identity, String role, IssueOptions options) throws PkiException {
        Identity id = checkIdentity(identity);
        RoleMap.validateRole(role);
        PkiDirectory pki = PkiDirectory.of(dir);
        PkiDirectory signer = options.signingCaDir() == null ? pki : PkiDirectory.of(options.signingCaDir());
        try (var _ = SecureFiles.lock(dir)) {
            if (!options.force() && (Files.exists(pki.certificate(id)) || Files.exists(pki.key(id)))) {
                throw new PkiException(PkiException.Reason.ALREADY_EXISTS,
                        pki.certificate(id) + ": identity '" + id + "' already has a certificate (use force to replace it)");
            }
            CertificateAuthority ca = CertificateAuthority.load(signer);
            Instant[] period = validityPeriod(ca, options.notBefore(), options.notAfter(), options.validity());
            KeyPair keys = options.keyAlgorithm().generate(random);
            X509Certificate certificate = ca.issueClient(keys.getPublic(), id, period[0], period[1], random);
            writeKey(pki.key(id), keys);
            writeCertificate(pki.certificate(id), certificate);
            recordRole(pki, id, role);
            LOG.info("pki.issue dir={} identity={} role={} serial={} key_algorithm={} signing_ca={} forced={}", dir, id,
                    role, certificate.getSerialNumber().toString(16), options.keyAlgorithm(), signer.root(), options.force());
            // "Issued by CA" in the result is relative to the target directory, as in show().
            X509Certificate directoryCa = signer.equals(pki) ? ca.certificate()
                    : Files.exists(pki.caCertificate()) ? Pem.readCertificate(pki.caCertificate()) : null;
            return issued(pki, id, role, certificate, Optional.of(pki.key(id)), ca, directoryCa);
        }
    }

    /**
     * Signs a client's PKCS#10 request (the "make the KMS trust vCenter" flow): checks the request
     * (see {@link CsrPolicy}: signature, key strength, exactly one valid CN, no CA/serverAuth
     * extension requested), then issues a clientAuth certificate for its public key with CN =
     * identity, writes {@code <identity>.pem} and records the role. The requested extensions are
     * never copied.
     */
    public IssueResult signCsr(Path dir, String csrPem, String role, SignCsrOptions options) throws PkiException {
        RoleMap.validateRole(role);
        PKCS10CertificationRequest csr = Pem.parseCsr(csrPem);
        CsrPolicy.Accepted accepted = CsrPolicy.check(csr);
        Identity id = checkIdentity(accepted.identity().name());
        PkiDirectory pki = PkiDirectory.of(dir);
        try (var _ = SecureFiles.lock(dir)) {
            if (!options.force() && Files.exists(pki.certificate(id))) {
                throw new PkiException(PkiException.Reason.ALREADY_EXISTS,
                        pki.certificate(id) + ": identity '" + id + "' already has a certificate (use force to replace it)");
            }
            CertificateAuthority ca = CertificateAuthority.load(pki);
            Instant[] period = validityPeriod(ca, null, null, options.validity());
            X509Certificate certificate = ca.issueClient(accepted.publicKey(), id, period[0], period[1], random);
            SecureFiles.deleteIfExists(pki.key(id));
            writeCertificate(pki.certificate(id), certificate);
            recordRole(pki, id, role);
            LOG.info("pki.sign_csr dir={} identity={} role={} serial={} key={} forced={}", dir, id, role,
                    certificate.getSerialNumber().toString(16), CertificateInfo.describeKey(accepted.publicKey()),
                    options.force());
            return issued(pki, id, role, certificate, Optional.empty(), ca, ca.certificate());
        }
    }

    /** Describes every certificate of {@code dir}. A missing CA is allowed (e.g. a requester's directory). */
    public ShowResult show(Path dir) throws PkiException {
        PkiDirectory pki = PkiDirectory.of(dir);
        if (!Files.isDirectory(dir)) {
            throw new PkiException(PkiException.Reason.NOT_FOUND, dir + ": no such directory");
        }
        List<String> problems = new ArrayList<>();
        X509Certificate ca = null;
        if (Files.exists(pki.caCertificate())) {
            try {
                ca = Pem.readCertificate(pki.caCertificate());
            } catch (PkiException e) {
                problems.add(e.getMessage());
            }
        }
        RoleMap roles = RoleMap.empty();
        try {
            roles = RoleMap.loadIfExists(pki.rolesFile());
        } catch (PkiException e) {
            problems.add(e.getMessage());
        }
        TreeMap<String, Path> identities = new TreeMap<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.pem")) {
            for (Path file : files) {
                String stem = file.getFileName().toString();
                stem = stem.substring(0, stem.length() - ".pem".length());
                if (stem.equals("ca") || stem.equals("server")) {
                    continue;
                }
                identities.put(stem, file);
            }
        } catch (IOException e) {
            throw SecureFiles.ioFailure(dir, "cannot list", e);
        }
        List<CertificateInfo> infos = new ArrayList<>();
        Instant now = now();
        describeInto(infos, problems, "ca", pki.caCertificate(), Optional.empty(), ca, now);
        describeInto(infos, problems, "server", pki.serverCertificate(), Optional.empty(), ca, now);
        for (var entry : identities.entrySet()) {
            Optional<String> role;
            try {
                role = roles.roleOf(new Identity(entry.getKey()));
            } catch (IllegalArgumentException e) {
                problems.add(entry.getValue() + ": file name is not a valid identity");
                continue;
            }
            describeInto(infos, problems, entry.getKey(), entry.getValue(), role, ca, now);
        }
        return new ShowResult(pki, infos, problems);
    }

    /**
     * Makes a key pair and a PKCS#10 request with CN = {@code commonName}, signed with SHA-256,
     * without extensions. Nothing is written.
     */
    public GeneratedCsr createCsr(String commonName, KeyAlgorithm algorithm) throws PkiException {
        Identity id = Identity.parse(commonName);
        KeyPair keys = algorithm.generate(random);
        try {
            PKCS10CertificationRequest csr = new JcaPKCS10CertificationRequestBuilder(
                    new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, id.name()).build(), keys.getPublic())
                    .build(new JcaContentSignerBuilder(Keys.signatureAlgorithm(keys.getPrivate())).build(keys.getPrivate()));
            return new GeneratedCsr(id, algorithm, keys, Pem.encode(csr));
        } catch (OperatorCreationException e) {
            throw new PkiException(PkiException.Reason.CRYPTO_FAILURE, "cannot sign CSR", e);
        }
    }

    /**
     * {@link #createCsr} and writes the private key ({@code keyFile}, PKCS#8, 0600) and the request
     * ({@code csrFile}, 0600). Refuses, changing nothing, if either file exists and {@code force}
     * is false. Parent directories are created (0700).
     */
    public CsrResult writeKeyAndCsr(Path keyFile, Path csrFile, String commonName, KeyAlgorithm algorithm,
            boolean force) throws PkiException {
        if (keyFile.toAbsolutePath().normalize().equals(csrFile.toAbsolutePath().normalize())) {
            throw new PkiException(PkiException.Reason.INVALID_INPUT, "key file and CSR file must differ");
        }
        if (!force) {
            for (Path file : List.of(keyFile, csrFile)) {
                if (Files.exists(file)) {
                    throw new PkiException(PkiException.Reason.ALREADY_EXISTS, file + ": already exists (use force to replace it)");
                }
            }
        }
        GeneratedCsr generated = createCsr(commonName, algorithm);
        SecureFiles.ensureDirectory(keyFile.toAbsolutePath().getParent());
        SecureFiles.ensureDirectory(csrFile.toAbsolutePath().getParent());
        writeKey(keyFile, generated.keyPair());
        SecureFiles.writeAtomically(csrFile, generated.csrPem().getBytes(StandardCharsets.US_ASCII));
        LOG.info("pki.csr identity={} key_algorithm={} key_file={} csr_file={}", generated.identity(), algorithm, keyFile,
                csrFile);
        return new CsrResult(generated.identity(), algorithm, keyFile, csrFile, generated.csrPem());
    }

    private IssueResult issued(PkiDirectory pki, Identity id, String role, X509Certificate certificate,
            Optional<Path> keyFile, CertificateAuthority ca, X509Certificate directoryCa) {
        return new IssueResult(id, role, pki.certificate(id), keyFile,
                CertificateInfo.describe(id.name(), certificate, Optional.of(role), directoryCa, now()),
                Pem.encode(certificate), Pem.encode(ca.certificate()));
    }

    private static void describeInto(List<CertificateInfo> infos, List<String> problems, String name, Path file,
            Optional<String> role, X509Certificate ca, Instant now) {
        if (!Files.exists(file)) {
            return;
        }
        try {
            infos.add(CertificateInfo.describe(name, Pem.readCertificates(file).getFirst(), role, ca, now));
        } catch (PkiException e) {
            problems.add(e.getMessage());
        }
    }

    private static void recordRole(PkiDirectory pki, Identity id, String role) throws PkiException {
        RoleMap roles = RoleMap.loadIfExists(pki.rolesFile()).with(id, role);
        SecureFiles.writeAtomically(pki.rolesFile(), roles.toProperties().getBytes(StandardCharsets.UTF_8));
    }

    private static void writeKey(Path file, KeyPair keys) throws PkiException {
        byte[] pem = Pem.encodePrivateKey(keys.getPrivate());
        try {
            SecureFiles.writeAtomically(file, pem);
        } finally {
            Arrays.fill(pem, (byte) 0);
        }
    }

    private static void writeCertificate(Path file, X509Certificate certificate) throws PkiException {
        SecureFiles.writeAtomically(file, Pem.encode(certificate).getBytes(StandardCharsets.US_ASCII));
    }

    private Instant[] validityPeriod(CertificateAuthority ca, Instant notBefore, Instant notAfter, Duration validity)
            throws PkiException {
        Instant caEnd = ca.certificate().getNotAfter().toInstant();
        Instant from = notBefore != null ? notBefore.truncatedTo(ChronoUnit.SECONDS) : now().minus(BACKDATE);
        Instant until;
        if (notAfter != null) {
            until = notAfter.truncatedTo(ChronoUnit.SECONDS);
            if (until.isAfter(caEnd)) {
                throw new PkiException(PkiException.Reason.INVALID_INPUT,
                        "notAfter " + until + " is past the CA's end of validity " + caEnd);
            }
        } else {
            checkPositive("validity", validity);
            until = min(from.plus(validity), caEnd);
        }
        if (!until.isAfter(from)) {
            throw new PkiException(PkiException.Reason.INVALID_INPUT,
                    "validity period is empty (notBefore " + from + ", notAfter " + until + ")");
        }
        return new Instant[] {from, until};
    }

    private static Identity checkIdentity(String name) throws PkiException {
        Identity id = Identity.parse(name);
        if (PkiDirectory.RESERVED.contains(id.name().toLowerCase(Locale.ROOT))) {
            throw new PkiException(PkiException.Reason.INVALID_INPUT,
                    "identity '" + id + "' is reserved (its files would collide with the CA, server or role files)");
        }
        return id;
    }

    private static List<GeneralName> serverSans(List<String> extra) throws PkiException {
        List<GeneralName> sans = new ArrayList<>(List.of(
                new GeneralName(GeneralName.dNSName, "localhost"),
                new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
                new GeneralName(GeneralName.iPAddress, "::1")));
        for (String text : extra) {
            GeneralName name = parseSan(text);
            if (!sans.contains(name)) {
                sans.add(name);
            }
        }
        return sans;
    }

    /** {@code DNS:name}, {@code IP:address}, or a bare value (an IP literal if it parses as one). */
    static GeneralName parseSan(String text) throws PkiException {
        String t = text == null ? "" : text.trim();
        String lower = t.toLowerCase(Locale.ROOT);
        if (lower.startsWith("ip:")) {
            String ip = t.substring(3);
            if (!IPAddress.isValid(ip)) {
                throw new PkiException(PkiException.Reason.INVALID_INPUT, "SAN '" + printable(t) + "': not an IP address");
            }
            return new GeneralName(GeneralName.iPAddress, ip);
        }
        String dns = lower.startsWith("dns:") ? t.substring(4) : t;
        if (!lower.startsWith("dns:") && IPAddress.isValid(dns)) {
            return new GeneralName(GeneralName.iPAddress, dns);
        }
        if (!dns.matches("(\\*\\.)?([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*")
                || dns.length() > 253) {
            throw new PkiException(PkiException.Reason.INVALID_INPUT, "SAN '" + printable(t) + "': not a DNS name");
        }
        return new GeneralName(GeneralName.dNSName, dns.toLowerCase(Locale.ROOT));
    }

    private static String checkName(String what, String name) throws PkiException {
        if (name == null || name.isBlank() || name.length() > 64 || !name.chars().allMatch(c -> c >= 0x20 && c < 0x7f)) {
            throw new PkiException(PkiException.Reason.INVALID_INPUT, what + " must be 1-64 printable ASCII characters");
        }
        return name;
    }

    private static void checkPositive(String what, Duration d) throws PkiException {
        if (d.isNegative() || d.isZero()) {
            throw new PkiException(PkiException.Reason.INVALID_INPUT, what + " must be positive");
        }
    }

    private static String printable(String s) {
        return s.codePoints().limit(80).mapToObj(c -> c >= 0x20 && c < 0x7f ? Character.toString(c) : "?")
                .reduce("", String::concat);
    }

    private byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.SECONDS);
    }

    private static Instant min(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }
}
