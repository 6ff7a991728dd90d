package io.kekvault.pki;

import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Objects;
import java.util.regex.Pattern;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;

/**
 * A client identity: the single Common Name of its certificate (e.g. {@code vcenter},
 * {@code esxi-h1}). The name is also the stem of the identity's files in a PKI directory, so its
 * syntax is restricted: 1 to 64 characters from {@code A-Z a-z 0-9 . _ @ -}, starting with a letter
 * or digit. Anything else (spaces, slashes, "..", control characters) is refused, both when a
 * certificate is issued and when a peer certificate is mapped back to an identity.
 *
 * @param name the validated identity name
 */
public record Identity(String name) implements Comparable<Identity> {

    private static final Pattern SYNTAX = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@-]{0,63}");

    public Identity {
        Objects.requireNonNull(name, "name");
        if (!SYNTAX.matcher(name).matches() || name.contains("..")) {
            throw new IllegalArgumentException("invalid identity name (allowed: 1-64 of A-Z a-z 0-9 . _ @ -, "
                    + "starting with a letter or digit)");
        }
    }

    /** Validates {@code name}; unlike the constructor, reports a bad name as a {@link PkiException}. */
    public static Identity parse(String name) throws PkiException {
        try {
            return new Identity(name);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new PkiException(PkiException.Reason.INVALID_INPUT,
                    "identity " + quote(name) + ": " + e.getMessage());
        }
    }

    /**
     * The identity named by a certificate's subject. Refuses a subject without a CN, with more than
     * one CN, with a CN inside a multi-valued RDN, or with a CN that is not a valid identity name.
     * This does not check the certificate chain: call it only on a peer certificate the TLS layer
     * has already verified.
     */
    public static Identity fromCertificate(X509Certificate certificate) throws PkiException {
        Objects.requireNonNull(certificate, "certificate");
        return fromSubject(X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded()));
    }

    /** The identity of the verified peer of a TLS session (its leaf certificate). */
    public static Identity fromSession(SSLSession session) throws PkiException {
        Certificate[] chain;
        try {
            chain = session.getPeerCertificates();
        } catch (SSLPeerUnverifiedException e) {
            throw new PkiException(PkiException.Reason.INVALID_IDENTITY, "peer presented no verified certificate", e);
        }
        if (chain.length == 0 || !(chain[0] instanceof X509Certificate leaf)) {
            throw new PkiException(PkiException.Reason.INVALID_IDENTITY, "peer presented no X.509 certificate");
        }
        return fromCertificate(leaf);
    }

    static Identity fromSubject(X500Name subject) throws PkiException {
        String cn = singleCommonName(subject);
        try {
            return new Identity(cn);
        } catch (IllegalArgumentException e) {
            throw new PkiException(PkiException.Reason.INVALID_IDENTITY,
                    "certificate CN " + quote(cn) + ": " + e.getMessage());
        }
    }

    /** The one CN of {@code subject}; refuses zero, several, or a multi-valued RDN. */
    static String singleCommonName(X500Name subject) throws PkiException {
        RDN[] cns = subject.getRDNs(BCStyle.CN);
        if (cns.length != 1) {
            throw new PkiException(PkiException.Reason.INVALID_IDENTITY,
                    "subject must carry exactly one CN, found " + cns.length);
        }
        if (cns[0].isMultiValued()) {
            throw new PkiException(PkiException.Reason.INVALID_IDENTITY, "subject CN is part of a multi-valued RDN");
        }
        ASN1Encodable value = cns[0].getFirst().getValue();
        if (!(value instanceof ASN1String text)) {
            throw new PkiException(PkiException.Reason.INVALID_IDENTITY, "subject CN is not a string");
        }
        return text.getString();
    }

    private static String quote(String s) {
        if (s == null) {
            return "<none>";
        }
        // Printable ASCII only: a hostile CN must not inject control characters into logs or terminals.
        StringBuilder b = new StringBuilder("'");
        s.codePoints().limit(80).forEach(c -> b.append(c >= 0x20 && c < 0x7f ? Character.toString(c) : "?"));
        return b.append(s.length() > 80 ? "...'" : "'").toString();
    }

    @Override
    public int compareTo(Identity other) {
        return name.compareTo(other.name);
    }

    @Override
    public String toString() {
        return name;
    }
}
