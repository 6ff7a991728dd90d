package io.kekvault.kms.op.kmip;

import io.kekvault.kmip.message.Operation;
import io.kekvault.kmip.ttlv.TtlvStructure;

/**
 * The handler of one KMIP operation: it reads its Request Payload inside the dispatcher (so a
 * malformed payload is refused and audited like any other failure), runs the shared operation
 * logic of {@code io.kekvault.kms.op} and returns the Response Payload. Handlers never see bytes,
 * sockets or encodings; the same handler serves binary TTLV on port 5696 and the XML and JSON
 * encodings at {@code POST /kmip}.
 */
public interface KmipHandler extends io.kekvault.kms.op.Operation<KmipCall, TtlvStructure> {

    /** The KMIP operation this handler implements. */
    Operation operation();
}
