package io.kekvault.esxi.vm;

import java.nio.charset.StandardCharsets;

/**
 * The associated data a VM component's DEK is wrapped with: {@code kekvault/vm/<vm-uuid>/<component>}
 * (component {@code home} or a disk name). The KMS binds it into the GCM tag, so a keySafe moved
 * to another VM or component fails to unwrap.
 */
public final class VmAad {
    public static final String HOME = "home";

    private VmAad() {
    }

    public static byte[] of(String vmUuid, String component) {
        return ("kekvault/vm/" + vmUuid + "/" + component).getBytes(StandardCharsets.UTF_8);
    }
}
