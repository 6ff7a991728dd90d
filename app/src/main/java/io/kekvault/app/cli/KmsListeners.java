package io.kekvault.app.cli;

import io.kekvault.kms.server.KmsServer;
import io.kekvault.kms.server.kmip.KmipListener;
import java.util.List;

/** The extra front ends a KMS node starts: the KMIP listener (binary TTLV over mutual TLS). */
final class KmsListeners {
    private KmsListeners() {
    }

    static List<KmsServer.ListenerFactory> factories() {
        return List.of(KmipListener.factory());
    }
}
