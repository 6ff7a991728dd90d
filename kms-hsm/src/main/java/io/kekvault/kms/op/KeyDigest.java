package io.kekvault.kms.op;

import io.kekvault.kms.store.Attribute;
import io.kekvault.kms.store.AttributeValue;
import io.kekvault.secret.SecretBytes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;

/**
 * The KMIP Digest attribute of a key value: SHA-256 over the Raw key material. Only computed for
 * values that are outside the HSM already (extractable keys, registered material); the digest of
 * a 128-bit or longer random key reveals nothing usable about it.
 */
public final class KeyDigest {
    /** Store name of the attribute and of its fields (KMIP specification names). */
    public static final String NAME = "Digest";
    static final int SHA_256 = 0x06;
    static final int RAW = 0x01;

    private KeyDigest() {
    }

    public static Attribute attribute(SecretBytes value) {
        byte[] digest;
        try {
            digest = MessageDigest.getInstance("SHA-256").digest(value.expose());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        return Attribute.of(NAME, AttributeValue.structure(List.of(
                Attribute.of("Hashing Algorithm", AttributeValue.enumeration(SHA_256)),
                Attribute.of("Digest Value", AttributeValue.bytes(digest)),
                Attribute.of("Key Format Type", AttributeValue.enumeration(RAW)))));
    }
}
