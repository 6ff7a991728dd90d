package io.kekvault.pki;

import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.ECKey;
import java.security.interfaces.RSAKey;

/** Small key helpers shared by the CA and the TLS layer. */
public final class Keys {

    private Keys() {
    }

    /** The SHA-256 signature algorithm for a key: {@code SHA256withECDSA} or {@code SHA256withRSA}. */
    public static String signatureAlgorithm(PrivateKey key) throws PkiException {
        return switch (key) {
            case ECKey _ -> "SHA256withECDSA";
            case RSAKey _ -> "SHA256withRSA";
            default -> throw new PkiException(PkiException.Reason.WEAK_KEY,
                    "unsupported private key type " + key.getAlgorithm() + " (use EC P-256 or RSA)");
        };
    }

    /**
     * Whether {@code privateKey} is the private half of {@code publicKey}, checked by signing a
     * random challenge: catches a certificate and key file that do not belong together before a
     * TLS handshake fails obscurely.
     */
    public static boolean matches(PrivateKey privateKey, PublicKey publicKey) {
        try {
            String algorithm = signatureAlgorithm(privateKey);
            byte[] challenge = new byte[32];
            new SecureRandom().nextBytes(challenge);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(privateKey);
            signer.update(challenge);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(publicKey);
            verifier.update(challenge);
            return verifier.verify(signature);
        } catch (GeneralSecurityException | PkiException e) {
            return false;
        }
    }
}
