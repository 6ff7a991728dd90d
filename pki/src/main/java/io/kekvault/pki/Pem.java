package io.kekvault.pki;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * PEM encoding and decoding of certificates, PKCS#8 private keys and PKCS#10 requests.
 * Private keys are written as unencrypted PKCS#8 ({@code BEGIN PRIVATE KEY}); reading also accepts
 * the traditional OpenSSL forms ({@code BEGIN EC PRIVATE KEY}, {@code BEGIN RSA PRIVATE KEY}) and
 * refuses encrypted keys. Error messages name the file, never its content.
 */
public final class Pem {

    private Pem() {
    }

    /** PEM text of one certificate. */
    public static String encode(X509Certificate certificate) {
        try {
            return new String(encode("CERTIFICATE", certificate.getEncoded()), StandardCharsets.US_ASCII);
        } catch (CertificateEncodingException e) {
            throw new IllegalStateException("certificate cannot be encoded", e);
        }
    }

    /** PEM text of a PKCS#10 request. */
    public static String encode(PKCS10CertificationRequest csr) {
        try {
            return new String(encode("CERTIFICATE REQUEST", csr.getEncoded()), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new IllegalStateException("CSR cannot be encoded", e);
        }
    }

    /**
     * Unencrypted PKCS#8 PEM bytes of a private key. The caller should zero the returned array once
     * written ({@link java.util.Arrays#fill(byte[], byte)}); the intermediate DER is zeroed here.
     */
    public static byte[] encodePrivateKey(PrivateKey key) {
        if (!"PKCS#8".equals(key.getFormat())) {
            throw new IllegalArgumentException("private key is not exportable as PKCS#8");
        }
        byte[] der = key.getEncoded();
        try {
            return encode("PRIVATE KEY", der);
        } finally {
            Arrays.fill(der, (byte) 0);
        }
    }

    static byte[] encode(String type, byte[] der) {
        byte[] body = Base64.getMimeEncoder(64, new byte[] {'\n'}).encode(der);
        byte[] begin = ("-----BEGIN " + type + "-----\n").getBytes(StandardCharsets.US_ASCII);
        byte[] end = ("\n-----END " + type + "-----\n").getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[begin.length + body.length + end.length];
        System.arraycopy(begin, 0, out, 0, begin.length);
        System.arraycopy(body, 0, out, begin.length, body.length);
        System.arraycopy(end, 0, out, begin.length + body.length, end.length);
        Arrays.fill(body, (byte) 0);
        return out;
    }

    /** All certificates in a PEM file (a bundle or a chain, leaf first), at least one. */
    public static List<X509Certificate> readCertificates(Path file) throws PkiException {
        return parseCertificates(readText(file), file.toString());
    }

    /** All certificates in PEM text, at least one; {@code source} names the text in errors. */
    public static List<X509Certificate> parseCertificates(String pem, String source) throws PkiException {
        List<X509Certificate> certificates = new ArrayList<>();
        JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            Object o;
            while ((o = parser.readObject()) != null) {
                if (!(o instanceof X509CertificateHolder holder)) {
                    throw new PkiException(PkiException.Reason.INVALID_INPUT,
                            source + ": expected only CERTIFICATE blocks");
                }
                certificates.add(converter.getCertificate(holder));
            }
        } catch (IOException | CertificateException | RuntimeException e) {
            throw new PkiException(PkiException.Reason.INVALID_INPUT, source + ": not a valid PEM certificate file", e);
        }
        if (certificates.isEmpty()) {
            throw new PkiException(PkiException.Reason.INVALID_INPUT, source + ": no certificate found");
        }
        return List.copyOf(certificates);
    }

    /** The single certificate of a PEM file; refuses a file holding several. */
    public static X509Certificate readCertificate(Path file) throws PkiException {
        List<X509Certificate> all = readCertificates(file);
        if (all.size() != 1) {
            throw new PkiException(PkiException.Reason.INVALID_INPUT,
                    file + ": expected one certificate, found " + all.size());
        }
        return all.getFirst();
    }

    /** The private key of a PEM file (PKCS#8 or traditional OpenSSL form, unencrypted). */
    public static PrivateKey readPrivateKey(Path file) throws PkiException {
        byte[] bytes = readBytes(file);
        char[] chars = new char[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            chars[i] = (char) (bytes[i] & 0xff);
        }
        Arrays.fill(bytes, (byte) 0);
        try (Reader reader = new java.io.CharArrayReader(chars); PEMParser parser = new PEMParser(reader)) {
            Object o = parser.readObject();
            JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
            PrivateKey key = switch (o) {
                case PrivateKeyInfo info -> converter.getPrivateKey(info);
                case PEMKeyPair pair -> converter.getKeyPair(pair).getPrivate();
                case PKCS8EncryptedPrivateKeyInfo _, PEMEncryptedKeyPair _ -> throw new PkiException(
                        PkiException.Reason.INVALID_INPUT, file + ": encrypted private keys are not supported");
                case null -> throw new PkiException(PkiException.Reason.INVALID_INPUT, file + ": no private key found");
                default -> throw new PkiException(PkiException.Reason.INVALID_INPUT, file + ": not a private key");
            };
            if (parser.readObject() != null) {
                throw new PkiException(PkiException.Reason.INVALID_INPUT, file + ": expected a single private key");
            }
            return key;
        } catch (IOException | RuntimeException e) {
            // No cause: parser exceptions may quote the input.
            throw new PkiException(PkiException.Reason.INVALID_INPUT, file + ": not a valid PEM private key");
        } finally {
            Arrays.fill(chars, '\0');
        }
    }

    /** A PKCS#10 request from PEM text ({@code CERTIFICATE REQUEST} or {@code NEW CERTIFICATE REQUEST}). */
    public static PKCS10CertificationRequest parseCsr(String pem) throws PkiException {
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            Object o = parser.readObject();
            if (!(o instanceof PKCS10CertificationRequest csr)) {
                throw new PkiException(PkiException.Reason.INVALID_INPUT, "input is not a PEM certificate request");
            }
            if (parser.readObject() != null) {
                throw new PkiException(PkiException.Reason.INVALID_INPUT, "input holds more than one PEM object");
            }
            return csr;
        } catch (IOException | RuntimeException e) {
            throw new PkiException(PkiException.Reason.INVALID_INPUT, "input is not a valid PEM certificate request", e);
        }
    }

    static String readText(Path file) throws PkiException {
        return new String(readBytes(file), StandardCharsets.US_ASCII);
    }

    private static byte[] readBytes(Path file) throws PkiException {
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new PkiException(PkiException.Reason.NOT_FOUND, file + ": no such file");
        } catch (IOException e) {
            throw new PkiException(PkiException.Reason.IO_FAILURE, file + ": cannot read (" + e.getClass().getSimpleName() + ")", e);
        }
    }
}
