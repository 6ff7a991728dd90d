package io.kekvault.kms.op.kmip;

import io.kekvault.kmip.message.Operation;
import io.kekvault.kms.op.KmsServices;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Every KMIP operation this server implements, one handler each. */
public final class KmipHandlers {
    private final Map<Operation, KmipHandler> handlers = new EnumMap<>(Operation.class);

    public KmipHandlers(KmsServices services) {
        List<KmipHandler> all = List.of(
                new DiscoverVersionsHandler(),
                new QueryHandler(this::operations),
                new CreateHandler(services),
                new RegisterHandler(services),
                new LocateHandler(services),
                new GetHandler(services),
                new GetAttributesHandler(services),
                new GetAttributeListHandler(services),
                new AddAttributeHandler(services),
                new ModifyAttributeHandler(services),
                new DeleteAttributeHandler(services),
                new ActivateHandler(services),
                new RevokeHandler(services),
                new DestroyHandler(services),
                new ReKeyHandler(services),
                new EncryptHandler(services),
                new DecryptHandler(services));
        for (KmipHandler h : all) {
            handlers.put(h.operation(), h);
        }
    }

    public Optional<KmipHandler> handler(Operation op) {
        return Optional.ofNullable(handlers.get(op));
    }

    /** The implemented operations, in the order of their wire values. */
    public List<Operation> operations() {
        return Collections.unmodifiableList(new ArrayList<>(handlers.keySet()));
    }
}
