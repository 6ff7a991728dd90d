package io.kekvault.bridge.task;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kekvault.bridge.auth.Principal;
import io.kekvault.kmip.error.KmsException;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * How one kind of task is checked and run.
 *
 * <p>{@link #plan} runs at submission, inside the transaction that records the task: it checks
 * the caller's privileges and the input against the inventory and changes nothing; whatever it
 * throws makes the task {@code refused}. {@link #run} does the work; it must be resumable: a
 * bridge restarted mid-task runs it again with the checkpoint the first run saved, so each step
 * either checks whether it was already done or is idempotent. It finishes through
 * {@link TaskContext#succeed} or by throwing, after which {@link #recover} leaves the inventory
 * as the hosts report it and undoes what is unused (for example a KEK no component uses).
 */
abstract class TaskDefinition {

    /**
     * The task to record: its kind (a storage-policy change becomes the encrypt or decrypt task it
     * starts), its target (one unfinished task per target), its cluster, its normalized parameters.
     */
    record Plan(TaskKind kind, String target, String cluster, ObjectNode params) {
    }

    /** Checks outside any transaction that may ask a host (e.g. who a new host is); returns the parameters to plan with. */
    ObjectNode precheck(Services services, Principal principal, TaskKind kind, ObjectNode params) throws KmsException {
        return params;
    }

    abstract Plan plan(Connection c, Principal principal, TaskKind kind, ObjectNode params) throws SQLException, KmsException;

    /** Best-effort target of a request refused before planning finished (for the refused task's record). */
    String targetOf(TaskKind kind, ObjectNode params) {
        String vm = params.path("vm").asText("");
        return vm.isEmpty() ? "request:" + kind.wire() : "vm:" + vm;
    }

    /** Whether the task changes cluster membership (runs alone in its cluster). */
    boolean exclusive() {
        return false;
    }

    abstract void run(TaskContext ctx) throws Exception;

    void recover(TaskContext ctx, KmsException cause) throws Exception {
        ctx.fail(cause, null);
    }
}
