package io.kekvault.bridge.task;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** The tasks of the bridge (ARCHITECTURE section 5), as their API names show them. */
public enum TaskKind {
    CREATE_VM("create a VM"),
    ENCRYPT_VM("encrypt a VM"),
    DECRYPT_DISK("decrypt a disk"),
    DECRYPT_HOME("decrypt a VM home"),
    DECRYPT_VM("decrypt a VM"),
    REKEY_SHALLOW("shallow-rekey a VM"),
    REKEY_DEEP("deep-rekey a VM"),
    MOVE_VM("move a VM"),
    POWER_ON("power on a VM"),
    POWER_OFF("power off a VM"),
    ADD_HOST("add a host to a cluster"),
    REMOVE_HOST("remove a host from its cluster"),
    APPLY_POLICY("apply a storage policy");

    private final String action;

    TaskKind(String action) {
        this.action = action;
    }

    /** What the task does, for messages ("may not decrypt a disk"). */
    public String action() {
        return action;
    }

    /** The API name: {@code encrypt-vm}, {@code rekey-deep}... */
    public String wire() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static Optional<TaskKind> fromWire(String s) {
        return Arrays.stream(values()).filter(k -> k.wire().equals(s)).findFirst();
    }
}
