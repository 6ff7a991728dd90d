package io.kekvault.pki;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A CA certificate with its private key, and the three certificate profiles it issues:
 * <ul>
 *   <li>CA: basicConstraints CA:true pathlen 0 (critical), keyCertSign|cRLSign (critical), SKI;</li>
 *   <li>server: CA:false, digitalSignature (critical), EKU serverAuth, SANs, SKI, AKI;</li>
 *   <li>client: CA:false, digitalSignature (critical), EKU clientAuth, CN = identity, SKI, AKI.</li>
 * </ul>
 * Leaf certificates carry no role and copy nothing from a request but its public key and CN.
 * Serial numbers are 128 random bits, positive. Signatures are SHA-256.
 */
final class CertificateAuthority {

    private final X509Certificate certificate;
    private final PrivateKey key;

    private CertificateAuthority(X509Certificate certificate, PrivateKey key) {
        this.certificate = certificate;
        this.key = key;
    }

    X509Certificate certificate() {
        return certificate;
    }

    /** Loads {@code ca.pem} and {@code ca.key}, checking they are a CA and belong together. */
    static CertificateAuthority load(PkiDirectory dir) throws PkiException {
        X509Certificate certificate = Pem.readCertificate(dir.caCertificate());
        PrivateKey key = Pem.readPrivateKey(dir.caKey());
        if (certificate.getBasicConstraints() < 0) {
            throw new PkiException(PkiException.Reason.INVALID_INPUT, dir.caCertificate() + ": not a CA certificate");
        }
        if (!Keys.matches(key, certificate.getPublicKey())) {
            throw new PkiException(PkiException.Reason.INVALID_INPUT,
                    dir.caKey() + ": does not match " + dir.caCertificate());
        }
        return new CertificateAuthority(certificate, key);
    }

    static CertificateAuthority selfSigned(KeyPair keyPair, String commonName, Instant notBefore, Instant notAfter,
            SecureRandom random) throws PkiException {
        X500Name subject = new X500NameBuilder(BCStyle.INSTANCE)
                .addRDN(BCStyle.O, "Kekvault")
                .addRDN(BCStyle.CN, commonName)
                .build();
        try {
            JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject, serial(random),
                    Date.from(notBefore), Date.from(notAfter), subject, keyPair.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                    .addExtension(Extension.subjectKeyIdentifier, false,
                            utils.createSubjectKeyIdentifier(keyPair.getPublic()));
            X509Certificate certificate = sign(builder, keyPair.getPrivate());
            return new CertificateAuthority(certificate, keyPair.getPrivate());
        } catch (GeneralSecurityException | CertIOException e) {
            throw new PkiException(PkiException.Reason.CRYPTO_FAILURE, "cannot build CA certificate", e);
        }
    }

    X509Certificate issueServer(PublicKey publicKey, String commonName, List<GeneralName> sans, Instant notBefore,
            Instant notAfter, SecureRandom random) throws PkiException {
        X500Name subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, commonName).build();
        return issueLeaf(publicKey, subject, KeyPurposeId.id_kp_serverAuth,
                new GeneralNames(sans.toArray(GeneralName[]::new)), notBefore, notAfter, random);
    }

    X509Certificate issueClient(PublicKey publicKey, Identity identity, Instant notBefore, Instant notAfter,
            SecureRandom random) throws PkiException {
        X500Name subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, identity.name()).build();
        return issueLeaf(publicKey, subject, KeyPurposeId.id_kp_clientAuth, null, notBefore, notAfter, random);
    }

    private X509Certificate issueLeaf(PublicKey publicKey, X500Name subject, KeyPurposeId purpose, GeneralNames sans,
            Instant notBefore, Instant notAfter, SecureRandom random) throws PkiException {
        try {
            JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(certificate, serial(random),
                    Date.from(notBefore), Date.from(notAfter), subject, publicKey)
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                    .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose))
                    .addExtension(Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(publicKey))
                    .addExtension(Extension.authorityKeyIdentifier, false, authorityKeyIdentifier(utils));
            if (sans != null) {
                builder.addExtension(Extension.subjectAlternativeName, false, sans);
            }
            return sign(builder, key);
        } catch (GeneralSecurityException | CertIOException e) {
            throw new PkiException(PkiException.Reason.CRYPTO_FAILURE, "cannot build certificate", e);
        }
    }

    /** Reuses the CA's own SKI so AKI and SKI match byte for byte, whoever computed the SKI. */
    private AuthorityKeyIdentifier authorityKeyIdentifier(JcaX509ExtensionUtils utils) throws PkiException {
        byte[] ski = certificate.getExtensionValue(Extension.subjectKeyIdentifier.getId());
        if (ski == null) {
            return utils.createAuthorityKeyIdentifier(certificate.getPublicKey());
        }
        try {
            byte[] inner = ASN1OctetString.getInstance(ski).getOctets();
            return new AuthorityKeyIdentifier(SubjectKeyIdentifier.getInstance(inner).getKeyIdentifier());
        } catch (IllegalArgumentException e) {
            throw new PkiException(PkiException.Reason.INVALID_INPUT, "CA certificate has a malformed SKI", e);
        }
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey signingKey)
            throws PkiException, GeneralSecurityException {
        try {
            return new JcaX509CertificateConverter().getCertificate(
                    builder.build(new JcaContentSignerBuilder(Keys.signatureAlgorithm(signingKey)).build(signingKey)));
        } catch (OperatorCreationException e) {
            throw new PkiException(PkiException.Reason.CRYPTO_FAILURE, "cannot create certificate signer", e);
        }
    }

    /** 128 random bits, never zero; positive by construction (BigInteger(bits, rnd) is non-negative). */
    static BigInteger serial(SecureRandom random) {
        BigInteger serial;
        do {
            serial = new BigInteger(128, random);
        } while (serial.signum() == 0);
        return serial;
    }
}
