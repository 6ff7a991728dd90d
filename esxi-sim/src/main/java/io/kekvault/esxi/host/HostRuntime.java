package io.kekvault.esxi.host;

import io.kekvault.esxi.crypto.XtsEngineFactory;
import io.kekvault.esxi.crypto.XtsEngines;
import io.kekvault.esxi.kms.KeyProvider;
import io.kekvault.esxi.kms.KeyProviders;
import io.kekvault.kmip.http.KmsHttpClient;
import io.kekvault.pki.Identity;
import io.kekvault.pki.PkiDirectory;
import io.kekvault.pki.tls.TlsContext;
import io.kekvault.pki.tls.TlsMaterial;
import io.kekvault.pki.tls.TlsPolicy;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.TrustOptions;
import java.net.URI;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.X509TrustManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the hosts of a {@link HostConfig} in one process: each with its own client identity toward
 * the KMS, its own HTTPS command endpoint and its cluster's datastore. Start-up recovers what a
 * previous run of each host left behind before its endpoint accepts commands.
 */
public final class HostRuntime implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HostRuntime.class);

    /** A started host and the port its endpoint listens on. */
    public record Running(Host host, String bindHost, int port) {
        public String url() {
            return "https://" + bindHost + ":" + port;
        }
    }

    private final Vertx vertx;
    private final List<Running> running = new ArrayList<>();
    private final List<HttpServer> servers = new ArrayList<>();

    private HostRuntime(Vertx vertx) {
        this.vertx = vertx;
    }

    /** Starts every host; {@code probe} is {@link JobProbe#NONE} outside tests. */
    public static HostRuntime start(HostConfig.Resolved config, JobProbe probe) throws Exception {
        XtsEngineFactory engines = XtsEngines.byName(config.xtsEngine());
        HostRuntime rt = new HostRuntime(Vertx.vertx());
        try {
            PkiDirectory pki = PkiDirectory.of(config.pkiDir());
            TlsMaterial serverTls = TlsMaterial.load(config.serverCert(), config.serverKey(), pki.caCertificate());
            X509TrustManager trust = serverTls.trustManager();
            for (HostConfig.ResolvedHost h : config.hosts()) {
                TlsContext client = TlsContext.client(TlsMaterial.client(pki, Identity.parse(h.identity())));
                Map<String, KeyProvider> providers = new LinkedHashMap<>();
                List<String> urls = new ArrayList<>();
                for (Map.Entry<String, List<URI>> p : h.providers().entrySet()) {
                    String name = p.getKey();
                    KmsHttpClient http = new KmsHttpClient(p.getValue(), client.sslContext(), client.sslParameters(),
                            Duration.ofSeconds(config.kmsTimeoutSeconds()),
                            (from, to, why) -> LOG.warn("event=kms_failover host={} provider={} from={} to={} why=\"{}\"",
                                    h.id(), name, from, to, why));
                    providers.put(name, new KeyProvider(name, h.identity(), http));
                    p.getValue().forEach(u -> urls.add(u.toString()));
                }
                Host host = new Host(new Host.Settings(h.id(), h.identity(), h.cluster(), h.datastore(), config.xtsWorkers()),
                        new KeyProviders(providers), engines, probe);
                host.recoverOnStart();
                HostApi api = new HostApi(rt.vertx, host, new BridgeAuthenticator(trust, config.bridgeIdentity()), urls);
                HttpServerOptions o = new HttpServerOptions().setSsl(true)
                        .setKeyCertOptions(KeyCertOptions.wrap(serverTls.keyManager().orElseThrow()))
                        .setTrustOptions(TrustOptions.wrap(new AcceptAnyClient(trust)))
                        .setClientAuth(ClientAuth.REQUEST)
                        .setEnabledSecureTransportProtocols(new LinkedHashSet<>(TlsPolicy.PROTOCOLS))
                        .setIdleTimeout(120);
                TlsPolicy.CIPHER_SUITES.forEach(o::addEnabledCipherSuite);
                HttpServer server = await(rt.vertx.createHttpServer(o).requestHandler(api.router()).listen(h.port(), h.bindHost()));
                rt.servers.add(server);
                rt.running.add(new Running(host, h.bindHost(), server.actualPort()));
                LOG.info("event=host_started host={} identity={} cluster={} datastore={} port={} providers={} xts={}",
                        h.id(), h.identity(), h.cluster(), h.datastore(), server.actualPort(), providers.keySet(), engines.name());
            }
            return rt;
        } catch (Exception | Error e) {
            rt.close();
            throw e;
        }
    }

    public List<Running> hosts() {
        return List.copyOf(running);
    }

    private static <T> T await(Future<T> f) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    /** Stops the endpoints, closes every open VM (DEKs zeroized). */
    @Override
    public void close() {
        for (HttpServer s : servers) {
            try {
                await(s.close());
            } catch (Exception e) {
                LOG.warn("event=endpoint_close_failed error=\"{}\"", e.toString());
            }
        }
        for (Running r : running) {
            r.host().close();
        }
        try {
            await(vertx.close());
        } catch (Exception e) {
            LOG.warn("event=vertx_close_failed error=\"{}\"", e.toString());
        }
        LOG.info("event=hosts_stopped count={}", running.size());
    }

    /**
     * Lets any client certificate through the handshake (which still proves key possession) so
     * {@link BridgeAuthenticator} can answer a readable refusal; advertises the CA.
     */
    static final class AcceptAnyClient implements X509TrustManager {
        private final X509TrustManager delegate;

        AcceptAnyClient(X509TrustManager delegate) {
            this.delegate = delegate;
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
            // decided per request by BridgeAuthenticator
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws java.security.cert.CertificateException {
            delegate.checkServerTrusted(chain, authType);
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return delegate.getAcceptedIssuers();
        }
    }
}
