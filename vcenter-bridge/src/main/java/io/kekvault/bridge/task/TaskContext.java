package io.kekvault.bridge.task;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kekvault.bridge.provider.OperationLog;
import io.kekvault.bridge.store.Database;
import io.kekvault.kmip.error.KmsException;
import java.sql.SQLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running task: its parameters, its checkpoint (persisted at once, so a restarted bridge
 * knows what was done), its log and progress, and the transaction that finishes it. A task
 * finishes exactly once, with its inventory changes and its final state in the same commit.
 */
public final class TaskContext implements OperationLog {
    private static final Logger log = LoggerFactory.getLogger(TaskContext.class);

    private final TaskRecord task;
    private final Services services;
    private final ObjectNode checkpoint;
    private final boolean resumed;
    private double lastProgress = -1;
    private boolean finished;

    TaskContext(TaskRecord task, Services services, boolean resumed) {
        this.task = task;
        this.services = services;
        this.checkpoint = task.checkpoint().deepCopy();
        this.resumed = resumed;
    }

    public String id() {
        return task.id();
    }

    public TaskKind kind() {
        return task.kind();
    }

    public String user() {
        return task.user();
    }

    public String cluster() {
        return task.cluster();
    }

    public ObjectNode params() {
        return task.params();
    }

    /** True when this run continues a task a previous bridge process had started. */
    public boolean resumed() {
        return resumed;
    }

    public Services services() {
        return services;
    }

    public Database db() {
        return services.db();
    }

    // ------------------------------------------------------------------ checkpoint

    public String saved(String field) {
        JsonNode v = checkpoint.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    public boolean done(String step) {
        return checkpoint.path(step).asBoolean(false);
    }

    /** Records {@code field = value} durably before the task goes on. */
    public void save(String field, String value) throws SQLException, KmsException {
        checkpoint.put(field, value);
        persistCheckpoint();
    }

    public void markDone(String step) throws SQLException, KmsException {
        checkpoint.put(step, true);
        persistCheckpoint();
    }

    public void clear(String field) throws SQLException, KmsException {
        checkpoint.remove(field);
        persistCheckpoint();
    }

    private void persistCheckpoint() throws SQLException, KmsException {
        ObjectNode copy = checkpoint.deepCopy();
        db().tx(c -> {
            TaskStore.checkpoint(c, task.id(), copy);
            return null;
        });
    }

    // ------------------------------------------------------------------ log and progress

    @Override
    public void info(String message, String kekId) {
        append("info", message, kekId);
    }

    @Override
    public void warn(String message, String kekId) {
        append("warn", message, kekId);
    }

    private void append(String level, String message, String kekId) {
        String rendered = kekId == null ? message : message.replace("{kek}", kekId);
        if ("warn".equals(level)) {
            log.warn("event=task_log task={} kind={} message=\"{}\"", task.id(), task.kind().wire(), rendered);
        } else {
            log.info("event=task_log task={} kind={} message=\"{}\"", task.id(), task.kind().wire(), rendered);
        }
        try {
            db().tx(c -> {
                TaskStore.appendLog(c, task.id(), level, message, kekId);
                return null;
            });
        } catch (SQLException | KmsException e) {
            log.error("event=task_log_write_failed task={} error={}", task.id(), e.toString());
        }
    }

    /** Progress 0..1; persisted when it moved by at least a percent. */
    public void progress(double p) {
        double v = Math.max(0, Math.min(1, p));
        if (v < 1 && Math.abs(v - lastProgress) < 0.01) {
            return;
        }
        lastProgress = v;
        try {
            db().tx(c -> {
                TaskStore.progress(c, task.id(), v);
                return null;
            });
        } catch (SQLException | KmsException e) {
            log.warn("event=task_progress_write_failed task={} error={}", task.id(), e.toString());
        }
    }

    // ------------------------------------------------------------------ finishing

    public boolean finished() {
        return finished;
    }

    /** Commits {@code inventoryChange}, the last log line and the task's success together. */
    public void succeed(Database.Work<?> inventoryChange) throws SQLException, KmsException {
        db().tx(c -> {
            if (inventoryChange != null) {
                inventoryChange.run(c);
            }
            TaskStore.appendLog(c, task.id(), "info", "succeeded", null);
            TaskStore.finish(c, task.id(), TaskState.SUCCEEDED, null, null);
            return null;
        });
        finished = true;
        log.info("event=task_log task={} kind={} message=\"succeeded\"", task.id(), task.kind().wire());
    }

    /** Commits {@code inventoryChange} (the state the hosts report), the last log line and the task's failure together. */
    public void fail(KmsException cause, Database.Work<?> inventoryChange) throws SQLException, KmsException {
        db().tx(c -> {
            if (inventoryChange != null) {
                inventoryChange.run(c);
            }
            TaskStore.appendLog(c, task.id(), "warn", "failed: " + cause.getMessage(), null);
            TaskStore.finish(c, task.id(), TaskState.FAILED, cause.errorCode(), cause.getMessage());
            return null;
        });
        finished = true;
        log.warn("event=task_log task={} kind={} message=\"failed: {}\"", task.id(), task.kind().wire(), cause.getMessage());
    }
}
