/**
 * KMIP TTLV: the item model ({@link io.kekvault.kmip.ttlv.TtlvItem} and its records), the tag and
 * enumeration tables ({@link io.kekvault.kmip.ttlv.KmipRegistry}), and the three encodings:
 * binary TTLV ({@link io.kekvault.kmip.ttlv.TtlvDecoder}, {@link io.kekvault.kmip.ttlv.TtlvEncoder},
 * {@link io.kekvault.kmip.ttlv.TtlvStreamReader}), XML ({@link io.kekvault.kmip.ttlv.KmipXml}) and
 * JSON ({@link io.kekvault.kmip.ttlv.KmipJson}).
 *
 * <p>Security guarantees of the decoders: limits ({@link io.kekvault.kmip.ttlv.TtlvLimits}) are
 * checked before allocation; malformed input is an {@code InvalidRequestException} with reason
 * {@code INVALID_MESSAGE}, a limit a {@code LimitExceededException}; no other exception escapes;
 * XML DTDs and external entities are disabled. Items never print text or byte values.
 */
package io.kekvault.kmip.ttlv;
