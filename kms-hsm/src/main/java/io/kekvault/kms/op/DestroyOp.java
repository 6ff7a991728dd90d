package io.kekvault.kms.op;

import io.kekvault.kmip.error.KmsException;
import io.kekvault.kmip.error.NotFoundException;
import io.kekvault.kms.store.KeyRecord;
import io.kekvault.kms.store.Permission;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Destroy: removes the HSM object, then records Destroyed (metadata stays for the audit trail).
 * The HSM goes first; a crash in between leaves a record that a second destroy completes,
 * finding the HSM object already gone.
 */
public final class DestroyOp implements Operation<String, KeyRecord> {
    private static final Logger log = LoggerFactory.getLogger(DestroyOp.class);
    private final KmsServices s;

    public DestroyOp(KmsServices services) {
        this.s = services;
    }

    @Override
    public String name() {
        return "Destroy";
    }

    @Override
    public KeyRecord handle(OpContext ctx, String id) throws KmsException {
        ctx.auditKey(id);
        KeyRecord k = KeyAccess.permitted(s.store(), ctx.caller(), id, Permission.DESTROY);
        Lifecycle.destroy(k, s.clock().instant()); // refuse before touching the HSM
        try {
            s.vault().destroy(id);
        } catch (NotFoundException gone) {
            log.warn("event=destroy_hsm_object_already_gone key={}", id);
        }
        return s.store().modify(id, cur -> Lifecycle.destroy(cur, s.clock().instant()));
    }
}
