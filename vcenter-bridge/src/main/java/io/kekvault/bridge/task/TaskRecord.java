package io.kekvault.bridge.task;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * A persisted task: what was asked ({@code params}), by whom, its state, progress (0..1), what
 * it has done so far ({@code checkpoint}, used to resume after a restart) and its log.
 */
public record TaskRecord(String id, long seq, TaskKind kind, String target, String cluster, String user, TaskState state,
                         double progress, ObjectNode params, ObjectNode checkpoint, String errorCode, String errorDetail,
                         String createdAt, String startedAt, String finishedAt, List<LogEntry> log) {

    /** One line of a task's log; {@code {kek}} in the message stands for {@code kekId}. */
    public record LogEntry(String at, String level, String message, String kekId) {
        /** The message with the KEK identifier shown or hidden. */
        public String render(boolean showKeys) {
            return kekId == null ? message : message.replace("{kek}", showKeys ? kekId : "<key id hidden>");
        }
    }

    public TaskRecord withLog(List<LogEntry> entries) {
        return new TaskRecord(id, seq, kind, target, cluster, user, state, progress, params, checkpoint, errorCode, errorDetail,
                createdAt, startedAt, finishedAt, List.copyOf(entries));
    }
}
