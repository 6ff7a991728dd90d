package io.kekvault.bridge.provider;

import io.kekvault.bridge.inventory.KeyProvider;
import io.kekvault.bridge.inventory.KmsEndpoint;
import io.kekvault.kmip.client.ConnectionMode;
import io.kekvault.kmip.client.KmipClient;
import io.kekvault.kmip.client.KmipClientConfig;
import io.kekvault.kmip.client.KmipClientListener;
import io.kekvault.kmip.client.KmipEndpoint;
import io.kekvault.kmip.http.KmsHttpClient;
import io.kekvault.kmip.message.ProtocolVersion;
import io.kekvault.pki.tls.TlsContext;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bridge's two clients to one key provider: KMIP for key lifecycle, HTTPS for grants. Both
 * try the provider's endpoints in order and move to the next when one fails; every move is told
 * to the {@link OperationLog} of the operation in progress on the calling thread (a task's log).
 */
final class KmsConnection implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(KmsConnection.class);

    /** The log of the operation running on this thread (set around each call by {@link KekService}). */
    static final ThreadLocal<OperationLog> CURRENT = ThreadLocal.withInitial(() -> OperationLog.NONE);

    final KeyProvider provider;
    final KmipClient kmip;
    final KmsHttpClient http;

    KmsConnection(KeyProvider provider, TlsContext tls, ProtocolVersion version, ConnectionMode mode, Duration timeout) {
        this.provider = provider;
        List<KmipEndpoint> kmipEndpoints = provider.endpoints().stream().map(e -> KmipEndpoint.parse(e.kmip())).toList();
        String name = provider.name();
        this.kmip = new KmipClient(KmipClientConfig.builder(tls.sslContext())
                .endpoints(kmipEndpoints)
                .protocolVersion(version)
                .connectionMode(mode)
                .connectTimeout(Duration.ofSeconds(Math.min(5, timeout.toSeconds())))
                .readTimeout(timeout)
                .listener(new KmipClientListener() {
                    @Override
                    public void endpointFailed(KmipEndpoint failed, KmipEndpoint next, Exception cause) {
                        String why = cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage());
                        log.warn("event=kms_failover provider={} protocol=kmip failed={} next={} cause=\"{}\"", name, failed, next, why);
                        CURRENT.get().warn("key provider " + name + ": KMS endpoint " + failed + " (KMIP) failed (" + why + ")"
                                + (next == null ? "; no endpoint left" : "; moving to " + next));
                    }
                })
                .build());
        this.http = new KmsHttpClient(provider.endpoints().stream().map(KmsEndpoint::https).map(URI::create).toList(),
                tls.sslContext(), tls.sslParameters(), timeout, (from, to, why) -> {
                    log.warn("event=kms_failover provider={} protocol=https failed={} next={} cause=\"{}\"", name, from, to, why);
                    CURRENT.get().warn("key provider " + name + ": KMS endpoint " + from + " (HTTPS) failed (" + why + "); moving to " + to);
                });
    }

    @Override
    public void close() {
        kmip.close();
    }
}
