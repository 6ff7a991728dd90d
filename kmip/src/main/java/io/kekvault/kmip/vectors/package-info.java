/**
 * Playing OASIS KMIP test vectors (XML files with placeholders) against a server: the building
 * blocks of the conformance runner. {@link io.kekvault.kmip.vectors.VectorFile} reads a file,
 * {@link io.kekvault.kmip.vectors.VectorSession} substitutes and learns placeholder values,
 * {@link io.kekvault.kmip.vectors.VectorRunner} plays files through any transport.
 */
package io.kekvault.kmip.vectors;
