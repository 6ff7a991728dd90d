package io.kekvault.kms.op;

import io.kekvault.kmip.error.InvalidRequestException;
import io.kekvault.kmip.error.KmsException;
import io.kekvault.kmip.error.ResultReason;
import io.kekvault.kms.store.Permission;
import io.kekvault.secret.SecretBytes;
import java.util.ArrayList;
import java.util.List;

/**
 * Wraps one DEK or a batch under an Active key the caller may wrap with. All or nothing: the
 * first failure fails the request, naming the item.
 */
public final class WrapOp implements Operation<WrapOp.Request, List<byte[]>> {

    public record Item(SecretBytes dek, byte[] aad) {
    }

    /** The caller owns the DEK holders and closes them after the call. */
    public record Request(String keyId, List<Item> items) {
    }

    private final KmsServices s;

    public WrapOp(KmsServices services) {
        this.s = services;
    }

    @Override
    public String name() {
        return "Wrap";
    }

    @Override
    public List<byte[]> handle(OpContext ctx, Request r) throws KmsException {
        ctx.auditKey(r.keyId());
        Batches.check(r.items(), s.maxBatch());
        ctx.auditDetail("items=" + r.items().size());
        KeyAccess.requireWrapState(KeyAccess.permitted(s.store(), ctx.caller(), r.keyId(), Permission.WRAP));
        List<byte[]> out = new ArrayList<>(r.items().size());
        for (int i = 0; i < r.items().size(); i++) {
            Item it = r.items().get(i);
            if (it == null || it.dek() == null) {
                throw new InvalidRequestException(ResultReason.MISSING_DATA, "item " + i + ": dek is required", null);
            }
            out.add(Batches.at(i, () -> s.vault().wrap(r.keyId(), it.dek(), it.aad())));
        }
        return out;
    }
}
