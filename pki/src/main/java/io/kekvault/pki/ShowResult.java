package io.kekvault.pki;

import java.util.List;

/**
 * Every certificate of a PKI directory ({@code ca} first, then {@code server}, then identities by
 * name), with files that could not be read listed as problems rather than aborting the listing.
 */
public record ShowResult(PkiDirectory directory, List<CertificateInfo> certificates, List<String> problems) {

    public ShowResult {
        certificates = List.copyOf(certificates);
        problems = List.copyOf(problems);
    }

    public String summary() {
        StringBuilder b = new StringBuilder("PKI directory " + directory.root() + ": "
                + certificates.size() + " certificate(s)\n");
        certificates.forEach(c -> b.append(c.summary()));
        problems.forEach(p -> b.append("problem: ").append(p).append('\n'));
        return b.toString();
    }
}
