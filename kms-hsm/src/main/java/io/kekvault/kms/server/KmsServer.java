package io.kekvault.kms.server;

import io.kekvault.kmip.error.KmsException;
import io.kekvault.kms.access.AcceptAnyClientTrustManager;
import io.kekvault.kms.access.ClientAuthenticator;
import io.kekvault.kms.audit.AuditConfig;
import io.kekvault.kms.audit.AuditDurability;
import io.kekvault.kms.audit.AuditEvent;
import io.kekvault.kms.audit.AuditLog;
import io.kekvault.kms.config.KmsConfig;
import io.kekvault.kms.op.AuditQueryOp;
import io.kekvault.kms.op.AuditSink;
import io.kekvault.kms.op.Dispatcher;
import io.kekvault.kms.op.KmsServices;
import io.kekvault.kms.op.kmip.KmipHandlers;
import io.kekvault.kms.server.http.HttpApi;
import io.kekvault.kms.server.kmip.KmipProcessor;
import io.kekvault.kmip.ttlv.TtlvLimits;
import io.kekvault.kms.store.CachingMetadataStore;
import io.kekvault.kms.store.MetadataStore;
import io.kekvault.kms.store.PostgresMetadataStore;
import io.kekvault.kms.store.SqliteMetadataStore;
import io.kekvault.kms.store.SqliteStoreConfig;
import io.kekvault.kms.vault.KeyVault;
import io.kekvault.kms.vault.KeyVaults;
import io.kekvault.kms.vault.VaultStats;
import io.kekvault.pki.tls.TlsMaterial;
import io.kekvault.pki.tls.TlsPolicy;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.TrustOptions;
import java.nio.file.Files;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One KMS node: HSM vault, metadata store, audit trail, and the listeners (HTTPS with mutual TLS,
 * KMIP, and plain-HTTP health on loopback). HSM and store calls run on worker threads, never on
 * the event loop. {@link #close()} stops accepting, lets in-flight requests finish within the
 * grace period, then closes the audit log, the store and the HSM sessions.
 */
public final class KmsServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(KmsServer.class);

    /** A front end the server starts and stops with its listeners (the KMIP listener). */
    public interface Listener {
        Future<Integer> start();

        Future<Void> shutdown(long graceMillis);
    }

    /** Builds an extra listener once the core is up (the KMIP listener plugs in here); null when disabled. */
    public interface ListenerFactory {
        Listener create(KmsServer server) throws Exception;
    }

    private final KmsConfig.Resolved config;
    private final Clock clock;
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private KeyVault vault;
    private MetadataStore store;
    private AuditLog audit;
    private Vertx vertx;
    private HttpServer https;
    private HttpApi api;
    private HttpServer health;
    private Dispatcher dispatcher;
    private KmsServices services;
    private KmipProcessor kmip;
    private ClientAuthenticator authenticator;
    private TlsMaterial tls;
    private final List<Listener> extra = new ArrayList<>();
    private volatile boolean closed;
    private int httpsPort;
    private int healthPort;
    private final List<Integer> extraPorts = new ArrayList<>();

    private KmsServer(KmsConfig.Resolved config, Clock clock) {
        this.config = config;
        this.clock = clock;
    }

    /** Opens everything and starts listening; on any failure, closes what was opened. */
    public static KmsServer start(KmsConfig.Resolved config, Clock clock, List<ListenerFactory> factories) throws Exception {
        KmsServer s = new KmsServer(config, clock);
        try {
            s.open(factories);
            return s;
        } catch (Exception | Error e) {
            s.close();
            throw e;
        }
    }

    private void open(List<ListenerFactory> factories) throws Exception {
        log.info("event=kms_starting node={} export_policy=\"{}\"", config.nodeId(), config.exportPolicy().describe());
        tls = TlsMaterial.load(config.certFile(), config.keyFile(), config.caFile());
        vault = KeyVaults.open(config.vault());
        store = openStore();
        Files.createDirectories(config.auditDir());
        audit = AuditLog.open(new AuditConfig(config.auditDir(), config.nodeId(),
                config.auditFsync() ? AuditDurability.FSYNC : AuditDurability.WRITE, clock));
        AuditSink sink = e -> audit.append(new AuditEvent(e.identity(), e.operation(), e.keyId(), e.result(),
                e.requestId(), e.detail()));
        dispatcher = new Dispatcher(sink, registry, clock);
        services = new KmsServices(vault, store, config.exportPolicy(), clock, config.nodeId(), config.maxBatch());
        authenticator = new ClientAuthenticator(tls.trustManager(), config.roleMapFile(), config.inlineRoles(), clock);
        registerGauges();

        vertx = Vertx.vertx(new VertxOptions().setWorkerPoolSize(config.workerThreads()));
        kmip = new KmipProcessor(dispatcher, new KmipHandlers(services), clock,
                TtlvLimits.DEFAULT.withMaxMessageBytes(config.kmipMaxMessageBytes()));
        api = new HttpApi(vertx, dispatcher, authenticator, services, config.maxBodyBytes(),
                new AuditQueryOp(audit), kmip);
        https = await(vertx.createHttpServer(tlsServerOptions(new HttpServerOptions()))
                .requestHandler(api.router())
                .listen(config.httpsPort(), config.httpsHost()));
        httpsPort = https.actualPort();
        for (ListenerFactory f : factories) {
            Listener l = f.create(this);
            if (l == null) {
                continue; // the factory's front end is disabled in the config
            }
            extra.add(l);
            extraPorts.add(await(l.start()));
        }
        health = await(vertx.createHttpServer(new HttpServerOptions().setIdleTimeout(30))
                .requestHandler(new HealthApi(vertx, vault, store, registry)::handle)
                .listen(config.healthPort(), config.healthHost()));
        healthPort = health.actualPort();
        log.info("event=kms_started node={} https={}:{} health={}:{} extra_ports={} backend={} store={}",
                config.nodeId(), config.httpsHost(), httpsPort, config.healthHost(), healthPort, extraPorts,
                vault.backend(), config.storeType());
    }

    private MetadataStore openStore() throws KmsException {
        if ("sqlite".equals(config.storeType())) {
            try {
                Files.createDirectories(config.storePath().getParent());
            } catch (java.io.IOException e) {
                throw new io.kekvault.kmip.error.UnavailableException("cannot create the store directory", e);
            }
            // One node owns an SQLite file, so every write passes through this process and a cache
            // in front of it is exact (see CachingMetadataStore).
            return new CachingMetadataStore(SqliteMetadataStore.open(SqliteStoreConfig.of(config.storePath())));
        }
        if ("postgresql".equals(config.storeType())) {
            return PostgresMetadataStore.open(config.postgresStore());
        }
        throw new IllegalArgumentException("store.type " + config.storeType() + " is not available in this build");
    }

    /** TLS for KMS listeners: TLS 1.2/1.3 and strong suites only; client certificates verified by the app. */
    public <T extends io.vertx.core.net.NetServerOptions> T tlsServerOptions(T o) throws io.kekvault.pki.PkiException {
        o.setSsl(true)
                .setKeyCertOptions(KeyCertOptions.wrap(tls.keyManager().orElseThrow()))
                .setTrustOptions(TrustOptions.wrap(new AcceptAnyClientTrustManager(tls.trustManager())))
                .setClientAuth(ClientAuth.REQUEST)
                .setEnabledSecureTransportProtocols(new LinkedHashSet<>(TlsPolicy.PROTOCOLS));
        for (String suite : TlsPolicy.CIPHER_SUITES) {
            o.addEnabledCipherSuite(suite);
        }
        return o;
    }

    /**
     * The same TLS as {@link #tlsServerOptions} for a listener built on JSSE sockets (the KMIP
     * listener): the server key, TLS 1.2/1.3 and the policy's suites ({@link #tlsServerParameters}),
     * client certificates requested at the TLS layer and verified by {@link ClientAuthenticator}.
     */
    public javax.net.ssl.SSLContext tlsServerContext() throws io.kekvault.pki.PkiException {
        try {
            javax.net.ssl.SSLContext ctx = javax.net.ssl.SSLContext.getInstance("TLS");
            ctx.init(new javax.net.ssl.KeyManager[] {tls.keyManager().orElseThrow()},
                    new javax.net.ssl.TrustManager[] {new AcceptAnyClientTrustManager(tls.trustManager())}, null);
            return ctx;
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException("cannot build the server TLS context", e);
        }
    }

    /** Protocols and suites of {@link TlsPolicy}; the client certificate is requested, the application checks it. */
    public static javax.net.ssl.SSLParameters tlsServerParameters() {
        javax.net.ssl.SSLParameters p = TlsPolicy.serverParameters();
        p.setNeedClientAuth(false);
        p.setWantClientAuth(true);
        return p;
    }

    private void registerGauges() {
        Gauge.builder("kms.hsm.sessions.open", vault, v -> v.stats().sessionsOpen()).register(registry);
        Gauge.builder("kms.hsm.sessions.idle", vault, v -> v.stats().sessionsIdle()).register(registry);
        Gauge.builder("kms.hsm.sessions.max", vault, v -> v.stats().sessionsMax()).register(registry);
        Gauge.builder("kms.hsm.sessions.discarded", vault, v -> (double) v.stats().sessionsDiscarded()).register(registry);
        Gauge.builder("kms.hsm.recoveries", vault, v -> {
            VaultStats s = v.stats();
            return (double) s.moduleRecoveries();
        }).register(registry);
    }

    private static <T> T await(Future<T> f) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    public KmsConfig.Resolved config() {
        return config;
    }

    public Vertx vertx() {
        return vertx;
    }

    public Dispatcher dispatcher() {
        return dispatcher;
    }

    public KmsServices services() {
        return services;
    }

    /** The KMIP message processor shared by the binary listener and {@code POST /kmip}. */
    public KmipProcessor kmipProcessor() {
        return kmip;
    }

    public ClientAuthenticator authenticator() {
        return authenticator;
    }

    public AuditLog audit() {
        return audit;
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /** "METHOD /path" of every API route the HTTPS listener serves (for the OpenAPI check). */
    public List<String> httpRoutes() {
        List<String> out = new ArrayList<>();
        for (var r : api.router().getRoutes()) {
            if (r.getPath() == null || r.methods() == null || r.methods().isEmpty()) {
                continue;
            }
            r.methods().forEach(m -> out.add(m.name() + " " + r.getPath()));
        }
        return out;
    }

    public int httpsPort() {
        return httpsPort;
    }

    public int healthPort() {
        return healthPort;
    }

    public List<Integer> extraPorts() {
        return List.copyOf(extraPorts);
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        long grace = TimeUnit.SECONDS.toMillis(config.shutdownGraceSeconds());
        log.info("event=kms_stopping node={} grace_ms={}", config.nodeId(), grace);
        List<Future<Void>> stops = new ArrayList<>();
        if (https != null) {
            stops.add(https.shutdown(grace, TimeUnit.MILLISECONDS));
        }
        for (Listener l : extra) {
            stops.add(l.shutdown(grace));
        }
        for (Future<Void> f : stops) {
            try {
                await(f);
            } catch (Exception e) {
                log.warn("event=listener_stop_failed error={}", e.toString());
            }
        }
        if (health != null) {
            try {
                await(health.close());
            } catch (Exception e) {
                log.warn("event=health_stop_failed error={}", e.toString());
            }
        }
        if (vertx != null) {
            try {
                await(vertx.close());
            } catch (Exception e) {
                log.warn("event=vertx_stop_failed error={}", e.toString());
            }
        }
        if (audit != null) {
            audit.close();
        }
        if (store != null) {
            store.close();
        }
        if (vault != null) {
            vault.close();
        }
        log.info("event=kms_stopped node={}", config.nodeId());
    }
}
