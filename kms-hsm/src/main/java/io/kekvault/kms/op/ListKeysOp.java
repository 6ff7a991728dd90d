package io.kekvault.kms.op;

import io.kekvault.kmip.error.KmsException;
import io.kekvault.kms.access.Role;
import io.kekvault.kms.store.KeyFilter;
import io.kekvault.kms.store.KeyRecord;
import io.kekvault.kms.store.KeyState;
import io.kekvault.kms.store.Page;
import java.util.Set;

/** Lists keys the caller may see, with filters and stable cursor paging. */
public final class ListKeysOp implements Operation<ListKeysOp.Request, Page<KeyRecord>> {

    public record Request(Set<KeyState> states, String name, String owner, String algorithm, String cursor, int limit) {
    }

    private final KmsServices s;

    public ListKeysOp(KmsServices services) {
        this.s = services;
    }

    @Override
    public String name() {
        return "ListKeys";
    }

    @Override
    public Page<KeyRecord> handle(OpContext ctx, Request r) throws KmsException {
        KeyFilter.Builder f = KeyFilter.builder().name(r.name()).owner(r.owner()).algorithm(r.algorithm());
        if (r.states() != null) {
            f.state(r.states().toArray(KeyState[]::new));
        }
        Role role = ctx.caller().role();
        if (role != Role.ADMIN && role != Role.AUDITOR) {
            f.visibleTo(ctx.caller().identity());
        }
        ctx.auditDetail("limit=" + r.limit());
        return s.store().list(f.build(), r.cursor(), r.limit());
    }
}
