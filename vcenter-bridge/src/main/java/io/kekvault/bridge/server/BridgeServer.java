package io.kekvault.bridge.server;

import io.kekvault.bridge.api.BridgeApi;
import io.kekvault.bridge.auth.Authenticator;
import io.kekvault.bridge.config.BridgeConfig;
import io.kekvault.bridge.host.HostConnector;
import io.kekvault.bridge.inventory.Inventory;
import io.kekvault.bridge.inventory.KeyProvider;
import io.kekvault.bridge.provider.KekService;
import io.kekvault.bridge.provider.ProviderAdmin;
import io.kekvault.bridge.provider.ProviderTrust;
import io.kekvault.bridge.store.Database;
import io.kekvault.bridge.task.Services;
import io.kekvault.bridge.task.TaskManager;
import io.kekvault.kmip.error.KmsException;
import io.kekvault.kmip.error.NotFoundException;
import io.kekvault.kmip.error.UnavailableException;
import io.kekvault.kmip.error.ResultReason;
import io.kekvault.kmip.error.WrongStateException;
import io.kekvault.pki.tls.TlsMaterial;
import io.kekvault.pki.tls.TlsPolicy;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.TrustOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bridge process: database, key providers, host connector, task manager and the REST API,
 * started in that order and closed in reverse. At start it resumes every task a previous process
 * left unfinished.
 */
public final class BridgeServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(BridgeServer.class);

    private final BridgeConfig.Resolved config;
    private Database db;
    private KekService keks;
    private TaskManager tasks;
    private Vertx vertx;
    private HttpServer http;
    private BridgeApi api;
    private int port;
    private boolean closed;

    private BridgeServer(BridgeConfig.Resolved config) {
        this.config = config;
    }

    public static BridgeServer start(BridgeConfig.Resolved config) throws Exception {
        BridgeServer s = new BridgeServer(config);
        try {
            s.open();
            return s;
        } catch (Exception | Error e) {
            s.close();
            throw e;
        }
    }

    private void open() throws Exception {
        Files.createDirectories(config.dataDir());
        db = Database.open(config.databaseFile());
        ProviderTrust trust = new ProviderTrust(config.providersDir());
        keks = new KekService(name -> read(c -> Inventory.provider(c, name)).orElseThrow(
                () -> new NotFoundException("key provider '" + name + "' does not exist")),
                trust, config.kmipVersion(), config.connectionMode(), config.kmsTimeout(), config.productVersion());
        BridgeConfig.HostsTls files = config.hostsTlsFiles();
        String hostProvider = config.hostsTlsProvider();
        HostConnector hosts = new HostConnector(files == null ? null : Path.of(files.cert()), files == null ? null : Path.of(files.key()),
                files == null ? null : Path.of(files.ca()), () -> {
                    String name = hostProvider != null ? hostProvider : read(Inventory::defaultProvider).map(KeyProvider::name)
                            .orElseThrow(() -> new WrongStateException(ResultReason.ILLEGAL_OPERATION,
                                    "no key provider yet: the bridge presents its provider certificate to hosts", null));
                    return trust.tls(name);
                }, config.hostTimeout());
        tasks = new TaskManager(new Services(db, keks, hosts, config.hostJobTimeout()), config.maxParallelTasks());
        vertx = Vertx.vertx(new VertxOptions().setWorkerPoolSize(16));
        api = new BridgeApi(vertx, db, tasks, new ProviderAdmin(db, keks), keks, new Authenticator(config.users()));
        HttpServerOptions options = new HttpServerOptions().setIdleTimeout(120).setHttp2ClearTextEnabled(false);
        BridgeConfig.ListenTls tls = config.listenTls();
        if (tls != null) {
            TlsMaterial m = tls.clientCa() != null ? TlsMaterial.load(Path.of(tls.cert()), Path.of(tls.key()), Path.of(tls.clientCa()))
                    : TlsMaterial.load(Path.of(tls.cert()), Path.of(tls.key()), Path.of(tls.cert()));
            options.setSsl(true).setKeyCertOptions(KeyCertOptions.wrap(m.keyManager().orElseThrow()))
                    .setEnabledSecureTransportProtocols(new LinkedHashSet<>(TlsPolicy.PROTOCOLS));
            for (String suite : TlsPolicy.CIPHER_SUITES) {
                options.addEnabledCipherSuite(suite);
            }
            if (tls.clientCa() != null) {
                options.setTrustOptions(TrustOptions.wrap(m.trustManager())).setClientAuth(ClientAuth.REQUEST);
            }
        }
        http = await(vertx.createHttpServer(options).requestHandler(api.router()).listen(config.listenPort(), config.listenHost()));
        port = http.actualPort();
        int resumed = tasks.resumeUnfinished();
        log.info("event=bridge_started listen={}:{} tls={} db={} resumed_tasks={}", config.listenHost(), port, tls != null,
                config.databaseFile(), resumed);
    }

    private <T> T read(Database.Work<T> work) throws KmsException {
        try {
            return db.read(work);
        } catch (SQLException e) {
            throw new UnavailableException("bridge database unavailable", e);
        }
    }

    private static <T> T await(Future<T> f) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    public int port() {
        return port;
    }

    public String url() {
        return (config.listenTls() != null ? "https" : "http") + "://" + config.listenHost() + ":" + port;
    }

    public BridgeApi api() {
        return api;
    }

    public TaskManager tasks() {
        return tasks;
    }

    public Database database() {
        return db;
    }

    /** The API routes, for the OpenAPI check. */
    public List<String> routes() {
        return api.routes();
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        log.info("event=bridge_stopping");
        if (http != null) {
            try {
                await(http.close());
            } catch (Exception e) {
                log.warn("event=bridge_http_close_failed error={}", e.toString());
            }
        }
        if (tasks != null) {
            tasks.close();
        }
        if (vertx != null) {
            try {
                await(vertx.close());
            } catch (Exception e) {
                log.warn("event=bridge_vertx_close_failed error={}", e.toString());
            }
        }
        if (keks != null) {
            keks.close();
        }
        if (db != null) {
            db.close();
        }
        log.info("event=bridge_stopped");
    }
}
