package io.kekvault.bridge.inventory;

/**
 * A host of a cluster.
 *
 * @param url       the host's command endpoint (docs/host-api.md), HTTPS with mutual TLS
 * @param identity  the host's identity at the KMS (its client certificate CN), to which KEKs are granted
 * @param datastore the datastore directory the host reported (shared by the hosts of a cluster)
 */
public record Host(String id, String cluster, String url, String identity, String datastore) {
}
