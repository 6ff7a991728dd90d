package io.kekvault.bridge.provider;

/**
 * Where a long operation reports what it did: a task's log. {@code kekId} is kept apart from the
 * message (which writes it as {@code {kek}}) so that users who may not see key identifiers get
 * the message without it.
 */
public interface OperationLog {
    void info(String message, String kekId);

    void warn(String message, String kekId);

    default void info(String message) {
        info(message, null);
    }

    default void warn(String message) {
        warn(message, null);
    }

    /** Logs nowhere (checks outside any task; the server log still gets the events). */
    OperationLog NONE = new OperationLog() {
        @Override
        public void info(String message, String kekId) {
        }

        @Override
        public void warn(String message, String kekId) {
        }
    };
}
