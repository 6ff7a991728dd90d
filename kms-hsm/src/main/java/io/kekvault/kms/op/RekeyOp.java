package io.kekvault.kms.op;

import io.kekvault.kmip.error.KmsException;
import io.kekvault.kms.store.Grant;
import io.kekvault.kms.store.KeyRecord;
import io.kekvault.kms.store.KeyState;
import io.kekvault.kms.store.Permission;
import io.kekvault.kms.store.WriteBatch;
import io.kekvault.kms.vault.KeyLabels;
import io.kekvault.kms.vault.KeySpec;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * Rotation (KMIP ReKey): a new key in the HSM with the old key's algorithm, usage, owner, export
 * flag, names and grants; Replacement/Replaced links both ways. The old key keeps its state, so
 * it still unwraps until it is revoked. New record, old record's links and names, and the copied
 * grants are written in one transaction.
 */
public final class RekeyOp implements Operation<String, KeyRecord> {
    public static final String REPLACEMENT = "REPLACEMENT_OBJECT";
    public static final String REPLACED = "REPLACED_OBJECT";

    private final KmsServices s;

    public RekeyOp(KmsServices services) {
        this.s = services;
    }

    @Override
    public String name() {
        return "ReKey";
    }

    @Override
    public KeyRecord handle(OpContext ctx, String oldId) throws KmsException {
        ctx.auditKey(oldId);
        KeyRecord old = KeyAccess.permitted(s.store(), ctx.caller(), oldId, Permission.REKEY);
        Lifecycle.requireRekeyable(old);
        KeySpec spec = CreateKeyOp.spec(old.algorithm(), old.lengthBits(), old.extractable());
        String id = UUID.randomUUID().toString();
        ctx.auditDetail("replacement=" + id);
        Instant now = s.clock().instant();
        KeyRecord fresh = old.toBuilder()
                .id(id)
                .state(KeyState.ACTIVE)
                .initialDate(now)
                .activationDate(now)
                .deactivationDate(null)
                .compromiseDate(null)
                .compromiseOccurrenceDate(null)
                .destroyDate(null)
                .lastChangeDate(now)
                .revocationReason(null)
                .revocationMessage(null)
                .hsmLabel(KeyLabels.label(id))
                .links(List.of())
                .addLink(REPLACED, oldId)
                .version(0)
                .build();
        KeyRecord updatedOld = old.toBuilder().names(List.of()).addLink(REPLACEMENT, id).lastChangeDate(now).build();
        s.vault().generate(id, spec);
        try {
            WriteBatch batch = WriteBatch.create().update(updatedOld).insert(fresh);
            for (Grant g : s.store().grants(oldId)) {
                batch.putGrant(new Grant(id, g.identity(), g.permissions()));
            }
            List<KeyRecord> written = s.store().commit(batch);
            return written.get(1);
        } catch (KmsException | RuntimeException e) {
            var committed = HsmCompensation.settle(s, id, e, name());
            if (committed.isPresent()) {
                return committed.get();
            }
            throw e;
        }
    }
}
