package io.kekvault.kmip.message;

import io.kekvault.kmip.error.InvalidRequestException;
import io.kekvault.kmip.ttlv.Tag;
import io.kekvault.kmip.ttlv.TtlvStructure;

/**
 * The Cryptographic Parameters structure (the fields symmetric Encrypt/Decrypt use); null fields
 * are absent.
 */
public record CryptographicParameters(BlockCipherMode blockCipherMode, PaddingMethod paddingMethod,
                                      HashingAlgorithm hashingAlgorithm, CryptographicAlgorithm cryptographicAlgorithm,
                                      Boolean randomIv, Integer ivLength, Integer tagLength) {

    /** AES-GCM with a server-chosen IV and a 128-bit tag. */
    public static CryptographicParameters aesGcm() {
        return new CryptographicParameters(BlockCipherMode.GCM, null, null, CryptographicAlgorithm.AES, true, 96, 16);
    }

    /** AES-CBC with PKCS#5 padding and a server-chosen IV. */
    public static CryptographicParameters aesCbcPkcs5() {
        return new CryptographicParameters(BlockCipherMode.CBC, PaddingMethod.PKCS5, null, CryptographicAlgorithm.AES, true, null, null);
    }

    public static CryptographicParameters of(BlockCipherMode mode, PaddingMethod padding, CryptographicAlgorithm algorithm) {
        return new CryptographicParameters(mode, padding, null, algorithm, null, null, null);
    }

    public CryptographicParameters withRandomIv(Boolean v) {
        return new CryptographicParameters(blockCipherMode, paddingMethod, hashingAlgorithm, cryptographicAlgorithm, v, ivLength, tagLength);
    }

    /** Fields in specification order. */
    public TtlvStructure toTtlv() {
        return TtlvStructure.builder(Tag.CRYPTOGRAPHIC_PARAMETERS)
                .optEnumeration(Tag.BLOCK_CIPHER_MODE, blockCipherMode)
                .optEnumeration(Tag.PADDING_METHOD, paddingMethod)
                .optEnumeration(Tag.HASHING_ALGORITHM, hashingAlgorithm)
                .optEnumeration(Tag.CRYPTOGRAPHIC_ALGORITHM, cryptographicAlgorithm)
                .optBool(Tag.RANDOM_IV, randomIv)
                .optInteger(Tag.IV_LENGTH, ivLength)
                .optInteger(Tag.TAG_LENGTH, tagLength)
                .build();
    }

    /** Reads the fields this record knows; others are ignored (a server may check them on the raw structure). */
    public static CryptographicParameters fromTtlv(TtlvStructure s) throws InvalidRequestException {
        return new CryptographicParameters(
                s.optEnumeration(Tag.BLOCK_CIPHER_MODE, BlockCipherMode.class).orElse(null),
                s.optEnumeration(Tag.PADDING_METHOD, PaddingMethod.class).orElse(null),
                s.optEnumeration(Tag.HASHING_ALGORITHM, HashingAlgorithm.class).orElse(null),
                s.optEnumeration(Tag.CRYPTOGRAPHIC_ALGORITHM, CryptographicAlgorithm.class).orElse(null),
                s.optBool(Tag.RANDOM_IV).orElse(null),
                s.optInteger(Tag.IV_LENGTH).orElse(null),
                s.optInteger(Tag.TAG_LENGTH).orElse(null));
    }
}
