package io.kekvault.kms.testkit;

import io.kekvault.pki.tls.TlsMaterial;
import java.net.Socket;
import java.nio.file.Path;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509KeyManager;

/**
 * A TLS client context that presents its certificate whatever CA the server asks for (a JDK
 * client otherwise sends no certificate the server's CA list does not name), to test the KMS's
 * own refusal of foreign certificates.
 */
public final class InsistentClient {
    private InsistentClient() {
    }

    public static SSLContext sslContext(TlsMaterial m, Path trustedCa) throws Exception {
        X509KeyManager km = m.keyManager().orElseThrow();
        X509ExtendedKeyManager any = new X509ExtendedKeyManager() {
            private String alias() {
                String[] a = km.getClientAliases("EC", null);
                return a != null && a.length > 0 ? a[0] : km.getClientAliases("RSA", null)[0];
            }

            @Override
            public String[] getClientAliases(String keyType, Principal[] issuers) {
                return km.getClientAliases(keyType, null);
            }

            @Override
            public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
                return alias();
            }

            @Override
            public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
                return alias();
            }

            @Override
            public String[] getServerAliases(String keyType, Principal[] issuers) {
                return null;
            }

            @Override
            public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
                return null;
            }

            @Override
            public X509Certificate[] getCertificateChain(String alias) {
                return km.getCertificateChain(alias);
            }

            @Override
            public PrivateKey getPrivateKey(String alias) {
                return km.getPrivateKey(alias);
            }
        };
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(new javax.net.ssl.KeyManager[] {any}, new javax.net.ssl.TrustManager[] {
            TlsMaterial.trustOnly(trustedCa).trustManager()}, new SecureRandom());
        return ctx;
    }
}
