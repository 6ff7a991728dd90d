package io.kekvault.kms.op;

import io.kekvault.kmip.error.KmsException;
import io.kekvault.kms.store.Permission;
import io.kekvault.secret.SecretBytes;
import java.util.ArrayList;
import java.util.List;

/**
 * Rewrap (shallow rekey): unwraps each blob under its KEK and wraps the DEK under
 * {@code keyId}, inside the KMS; the clear DEK never leaves the process and is zeroized at once.
 * Needs unwrap on the old KEKs and wrap on the new one.
 */
public final class RewrapOp implements Operation<RewrapOp.Request, List<byte[]>> {

    /** {@code newAad} null keeps each item's AAD. */
    public record Item(byte[] wrapped, byte[] aad, byte[] newAad) {
    }

    public record Request(String keyId, List<Item> items) {
    }

    private final KmsServices s;
    private final UnwrapOp unwrap;

    public RewrapOp(KmsServices services) {
        this.s = services;
        this.unwrap = new UnwrapOp(services);
    }

    @Override
    public String name() {
        return "Rewrap";
    }

    @Override
    public List<byte[]> handle(OpContext ctx, Request r) throws KmsException {
        Batches.check(r.items(), s.maxBatch());
        KeyAccess.requireWrapState(KeyAccess.permitted(s.store(), ctx.caller(), r.keyId(), Permission.WRAP));
        List<UnwrapOp.Item> in = new ArrayList<>(r.items().size());
        for (Item it : r.items()) {
            in.add(it == null ? null : new UnwrapOp.Item(it.wrapped(), it.aad()));
        }
        List<SecretBytes> deks = unwrap.handle(ctx, new UnwrapOp.Request(in));
        ctx.auditDetail("items=" + r.items().size() + " to=" + r.keyId());
        try {
            List<byte[]> out = new ArrayList<>(deks.size());
            for (int i = 0; i < deks.size(); i++) {
                Item it = r.items().get(i);
                SecretBytes dek = deks.get(i);
                out.add(Batches.at(i, () -> s.vault().wrap(r.keyId(), dek, it.newAad() == null ? it.aad() : it.newAad())));
            }
            return out;
        } finally {
            deks.forEach(SecretBytes::close);
        }
    }
}
