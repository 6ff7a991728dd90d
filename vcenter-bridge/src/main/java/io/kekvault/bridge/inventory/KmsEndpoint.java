package io.kekvault.bridge.inventory;

/** One KMS node of a key provider: its KMIP address ({@code host:port}) and HTTPS base URL. */
public record KmsEndpoint(String kmip, String https) {
}
