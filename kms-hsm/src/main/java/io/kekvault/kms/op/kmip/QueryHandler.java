package io.kekvault.kms.op.kmip;

import io.kekvault.kmip.error.KmsException;
import io.kekvault.kmip.message.ObjectType;
import io.kekvault.kmip.message.Operation;
import io.kekvault.kmip.message.QueryFunction;
import io.kekvault.kmip.ttlv.Tag;
import io.kekvault.kmip.ttlv.TtlvStructure;
import io.kekvault.kms.op.OpContext;
import java.util.List;
import java.util.function.Supplier;

/**
 * KMIP Query: the operations this server implements, the object types it manages (Symmetric
 * Key), and who it is. Other query functions are answered with nothing, as the specification allows.
 */
public final class QueryHandler implements KmipHandler {
    public static final String VENDOR = "Kekvault";
    public static final String VERSION = "0.1.0";

    private final Supplier<List<Operation>> operations;

    public QueryHandler(Supplier<List<Operation>> operations) {
        this.operations = operations;
    }

    @Override
    public Operation operation() {
        return Operation.QUERY;
    }

    @Override
    public String name() {
        return "Query";
    }

    @Override
    public TtlvStructure handle(OpContext ctx, KmipCall call) throws KmsException {
        List<Integer> functions = call.payload().enumerations(Tag.QUERY_FUNCTION);
        var b = TtlvStructure.builder(Tag.RESPONSE_PAYLOAD);
        if (functions.contains(QueryFunction.QUERY_OPERATIONS.value())) {
            for (Operation op : operations.get()) {
                b.enumeration(Tag.OPERATION, op);
            }
        }
        if (functions.contains(QueryFunction.QUERY_OBJECTS.value())) {
            b.enumeration(Tag.OBJECT_TYPE, ObjectType.SYMMETRIC_KEY);
        }
        if (functions.contains(QueryFunction.QUERY_SERVER_INFORMATION.value())) {
            b.text(Tag.VENDOR_IDENTIFICATION, VENDOR);
            var info = TtlvStructure.builder(Tag.SERVER_INFORMATION);
            if (call.version().isV2()) {
                info.text(Tag.PRODUCT_NAME, VENDOR).text(Tag.SERVER_VERSION, VERSION);
            }
            b.add(info.build());
        }
        return b.build();
    }
}
