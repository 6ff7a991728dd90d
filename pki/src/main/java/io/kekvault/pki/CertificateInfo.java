package io.kekvault.pki;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import javax.security.auth.x500.X500Principal;

/**
 * A printable description of one certificate.
 *
 * @param name              file stem: {@code ca}, {@code server} or the identity
 * @param subject           RFC 2253 subject
 * @param issuer            RFC 2253 issuer
 * @param serial            serial number, lower-case hex
 * @param notBefore         start of validity
 * @param notAfter          end of validity
 * @param publicKey         key type and size, e.g. {@code EC P-256}, {@code RSA 3072}
 * @param certificateAuthority whether basicConstraints says CA
 * @param subjectAltNames   {@code DNS:...}, {@code IP:...} entries
 * @param keyUsage          key usage bit names (e.g. {@code digitalSignature}, {@code keyCertSign})
 * @param extendedKeyUsage  EKU names ({@code serverAuth}, {@code clientAuth}) or OIDs
 * @param sha256Fingerprint SHA-256 of the DER, upper-case hex pairs separated by ':' (as openssl prints)
 * @param role              the role recorded in {@code roles.properties}, if any
 * @param status            {@code valid}, {@code expired} or {@code not yet valid} when described
 * @param issuedByCa        whether the directory's CA signature verifies on it
 */
public record CertificateInfo(
        String name,
        String subject,
        String issuer,
        String serial,
        Instant notBefore,
        Instant notAfter,
        String publicKey,
        boolean certificateAuthority,
        List<String> subjectAltNames,
        List<String> keyUsage,
        List<String> extendedKeyUsage,
        String sha256Fingerprint,
        Optional<String> role,
        String status,
        boolean issuedByCa) {

    private static final String[] KEY_USAGE_NAMES = {
        "digitalSignature", "nonRepudiation", "keyEncipherment", "dataEncipherment", "keyAgreement",
        "keyCertSign", "cRLSign", "encipherOnly", "decipherOnly"
    };

    public CertificateInfo {
        subjectAltNames = List.copyOf(subjectAltNames);
        keyUsage = List.copyOf(keyUsage);
        extendedKeyUsage = List.copyOf(extendedKeyUsage);
    }

    /** Describes {@code certificate} as of {@code now}; {@code ca} may be null (then issuedByCa is false). */
    public static CertificateInfo describe(String name, X509Certificate certificate, Optional<String> role,
            X509Certificate ca, Instant now) {
        String status = now.isBefore(certificate.getNotBefore().toInstant()) ? "not yet valid"
                : now.isAfter(certificate.getNotAfter().toInstant()) ? "expired" : "valid";
        return new CertificateInfo(
                name,
                certificate.getSubjectX500Principal().getName(X500Principal.RFC2253),
                certificate.getIssuerX500Principal().getName(X500Principal.RFC2253),
                certificate.getSerialNumber().toString(16),
                certificate.getNotBefore().toInstant(),
                certificate.getNotAfter().toInstant(),
                describeKey(certificate.getPublicKey()),
                certificate.getBasicConstraints() >= 0,
                subjectAltNames(certificate),
                keyUsage(certificate),
                extendedKeyUsage(certificate),
                fingerprint(certificate),
                role,
                status,
                ca != null && verifies(certificate, ca));
    }

    /** Upper-case, colon-separated SHA-256 of the DER encoding, as {@code openssl x509 -fingerprint -sha256}. */
    public static String fingerprint(X509Certificate certificate) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded());
            return HexFormat.ofDelimiter(":").withUpperCase().formatHex(digest);
        } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
            throw new IllegalStateException("cannot fingerprint certificate", e);
        }
    }

    static String describeKey(PublicKey key) {
        return switch (key) {
            case ECPublicKey ec -> switch (ec.getParams().getCurve().getField().getFieldSize()) {
                case 256 -> "EC P-256";
                case 384 -> "EC P-384";
                case 521 -> "EC P-521";
                default -> "EC " + ec.getParams().getCurve().getField().getFieldSize() + "-bit";
            };
            case RSAPublicKey rsa -> "RSA " + rsa.getModulus().bitLength();
            default -> key.getAlgorithm();
        };
    }

    private static boolean verifies(X509Certificate certificate, X509Certificate ca) {
        try {
            certificate.verify(ca.getPublicKey());
            return certificate.getIssuerX500Principal().equals(ca.getSubjectX500Principal());
        } catch (java.security.GeneralSecurityException e) {
            return false;
        }
    }

    private static List<String> subjectAltNames(X509Certificate certificate) {
        Collection<List<?>> names;
        try {
            names = certificate.getSubjectAlternativeNames();
        } catch (CertificateParsingException e) {
            return List.of("<unparsable>");
        }
        if (names == null) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (List<?> entry : names) {
            int type = (Integer) entry.get(0);
            Object value = entry.get(1);
            out.add(switch (type) {
                case 1 -> "email:" + value;
                case 2 -> "DNS:" + value;
                case 6 -> "URI:" + value;
                case 7 -> "IP:" + value;
                default -> "other(" + type + ")";
            });
        }
        return out;
    }

    private static List<String> keyUsage(X509Certificate certificate) {
        boolean[] bits = certificate.getKeyUsage();
        List<String> out = new ArrayList<>();
        if (bits != null) {
            for (int i = 0; i < bits.length && i < KEY_USAGE_NAMES.length; i++) {
                if (bits[i]) {
                    out.add(KEY_USAGE_NAMES[i]);
                }
            }
        }
        return out;
    }

    private static List<String> extendedKeyUsage(X509Certificate certificate) {
        List<String> oids;
        try {
            oids = certificate.getExtendedKeyUsage();
        } catch (CertificateParsingException e) {
            return List.of("<unparsable>");
        }
        if (oids == null) {
            return List.of();
        }
        return oids.stream().map(oid -> switch (oid) {
            case "1.3.6.1.5.5.7.3.1" -> "serverAuth";
            case "1.3.6.1.5.5.7.3.2" -> "clientAuth";
            case "2.5.29.37.0" -> "anyExtendedKeyUsage";
            default -> oid;
        }).toList();
    }

    /** Multi-line text for the CLI. */
    public String summary() {
        StringBuilder b = new StringBuilder();
        b.append(name).append(":\n");
        line(b, "subject", subject);
        line(b, "issuer", issuer + (issuedByCa ? "  (this directory's CA)" : "  (NOT this directory's CA)"));
        line(b, "serial", serial);
        line(b, "validity", notBefore + " .. " + notAfter + "  (" + status + ")");
        line(b, "public key", publicKey);
        line(b, "CA", certificateAuthority ? "yes" : "no");
        line(b, "SANs", subjectAltNames.isEmpty() ? "-" : String.join(", ", subjectAltNames));
        line(b, "key usage", keyUsage.isEmpty() ? "-" : String.join(", ", keyUsage));
        line(b, "ext. key usage", extendedKeyUsage.isEmpty() ? "-" : String.join(", ", extendedKeyUsage));
        line(b, "SHA-256", sha256Fingerprint);
        line(b, "role", role.orElse("-"));
        return b.toString();
    }

    private static void line(StringBuilder b, String label, String value) {
        b.append("  ").append(String.format("%-15s", label)).append(value).append('\n');
    }
}
