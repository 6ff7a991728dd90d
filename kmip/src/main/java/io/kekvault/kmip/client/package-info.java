/**
 * The KMIP client ({@link io.kekvault.kmip.client.KmipClient}): binary TTLV over mutual TLS to one
 * or more endpoints, pooled or one connection per request, failover that never repeats a
 * state-changing operation, typed exceptions for failed batch items, key material as
 * {@code SecretBytes}.
 */
package io.kekvault.kmip.client;
