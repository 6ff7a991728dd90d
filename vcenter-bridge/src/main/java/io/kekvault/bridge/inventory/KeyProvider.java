package io.kekvault.bridge.inventory;

import java.util.List;

/**
 * A key provider: a KMS cluster reached through several endpoints, tried in order.
 *
 * @param trust    {@code none} (no client certificate yet), {@code csr-pending} (the bridge made a
 *                 key pair and CSR; waiting for the signed certificate) or {@code trusted}
 * @param clientCn the CN of the bridge's certificate for this provider, once requested
 */
public record KeyProvider(String name, boolean isDefault, String trust, String clientCn, List<KmsEndpoint> endpoints) {
    public static final String TRUST_NONE = "none";
    public static final String TRUST_CSR_PENDING = "csr-pending";
    public static final String TRUST_TRUSTED = "trusted";

    public KeyProvider {
        endpoints = List.copyOf(endpoints);
    }
}
