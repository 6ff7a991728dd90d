package io.kekvault.bridge.task;

import java.util.Locale;

/**
 * A task's state. {@code refused} tasks were turned down before doing anything (privilege, bad
 * input, conflict) and changed nothing; {@code failed} ones were rolled back or left the
 * inventory exactly as the hosts report it.
 */
public enum TaskState {
    QUEUED, RUNNING, SUCCEEDED, FAILED, REFUSED;

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public boolean finished() {
        return this == SUCCEEDED || this == FAILED || this == REFUSED;
    }

    public static TaskState fromWire(String s) {
        return valueOf(s.toUpperCase(Locale.ROOT));
    }
}
