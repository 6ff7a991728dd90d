package io.kekvault.pki;

import java.math.BigInteger;
import java.security.PublicKey;
import java.util.Set;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.pkcs.Attribute;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.RSAPublicKey;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;

/**
 * What a CSR must satisfy before the CA turns it into a client certificate: a signature that
 * verifies with its own key under a SHA-2 algorithm, a key that is RSA of at least 2048 bits
 * (exponent at least 65537) or EC on P-256/P-384/P-521, exactly one CN that is a valid
 * {@link Identity}, and no requested extension that would make it a CA or a TLS server.
 * Other requested extensions are ignored: the issued certificate copies only the key and CN.
 */
final class CsrPolicy {

    static final int MIN_RSA_BITS = 2048;
    /** Larger moduli are no stronger in practice and make verification a denial-of-service lever. */
    static final int MAX_RSA_BITS = 8192;

    private static final Set<ASN1ObjectIdentifier> SIGNATURE_ALGORITHMS = Set.of(
            PKCSObjectIdentifiers.sha256WithRSAEncryption,
            PKCSObjectIdentifiers.sha384WithRSAEncryption,
            PKCSObjectIdentifiers.sha512WithRSAEncryption,
            PKCSObjectIdentifiers.id_RSASSA_PSS,
            X9ObjectIdentifiers.ecdsa_with_SHA256,
            X9ObjectIdentifiers.ecdsa_with_SHA384,
            X9ObjectIdentifiers.ecdsa_with_SHA512);

    private static final Set<ASN1ObjectIdentifier> CURVES = Set.of(
            SECObjectIdentifiers.secp256r1, SECObjectIdentifiers.secp384r1, SECObjectIdentifiers.secp521r1);

    private CsrPolicy() {
    }

    /** A CSR that passed every check: its identity and public key. */
    record Accepted(Identity identity, PublicKey publicKey) {
    }

    static Accepted check(PKCS10CertificationRequest csr) throws PkiException {
        // Key first: it is cheap, and it bounds the cost of the signature check below.
        SubjectPublicKeyInfo keyInfo = csr.getSubjectPublicKeyInfo();
        checkKeyStrength(keyInfo);
        ASN1ObjectIdentifier signatureAlgorithm = csr.getSignatureAlgorithm().getAlgorithm();
        if (!SIGNATURE_ALGORITHMS.contains(signatureAlgorithm)) {
            throw new PkiException(PkiException.Reason.BAD_SIGNATURE,
                    "CSR signature algorithm " + signatureAlgorithm.getId() + " is refused (use SHA-256 or stronger)");
        }
        boolean valid;
        try {
            valid = csr.isSignatureValid(new JcaContentVerifierProviderBuilder().build(keyInfo));
        } catch (Exception e) {
            // PKCSException, OperatorCreationException, or a parse failure of a mangled signature.
            valid = false;
        }
        if (!valid) {
            throw new PkiException(PkiException.Reason.BAD_SIGNATURE, "CSR signature does not verify");
        }
        checkRequestedExtensions(csr);
        Identity identity;
        try {
            identity = Identity.fromSubject(csr.getSubject());
        } catch (PkiException e) {
            throw new PkiException(PkiException.Reason.INVALID_INPUT, "CSR: " + e.getMessage());
        }
        try {
            return new Accepted(identity, new JcaPEMKeyConverter().getPublicKey(keyInfo));
        } catch (Exception e) {
            throw new PkiException(PkiException.Reason.WEAK_KEY, "CSR public key cannot be decoded", e);
        }
    }

    private static void checkKeyStrength(SubjectPublicKeyInfo keyInfo) throws PkiException {
        ASN1ObjectIdentifier algorithm = keyInfo.getAlgorithm().getAlgorithm();
        try {
            if (PKCSObjectIdentifiers.rsaEncryption.equals(algorithm)) {
                RSAPublicKey rsa = RSAPublicKey.getInstance(keyInfo.parsePublicKey());
                int bits = rsa.getModulus().bitLength();
                BigInteger e = rsa.getPublicExponent();
                if (bits < MIN_RSA_BITS) {
                    throw new PkiException(PkiException.Reason.WEAK_KEY,
                            "CSR RSA key has " + bits + " bits, at least " + MIN_RSA_BITS + " required");
                }
                if (bits > MAX_RSA_BITS) {
                    throw new PkiException(PkiException.Reason.WEAK_KEY,
                            "CSR RSA key has " + bits + " bits, at most " + MAX_RSA_BITS + " accepted");
                }
                if (!e.testBit(0) || e.compareTo(BigInteger.valueOf(65537)) < 0) {
                    throw new PkiException(PkiException.Reason.WEAK_KEY, "CSR RSA public exponent must be odd and >= 65537");
                }
                return;
            }
            if (X9ObjectIdentifiers.id_ecPublicKey.equals(algorithm)) {
                ASN1Encodable parameters = keyInfo.getAlgorithm().getParameters();
                ASN1Primitive primitive = parameters == null ? null : parameters.toASN1Primitive();
                if (!(primitive instanceof ASN1ObjectIdentifier curve) || !CURVES.contains(curve)) {
                    throw new PkiException(PkiException.Reason.WEAK_KEY,
                            "CSR EC key must use a named curve P-256, P-384 or P-521");
                }
                return;
            }
        } catch (java.io.IOException | IllegalArgumentException e) {
            throw new PkiException(PkiException.Reason.INVALID_INPUT, "CSR public key is malformed", e);
        }
        throw new PkiException(PkiException.Reason.WEAK_KEY,
                "CSR key type " + algorithm.getId() + " is not supported (use EC P-256 or RSA >= 2048)");
    }

    private static void checkRequestedExtensions(PKCS10CertificationRequest csr) throws PkiException {
        for (Attribute attribute : csr.getAttributes(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest)) {
            for (ASN1Encodable value : attribute.getAttrValues()) {
                Extensions extensions;
                BasicConstraints basicConstraints;
                KeyUsage keyUsage;
                ExtendedKeyUsage extendedKeyUsage;
                try {
                    extensions = Extensions.getInstance(value);
                    basicConstraints = BasicConstraints.fromExtensions(extensions);
                    keyUsage = KeyUsage.fromExtensions(extensions);
                    extendedKeyUsage = ExtendedKeyUsage.fromExtensions(extensions);
                } catch (IllegalArgumentException | IllegalStateException e) {
                    throw new PkiException(PkiException.Reason.INVALID_INPUT, "CSR extension request is malformed", e);
                }
                if (basicConstraints != null && basicConstraints.isCA()) {
                    throw new PkiException(PkiException.Reason.FORBIDDEN_EXTENSION,
                            "CSR requests a CA certificate (basicConstraints CA:TRUE)");
                }
                if (keyUsage != null && (keyUsage.hasUsages(KeyUsage.keyCertSign) || keyUsage.hasUsages(KeyUsage.cRLSign))) {
                    throw new PkiException(PkiException.Reason.FORBIDDEN_EXTENSION,
                            "CSR requests CA key usages (keyCertSign/cRLSign)");
                }
                if (extendedKeyUsage != null && (extendedKeyUsage.hasKeyPurposeId(KeyPurposeId.id_kp_serverAuth)
                        || extendedKeyUsage.hasKeyPurposeId(KeyPurposeId.anyExtendedKeyUsage))) {
                    throw new PkiException(PkiException.Reason.FORBIDDEN_EXTENSION,
                            "CSR requests serverAuth (or anyExtendedKeyUsage); only clientAuth certificates are issued");
                }
            }
        }
    }
}
