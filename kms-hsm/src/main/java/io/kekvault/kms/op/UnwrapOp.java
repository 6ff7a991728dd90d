package io.kekvault.kms.op;

import io.kekvault.kmip.error.InvalidRequestException;
import io.kekvault.kmip.error.KmsException;
import io.kekvault.kmip.error.ResultReason;
import io.kekvault.kms.store.KeyRecord;
import io.kekvault.kms.store.Permission;
import io.kekvault.kms.vault.WrappedKeyFormat;
import io.kekvault.secret.SecretBytes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Unwraps one blob or a batch; each blob names its KEK. Every KEK must be one the caller may
 * unwrap with and in a state that allows it. All or nothing: on failure every DEK already
 * unwrapped for this request is zeroized before the error goes out.
 */
public final class UnwrapOp implements Operation<UnwrapOp.Request, List<SecretBytes>> {

    public record Item(byte[] wrapped, byte[] aad) {
    }

    public record Request(List<Item> items) {
    }

    private final KmsServices s;

    public UnwrapOp(KmsServices services) {
        this.s = services;
    }

    @Override
    public String name() {
        return "Unwrap";
    }

    @Override
    public List<SecretBytes> handle(OpContext ctx, Request r) throws KmsException {
        Batches.check(r.items(), s.maxBatch());
        ctx.auditDetail("items=" + r.items().size());
        List<SecretBytes> out = new ArrayList<>(r.items().size());
        Map<String, KeyRecord> checked = new HashMap<>();
        try {
            for (int i = 0; i < r.items().size(); i++) {
                Item it = r.items().get(i);
                if (it == null || it.wrapped() == null) {
                    throw new InvalidRequestException(ResultReason.MISSING_DATA, "item " + i + ": wrapped is required", null);
                }
                out.add(Batches.at(i, () -> {
                    String keyId = WrappedKeyFormat.keyIdOf(it.wrapped());
                    ctx.auditKey(keyId);
                    if (!checked.containsKey(keyId)) {
                        KeyRecord k = KeyAccess.permitted(s.store(), ctx.caller(), keyId, Permission.UNWRAP);
                        KeyAccess.requireUnwrapState(k, ctx.caller());
                        checked.put(keyId, k);
                    }
                    return s.vault().unwrap(keyId, it.wrapped(), it.aad());
                }));
            }
            return out;
        } catch (KmsException | RuntimeException e) {
            out.forEach(SecretBytes::close);
            throw e;
        }
    }
}
