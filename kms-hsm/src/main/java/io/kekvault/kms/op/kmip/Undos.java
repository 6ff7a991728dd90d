package io.kekvault.kms.op.kmip;

import io.kekvault.kmip.error.KmsException;
import io.kekvault.kmip.error.NotFoundException;
import io.kekvault.kms.op.KmsServices;
import io.kekvault.kms.store.KeyRecord;

/** The compensations of an Undo batch: what each kind of item does to take itself back. */
final class Undos {
    private Undos() {
    }

    /** A key made by Create, Register or ReKey in this batch: HSM object and record go. */
    static void removeCreated(KmsServices s, String id) throws KmsException {
        try {
            s.vault().destroy(id);
        } catch (NotFoundException gone) {
            // already gone: only the record is left to remove
        }
        KeyRecord k = s.store().get(id).orElse(null);
        if (k != null) {
            s.store().delete(id, k.version());
        }
    }

    /** A record changed by this batch (attributes, state): back to what it was before the item. */
    static void restore(KmsServices s, KeyRecord before) throws KmsException {
        s.store().modify(before.id(), cur -> before.toBuilder().version(cur.version()).build());
    }
}
