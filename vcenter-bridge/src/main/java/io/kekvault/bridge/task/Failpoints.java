package io.kekvault.bridge.task;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Crash points for restart tests: when the environment variable {@code KEKVAULT_BRIDGE_FAILPOINT}
 * names a point ({@code <task-kind>.<step>}, e.g. {@code encrypt-vm.after-kek}), the bridge
 * process halts there at once, as {@code kill -9} would, so that a test can check the task
 * resumes or rolls back. Unset in production: then this is a no-op.
 */
final class Failpoints {
    private static final Logger log = LoggerFactory.getLogger(Failpoints.class);
    private static final String ACTIVE = System.getenv("KEKVAULT_BRIDGE_FAILPOINT");

    private Failpoints() {
    }

    static void hit(TaskKind kind, String step) {
        if (ACTIVE != null && ACTIVE.equals(kind.wire() + "." + step)) {
            log.warn("event=failpoint_halt point={}", ACTIVE);
            System.err.flush();
            Runtime.getRuntime().halt(137);
        }
    }
}
