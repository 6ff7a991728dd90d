/**
 * One handler per KMIP operation ({@link io.kekvault.kms.op.kmip.KmipHandler}), each run by the
 * dispatcher, reading its payload in the request's protocol version and running the shared
 * operations of {@code io.kekvault.kms.op}; {@link io.kekvault.kms.op.kmip.KmipAttributes} maps key
 * records to KMIP attributes and says which ones a client may set. Ciphers without an HSM
 * mechanism run in software for extractable keys only ({@code SoftwareCipher},
 * {@code StreamingCipher}).
 */
package io.kekvault.kms.op.kmip;
