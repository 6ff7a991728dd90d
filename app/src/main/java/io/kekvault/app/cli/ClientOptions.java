package io.kekvault.app.cli;

import io.kekvault.kmip.http.KmsHttpClient;
import io.kekvault.pki.Identity;
import io.kekvault.pki.PkiDirectory;
import io.kekvault.pki.tls.TlsContext;
import io.kekvault.pki.tls.TlsMaterial;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import picocli.CommandLine.Option;

/** How operator commands reach the KMS: endpoints and the client's mutual-TLS material. */
public final class ClientOptions {
    @Option(names = "--server", split = ",", defaultValue = "https://127.0.0.1:8443",
            description = "KMS HTTPS endpoint(s), comma-separated for fail-over (default ${DEFAULT-VALUE})")
    List<URI> servers;

    @Option(names = "--pki", description = "PKI directory holding ca.pem and <identity>.pem/.key (e.g. DEV_DIR/pki)")
    Path pki;

    @Option(names = "--identity", defaultValue = "admin", description = "identity to use with --pki (default ${DEFAULT-VALUE})")
    String identity;

    @Option(names = "--ca", description = "CA bundle (PEM)") Path ca;
    @Option(names = "--cert", description = "client certificate (PEM)") Path cert;
    @Option(names = "--key", description = "client private key (PEM, PKCS#8)") Path key;

    TlsMaterial material() throws Exception {
        if (cert != null || key != null || ca != null) {
            if (cert == null || key == null || ca == null) {
                throw new IllegalArgumentException("--ca, --cert and --key go together");
            }
            return TlsMaterial.load(cert, key, ca);
        }
        if (pki == null) {
            throw new IllegalArgumentException("give --pki DIR [--identity NAME] or --ca/--cert/--key");
        }
        return TlsMaterial.client(new PkiDirectory(pki), Identity.parse(identity));
    }

    public KmsHttpClient httpClient() throws Exception {
        TlsContext tls = TlsContext.client(material());
        return new KmsHttpClient(servers, tls.sslContext(), tls.sslParameters(), Duration.ofSeconds(30),
                (from, to, why) -> System.err.println("kms " + from + " failed (" + why + "); trying " + to));
    }
}
