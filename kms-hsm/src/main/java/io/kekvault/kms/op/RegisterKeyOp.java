package io.kekvault.kms.op;

import io.kekvault.kmip.error.InvalidRequestException;
import io.kekvault.kmip.error.KmsException;
import io.kekvault.kmip.error.ResultReason;
import io.kekvault.kms.store.Attribute;
import io.kekvault.kms.store.AttributeValue;
import io.kekvault.kms.store.KeyLink;
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
 * Register (KMIP): key material the client already holds, imported into the HSM as a token object
 * owned by the caller. The material came from the client, so by default it stays extractable and
 * goes back to its owner (ARCHITECTURE section 3); a client may register it non-extractable. The
 * record is marked as registered ({@code kekvault.origin=register}) so that only the owner gets
 * the value back. As with Create, the HSM object comes first and is destroyed again if the
 * record cannot be stored.
 */
public final class RegisterKeyOp implements Operation<RegisterKeyOp.Request, KeyRecord> {
    public static final String ORIGIN = "kekvault.origin";
    public static final String ORIGIN_REGISTER = "register";

    /**
     * @param algorithm   record algorithm name ({@code AES}, {@code DES3}, or a KMIP name such as
     *                    {@code CHACHA20} for keys the HSM holds as generic secrets)
     * @param material    the key value; the caller keeps ownership and closes it
     * @param extractable null: extractable (the client had the value already)
     */
    public record Request(String objectType, String algorithm, int lengthBits, int usageMask, List<String> names,
                          Instant activationDate, Boolean extractable, List<KeyLink> links, List<Attribute> attributes,
                          SecretBytes material) {
    }

    private final KmsServices s;

    public RegisterKeyOp(KmsServices services) {
        this.s = services;
    }

    @Override
    public String name() {
        return "Register";
    }

    @Override
    public KeyRecord handle(OpContext ctx, Request r) throws KmsException {
        KeyAccess.requireCreator(ctx.caller());
        boolean extractable = r.extractable() == null || r.extractable();
        KeySpec spec = spec(r.algorithm(), r.lengthBits(), r.material().length(), extractable);
        String id = UUID.randomUUID().toString();
        ctx.auditKey(id);
        Instant now = s.clock().instant();
        KeyRecord.Builder b = KeyRecord.builder()
                .id(id)
                .objectType(r.objectType())
                .algorithm(r.algorithm())
                .lengthBits(r.lengthBits())
                .usageMask(r.usageMask())
                .state(r.activationDate() != null && !r.activationDate().isAfter(now) ? KeyState.ACTIVE : KeyState.PRE_ACTIVE)
                .names(r.names() == null ? List.of() : r.names())
                .initialDate(now)
                .activationDate(r.activationDate())
                .lastChangeDate(now)
                .owner(ctx.caller().identity())
                .extractable(extractable)
                .hsmLabel(KeyLabels.label(id))
                .links(r.links() == null ? List.of() : r.links())
                .attributes(r.attributes() == null ? List.of() : r.attributes())
                .addAttribute(ORIGIN, AttributeValue.text(ORIGIN_REGISTER))
                .addAttribute(KeyDigest.attribute(r.material()));
        KeyRecord record;
        try {
            record = b.build();
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException(ResultReason.INVALID_FIELD, e.getMessage(), null);
        }
        s.vault().importKey(id, spec, r.material());
        try {
            return s.store().insert(record);
        } catch (KmsException | RuntimeException e) {
            var committed = HsmCompensation.settle(s, id, e, name());
            if (committed.isPresent()) {
                return committed.get();
            }
            throw e;
        }
    }

    /** The HSM object for the material: AES and Triple DES as such, anything else as a generic secret. */
    static KeySpec spec(String algorithm, int lengthBits, int materialBytes, boolean extractable) throws InvalidRequestException {
        KeyAlgorithm alg = switch (algorithm) {
            case "AES" -> KeyAlgorithm.AES;
            case "DES3" -> KeyAlgorithm.DES3;
            default -> KeyAlgorithm.GENERIC;
        };
        int bits = alg == KeyAlgorithm.GENERIC ? materialBytes * 8 : lengthBits;
        if (alg.valueLength(bits) != materialBytes) {
            throw new InvalidRequestException(ResultReason.INVALID_FIELD, "the key material is " + materialBytes
                    + " bytes, which does not fit a " + lengthBits + "-bit " + algorithm + " key", null);
        }
        try {
            return new KeySpec(alg, bits, extractable);
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException(ResultReason.INVALID_FIELD, e.getMessage(), null);
        }
    }
}
