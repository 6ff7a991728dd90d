package io.kekvault.kmip.client;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A throw-away CA with a server and a client certificate, made with the openssl CLI (EC P-256). */
final class TestPki {
    static final char[] PASSWORD = "kekvault-test".toCharArray();

    final Path dir;
    final Path caCert;
    final Path serverCert;
    final Path serverKey;
    final Path clientP12;

    private TestPki(Path dir) {
        this.dir = dir;
        this.caCert = dir.resolve("ca.crt");
        this.serverCert = dir.resolve("server.crt");
        this.serverKey = dir.resolve("server.key");
        this.clientP12 = dir.resolve("client.p12");
    }

    static TestPki create(Path dir) throws IOException, InterruptedException {
        TestPki p = new TestPki(dir);
        openssl(dir, "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "ca.key");
        openssl(dir, "req", "-x509", "-new", "-key", "ca.key", "-sha256", "-days", "2", "-subj", "/CN=Kekvault Test CA",
                "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign", "-out", "ca.crt");
        leaf(dir, "server", "/CN=localhost",
                "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature\n");
        leaf(dir, "client", "/CN=kekvault-test-client", "extendedKeyUsage=clientAuth\nkeyUsage=critical,digitalSignature\n");
        openssl(dir, "pkcs12", "-export", "-in", "client.crt", "-inkey", "client.key", "-certfile", "ca.crt", "-name", "client",
                "-out", "client.p12", "-passout", "pass:" + new String(PASSWORD));
        return p;
    }

    private static void leaf(Path dir, String name, String subject, String extensions) throws IOException, InterruptedException {
        Files.writeString(dir.resolve(name + ".ext"), extensions);
        openssl(dir, "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", name + ".key");
        openssl(dir, "req", "-new", "-key", name + ".key", "-subj", subject, "-out", name + ".csr");
        openssl(dir, "x509", "-req", "-in", name + ".csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-days", "2",
                "-sha256", "-extfile", name + ".ext", "-out", name + ".crt");
    }

    static void openssl(Path dir, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add("openssl");
        cmd.addAll(List.of(args));
        Process p;
        try {
            p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new IllegalStateException("the openssl CLI is required for this test (apt-get install openssl)", e);
        }
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("openssl " + String.join(" ", args) + " failed: " + out);
        }
    }

    /** The client side of mutual TLS: the client key and certificate, and the test CA as the only trust anchor. */
    SSLContext clientContext() throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(clientP12)) {
            ks.load(in, PASSWORD);
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, PASSWORD);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), trustManagers(), null);
        return ctx;
    }

    TrustManagerFactory trust() throws Exception {
        KeyStore ts = KeyStore.getInstance("PKCS12");
        ts.load(null, null);
        try (InputStream in = Files.newInputStream(caCert)) {
            ts.setCertificateEntry("ca", (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ts);
        return tmf;
    }

    private javax.net.ssl.TrustManager[] trustManagers() throws Exception {
        return trust().getTrustManagers();
    }
}
