package io.kekvault.kms.vault;

import io.kekvault.kmip.error.KmsException;
import io.kekvault.secret.SecretBytes;
import java.util.List;
import java.util.Optional;

/**
 * Everything the KMS asks of an HSM, and nothing more.
 *
 * <p>Security guarantees, for every implementation:
 * <ul>
 *   <li>A key made by {@link #generate} with a non-extractable {@link KeySpec} is created inside
 *       the HSM with {@code CKA_SENSITIVE=true}, {@code CKA_EXTRACTABLE=false}; its attributes are
 *       read back and verified before the call returns, and its value never crosses this
 *       interface: {@link #exportKey} refuses it.</li>
 *   <li>{@link #wrap} and {@link #unwrap} run AES-256-GCM inside the HSM with a fresh random
 *       96-bit IV and an AAD that binds the key identifier and the caller's AAD
 *       ({@link WrappedKeyFormat}); a blob moved to another key, another AAD, or altered in any
 *       bit fails with {@link io.kekvault.kmip.error.CryptographicFailureException}.</li>
 *   <li>Errors are typed {@link KmsException}s whose messages hold no key material and no PIN;
 *       HSM failures carry the PKCS#11 return code only internally ({@link HsmException#ckr()}).</li>
 *   <li>Implementations are safe for use from many threads and recover from lost sessions and a
 *       re-initialised module without a restart.</li>
 * </ul>
 * Key identifiers are the KMIP unique identifiers (UUIDs); {@link KeyLabels} derives the
 * {@code CKA_LABEL} and {@code CKA_ID} from them.
 */
public interface KeyVault extends AutoCloseable {

    /** Short backend name for logs and metrics, e.g. {@code pkcs11} or {@code sunpkcs11}. */
    String backend();

    /** Generates a key in the HSM under {@code keyId}; refuses an identifier already in use. */
    HsmKeyInfo generate(String keyId, KeySpec spec) throws KmsException;

    /**
     * Imports clear key material (KMIP Register) as a token object. The caller keeps ownership
     * of {@code material} and closes it.
     */
    HsmKeyInfo importKey(String keyId, KeySpec spec, SecretBytes material) throws KmsException;

    /** The key's HSM attributes, or empty when no object carries this identifier. */
    Optional<HsmKeyInfo> find(String keyId) throws KmsException;

    /** Identifiers of every Kekvault key object on the token. */
    List<String> list() throws KmsException;

    /** Wraps {@code dek} under the key; returns a self-describing blob ({@link WrappedKeyFormat}). */
    byte[] wrap(String keyId, SecretBytes dek, byte[] aad) throws KmsException;

    /** Unwraps a blob made by {@link #wrap} for the same key and AAD; the caller closes the result. */
    SecretBytes unwrap(String keyId, byte[] blob, byte[] aad) throws KmsException;

    /** Raw cipher operation inside the HSM (KMIP Encrypt). */
    CipherResult encrypt(String keyId, CipherParams params, byte[] data) throws KmsException;

    /** Raw cipher operation inside the HSM (KMIP Decrypt). */
    CipherResult decrypt(String keyId, CipherParams params, byte[] data) throws KmsException;

    /**
     * The key's value, only for keys created extractable (export policy); a KEK made
     * non-extractable is refused with {@link io.kekvault.kmip.error.NotExtractableException}.
     */
    SecretBytes exportKey(String keyId) throws KmsException;

    /** Destroys the HSM object; destroying an absent key is a {@code NotFoundException}. */
    void destroy(String keyId) throws KmsException;

    /** Cheap liveness probe of module, token and login (used by {@code /ready}). */
    VaultHealth health();

    /** Session-pool and recovery counters for metrics. */
    VaultStats stats();

    @Override
    void close();
}
