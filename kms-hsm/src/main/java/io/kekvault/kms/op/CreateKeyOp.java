package io.kekvault.kms.op;

import io.kekvault.kmip.error.InvalidRequestException;
import io.kekvault.kmip.error.KmsException;
import io.kekvault.kmip.error.ResultReason;
import io.kekvault.kms.store.Attribute;
import io.kekvault.kms.store.KeyRecord;
import io.kekvault.kms.store.KeyState;
import io.kekvault.kms.vault.KeyAlgorithm;
import io.kekvault.kms.vault.KeyLabels;
import io.kekvault.kms.vault.KeySpec;
import io.kekvault.secret.SecretBytes;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * Create: a new key generated inside the HSM (never imported), owned by the caller. The HSM
 * object is made first and the metadata stored second, so an acknowledged create always has
 * both; if storing fails, the HSM object is destroyed again ({@link HsmCompensation}: unless
 * the store may have committed after all).
 */
public final class CreateKeyOp implements Operation<CreateKeyOp.Request, KeyRecord> {

    /**
     * @param algorithm      {@code AES} (default) or {@code DES3}
     * @param lengthBits     default 256
     * @param usageMask      KMIP Cryptographic Usage Mask (default Encrypt|Decrypt = 12)
     * @param activationDate null: Pre-Active; at or before now: Active at once (the date is kept)
     * @param activateNow    Active at once, activation date now
     * @param extractable    null: the export policy's default for the caller's role
     * @param attributes     other attributes to record (custom {@code x-} ones included)
     */
    public record Request(String objectType, String algorithm, Integer lengthBits, Integer usageMask, List<String> names,
                          Instant activationDate, boolean activateNow, Boolean extractable, List<Attribute> attributes) {
    }

    public static final int USAGE_ENCRYPT_DECRYPT = 0x04 | 0x08;

    private final KmsServices s;

    public CreateKeyOp(KmsServices services) {
        this.s = services;
    }

    @Override
    public String name() {
        return "Create";
    }

    @Override
    public KeyRecord handle(OpContext ctx, Request r) throws KmsException {
        KeyAccess.requireCreator(ctx.caller());
        KeySpec spec = spec(r.algorithm(), r.lengthBits(), s.exportPolicy().decide(ctx.caller(), r.extractable()));
        String id = UUID.randomUUID().toString();
        ctx.auditKey(id);
        Instant now = s.clock().instant();
        KeyRecord.Builder b = KeyRecord.builder()
                .id(id)
                .objectType(r.objectType() == null ? "SYMMETRIC_KEY" : r.objectType())
                .algorithm(spec.algorithm().name())
                .lengthBits(spec.lengthBits())
                .usageMask(r.usageMask() == null ? USAGE_ENCRYPT_DECRYPT : r.usageMask())
                .state(r.activateNow() || (r.activationDate() != null && !r.activationDate().isAfter(now))
                        ? KeyState.ACTIVE : KeyState.PRE_ACTIVE)
                .names(r.names() == null ? List.of() : r.names())
                .initialDate(now)
                .activationDate(r.activateNow() ? now : r.activationDate())
                .lastChangeDate(now)
                .owner(ctx.caller().identity())
                .extractable(spec.extractable())
                .hsmLabel(KeyLabels.label(id))
                .attributes(r.attributes() == null ? List.of() : r.attributes());
        KeyRecord record;
        try {
            record = b.build();
        } catch (IllegalArgumentException e) {
            // the record's own checks (a control character in a name, say): the client's mistake,
            // refused before anything is made in the HSM
            throw new InvalidRequestException(ResultReason.INVALID_FIELD, e.getMessage(), null);
        }
        s.vault().generate(id, spec);
        try {
            if (spec.extractable()) {
                // The KMIP Digest of key material that may leave the HSM anyway; a non-extractable
                // key's value is never read, so it has none.
                try (SecretBytes value = s.vault().exportKey(id)) {
                    record = record.toBuilder().addAttribute(KeyDigest.attribute(value)).build();
                }
            }
            return s.store().insert(record);
        } catch (KmsException | RuntimeException e) {
            var committed = HsmCompensation.settle(s, id, e, name());
            if (committed.isPresent()) {
                return committed.get();
            }
            throw e;
        }
    }

    static KeySpec spec(String algorithm, Integer lengthBits, boolean extractable) throws InvalidRequestException {
        KeyAlgorithm alg;
        try {
            alg = algorithm == null ? KeyAlgorithm.AES : KeyAlgorithm.valueOf(algorithm);
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException(ResultReason.INVALID_FIELD, "unsupported algorithm '" + algorithm + "'", null);
        }
        if (alg == KeyAlgorithm.GENERIC) {
            throw new InvalidRequestException(ResultReason.INVALID_FIELD, "unsupported algorithm '" + algorithm + "'", null);
        }
        int bits = lengthBits == null ? (alg == KeyAlgorithm.DES3 ? 192 : 256) : lengthBits;
        try {
            return new KeySpec(alg, bits, extractable);
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException(ResultReason.INVALID_FIELD, e.getMessage(), null);
        }
    }
}
