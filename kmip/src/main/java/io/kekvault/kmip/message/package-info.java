/**
 * KMIP messages: {@link io.kekvault.kmip.message.RequestMessage} and
 * {@link io.kekvault.kmip.message.ResponseMessage} with their headers and batch items (payloads stay
 * TTLV structures); the version-neutral attribute model ({@link io.kekvault.kmip.message.KmipAttribute},
 * {@link io.kekvault.kmip.message.AttributeKey}) with {@link io.kekvault.kmip.message.AttributeCodec}
 * for the KMIP 1.x and 2.x forms; {@link io.kekvault.kmip.message.Payloads} for the operations whose
 * payloads differ between versions; {@link io.kekvault.kmip.message.MessageEncoding} for the front
 * ends; Java enums for the enumerations code uses.
 *
 * <p>Parsers are strict (unknown or repeated header fields, a wrong Batch Count: {@code INVALID_MESSAGE})
 * and report problems as typed KMS exceptions whose messages are safe to return to clients.
 */
package io.kekvault.kmip.message;
