/**
 * The KMIP front end: {@link io.kekvault.kms.server.kmip.KmipListener} (binary TTLV over mutual
 * TLS, framing with limits, timeouts, authentication) and
 * {@link io.kekvault.kms.server.kmip.KmipProcessor} (one request message to one response message,
 * shared with {@code POST /kmip}: versions, batches, Result Reasons per version).
 */
package io.kekvault.kms.server.kmip;
