package io.kekvault.esxi.kms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kekvault.esxi.vm.KeySafe;
import io.kekvault.kmip.error.PermissionDeniedException;
import io.kekvault.kmip.error.UnavailableException;
import io.kekvault.kmip.http.KmsHttpClient;
import io.kekvault.pki.Identity;
import io.kekvault.pki.InitOptions;
import io.kekvault.pki.IssueOptions;
import io.kekvault.pki.PkiDirectory;
import io.kekvault.pki.PkiService;
import io.kekvault.pki.tls.TlsContext;
import io.kekvault.pki.tls.TlsMaterial;
import io.vertx.core.Vertx;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.TrustOptions;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How a host's provider client behaves toward an overloaded or refusing KMS endpoint: a real
 * mutual-TLS HTTP server answering as the KMS does under those conditions (503 with Retry-After,
 * or 404 problem+json for a key the caller is not granted), counting the requests it gets.
 */
class KeyProviderTest {
    private Vertx vertx;
    private Path pki;
    private final AtomicInteger requests = new AtomicInteger();

    @BeforeEach
    void pki(@TempDir Path dir) throws Exception {
        pki = dir.resolve("pki");
        new PkiService().init(pki, InitOptions.defaults());
        new PkiService().issue(pki, "esxi-1", "host", IssueOptions.defaults());
        vertx = Vertx.vertx();
    }

    @AfterEach
    void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    private URI server(int status, String code) throws Exception {
        TlsMaterial m = TlsMaterial.server(PkiDirectory.of(pki));
        HttpServer s = vertx.createHttpServer(new HttpServerOptions().setSsl(true)
                        .setKeyCertOptions(KeyCertOptions.wrap(m.keyManager().orElseThrow()))
                        .setTrustOptions(TrustOptions.wrap(m.trustManager())).setClientAuth(ClientAuth.REQUIRED))
                .requestHandler(req -> req.body().onComplete(b -> {
                    requests.incrementAndGet();
                    req.response().setStatusCode(status).putHeader("Content-Type", "application/problem+json")
                            .end("{\"status\":" + status + ",\"code\":\"" + code + "\",\"detail\":\"" + code + "\"}");
                }));
        s = s.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        return URI.create("https://127.0.0.1:" + s.actualPort());
    }

    private KeyProvider provider(List<URI> endpoints) throws Exception {
        TlsContext tls = TlsContext.client(TlsMaterial.client(PkiDirectory.of(pki), Identity.parse("esxi-1")));
        return new KeyProvider("default", "esxi-1", new KmsHttpClient(endpoints, tls.sslContext(), tls.sslParameters(),
                Duration.ofSeconds(10), null));
    }

    private static List<KeyProvider.SafeItem> oneSafe() {
        return List.of(new KeyProvider.SafeItem(new KeySafe("default", "kek-1", new byte[] {1, 2, 3}), new byte[] {4}));
    }

    @Test
    void unavailableKms_isRetriedWithBackOff_aBoundedNumberOfTimes() throws Exception {
        URI busy = server(503, "protection_storage_unavailable");
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> provider(List.of(busy, busy)).unwrap(oneSafe()))
                .isInstanceOf(UnavailableException.class).hasMessageContaining("unavailable");
        long millis = (System.nanoTime() - t0) / 1_000_000;
        assertThat(requests.get()).as("attempts for 2 endpoints").isEqualTo(4);
        assertThat(millis).as("back-off between attempts").isGreaterThanOrEqualTo(4 * 50);
    }

    @Test
    void notGrantedKey_isOneRequest_andAClearPermissionError() throws Exception {
        URI refusing = server(404, "item_not_found");
        assertThatThrownBy(() -> provider(List.of(refusing, refusing)).unwrap(oneSafe()))
                .isInstanceOf(PermissionDeniedException.class)
                .hasMessageContaining("esxi-1").hasMessageContaining("kek-1").hasMessageContaining("not granted");
        assertThat(requests.get()).isEqualTo(1);
    }
}
