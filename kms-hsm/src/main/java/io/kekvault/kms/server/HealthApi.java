package io.kekvault.kms.server;

import io.kekvault.kmip.error.UnavailableException;
import io.kekvault.kms.store.MetadataStore;
import io.kekvault.kms.vault.KeyVault;
import io.kekvault.kms.vault.VaultHealth;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;

/**
 * Plain HTTP on loopback for orchestration: {@code /health} (the process answers),
 * {@code /ready} (HSM and store reachable now; probes run on a worker thread) and
 * {@code /metrics} (Prometheus text format). Nothing secret is reachable here.
 */
final class HealthApi {
    private final Vertx vertx;
    private final KeyVault vault;
    private final MetadataStore store;
    private final PrometheusMeterRegistry registry;

    HealthApi(Vertx vertx, KeyVault vault, MetadataStore store, PrometheusMeterRegistry registry) {
        this.vertx = vertx;
        this.vault = vault;
        this.store = store;
        this.registry = registry;
    }

    void handle(HttpServerRequest req) {
        switch (req.path()) {
            case "/health" -> req.response().putHeader("Content-Type", "application/json").end("{\"status\":\"up\"}");
            case "/ready" -> vertx.<String>executeBlocking(() -> {
                VaultHealth h = vault.health();
                String storeStatus = "up";
                try {
                    store.ping();
                } catch (UnavailableException e) {
                    storeStatus = "down";
                }
                boolean ready = h.up() && storeStatus.equals("up");
                return (ready ? "1" : "0") + "{\"status\":\"" + (ready ? "ready" : "not ready") + "\",\"hsm\":\""
                        + (h.up() ? "up" : "down") + "\",\"store\":\"" + storeStatus + "\"}";
            }, false).onComplete(ar -> {
                if (ar.failed()) {
                    req.response().setStatusCode(503).end("{\"status\":\"not ready\"}");
                    return;
                }
                String r = ar.result();
                req.response().setStatusCode(r.charAt(0) == '1' ? 200 : 503)
                        .putHeader("Content-Type", "application/json").end(r.substring(1));
            });
            case "/metrics" -> req.response().putHeader("Content-Type", "text/plain; version=0.0.4")
                    .end(registry.scrape());
            default -> req.response().setStatusCode(404).end();
        }
    }
}
