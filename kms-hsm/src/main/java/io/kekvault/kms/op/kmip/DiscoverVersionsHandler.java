package io.kekvault.kms.op.kmip;

import io.kekvault.kmip.error.KmsException;
import io.kekvault.kmip.message.Operation;
import io.kekvault.kmip.message.ProtocolVersion;
import io.kekvault.kmip.ttlv.Tag;
import io.kekvault.kmip.ttlv.TtlvStructure;
import io.kekvault.kms.op.OpContext;
import java.util.ArrayList;
import java.util.List;

/**
 * KMIP Discover Versions: the versions this server speaks (1.0 to 2.1) among those the client
 * offers (all of them if it offers none), newest first.
 */
public final class DiscoverVersionsHandler implements KmipHandler {

    @Override
    public Operation operation() {
        return Operation.DISCOVER_VERSIONS;
    }

    @Override
    public String name() {
        return "DiscoverVersions";
    }

    @Override
    public TtlvStructure handle(OpContext ctx, KmipCall call) throws KmsException {
        List<ProtocolVersion> offered = new ArrayList<>();
        for (TtlvStructure v : call.payload().structures(Tag.PROTOCOL_VERSION)) {
            offered.add(ProtocolVersion.fromTtlv(v));
        }
        var b = TtlvStructure.builder(Tag.RESPONSE_PAYLOAD);
        for (ProtocolVersion v : ProtocolVersion.SUPPORTED) {
            if (offered.isEmpty() || offered.contains(v)) {
                b.add(v.toTtlv());
            }
        }
        return b.build();
    }
}
