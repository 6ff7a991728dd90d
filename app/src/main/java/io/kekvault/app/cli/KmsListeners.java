package io.kekvault.app.cli;

import io.kekvault.kms.server.KmsServer;
import java.util.List;

/** The extra front ends a KMS node starts (KMIP once its issue lands). */
final class KmsListeners {
    private KmsListeners() {
    }

    static List<KmsServer.ListenerFactory> factories() {
        return List.of();
    }
}
