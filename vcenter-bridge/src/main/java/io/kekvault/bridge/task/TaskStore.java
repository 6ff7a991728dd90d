package io.kekvault.bridge.task;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Reads and writes the task and task_log tables, inside the caller's transaction. */
public final class TaskStore {
    static final ObjectMapper JSON = new ObjectMapper();

    private TaskStore() {
    }

    static String now() {
        return Instant.now().toString();
    }

    static ObjectNode parse(String json) {
        try {
            return (ObjectNode) JSON.readTree(json == null ? "{}" : json);
        } catch (IOException | ClassCastException e) {
            throw new IllegalStateException("unreadable task JSON in the database", e);
        }
    }

    static long nextSeq(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT COALESCE(MAX(seq), 0) + 1 FROM task");
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Inserts a new task; a second unfinished task on the same target violates the unique index. */
    static TaskRecord insert(Connection c, TaskKind kind, String target, String cluster, String user, TaskState state,
                             ObjectNode params, String errorCode, String errorDetail) throws SQLException {
        long seq = nextSeq(c);
        String id = "task-" + seq;
        String now = now();
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO task (id, seq, kind, target, cluster, username, state, progress, "
                + "params, checkpoint, error_code, error_detail, created_at, finished_at) VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, '{}', ?, ?, ?, ?)")) {
            ps.setString(1, id);
            ps.setLong(2, seq);
            ps.setString(3, kind.wire());
            ps.setString(4, target);
            ps.setString(5, cluster);
            ps.setString(6, user);
            ps.setString(7, state.wire());
            ps.setString(8, params.toString());
            ps.setString(9, errorCode);
            ps.setString(10, errorDetail);
            ps.setString(11, now);
            ps.setString(12, state.finished() ? now : null);
            ps.executeUpdate();
        }
        return get(c, id).orElseThrow();
    }

    private static final String COLUMNS = "SELECT id, seq, kind, target, cluster, username, state, progress, params, checkpoint, "
            + "error_code, error_detail, created_at, started_at, finished_at FROM task";

    private static TaskRecord row(ResultSet rs) throws SQLException {
        return new TaskRecord(rs.getString(1), rs.getLong(2), TaskKind.fromWire(rs.getString(3)).orElseThrow(), rs.getString(4),
                rs.getString(5), rs.getString(6), TaskState.fromWire(rs.getString(7)), rs.getDouble(8), parse(rs.getString(9)),
                parse(rs.getString(10)), rs.getString(11), rs.getString(12), rs.getString(13), rs.getString(14), rs.getString(15), List.of());
    }

    public static Optional<TaskRecord> get(Connection c, String id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(COLUMNS + " WHERE id = ?")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(row(rs)) : Optional.empty();
            }
        }
    }

    /** The task with its log. */
    public static Optional<TaskRecord> getWithLog(Connection c, String id) throws SQLException {
        Optional<TaskRecord> t = get(c, id);
        if (t.isEmpty()) {
            return t;
        }
        return Optional.of(t.get().withLog(log(c, id)));
    }

    public static List<TaskRecord.LogEntry> log(Connection c, String id) throws SQLException {
        List<TaskRecord.LogEntry> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT at, level, message, kek_id FROM task_log WHERE task_id = ? ORDER BY seq")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new TaskRecord.LogEntry(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)));
                }
            }
        }
        return out;
    }

    /** Tasks, newest first, optionally only those on {@code target} and/or in {@code state}. */
    public static List<TaskRecord> list(Connection c, String target, TaskState state, int limit) throws SQLException {
        StringBuilder sql = new StringBuilder(COLUMNS + " WHERE 1 = 1");
        List<Object> args = new ArrayList<>();
        if (target != null) {
            sql.append(" AND target = ?");
            args.add(target);
        }
        if (state != null) {
            sql.append(" AND state = ?");
            args.add(state.wire());
        }
        sql.append(" ORDER BY seq DESC LIMIT ?");
        args.add(limit);
        try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
            for (int i = 0; i < args.size(); i++) {
                ps.setObject(i + 1, args.get(i));
            }
            try (ResultSet rs = ps.executeQuery()) {
                List<TaskRecord> out = new ArrayList<>();
                while (rs.next()) {
                    out.add(row(rs));
                }
                return out;
            }
        }
    }

    /** Queued and running tasks, oldest first (to resume after a restart). */
    static List<TaskRecord> unfinished(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(COLUMNS + " WHERE state IN ('queued', 'running') ORDER BY seq")) {
            try (ResultSet rs = ps.executeQuery()) {
                List<TaskRecord> out = new ArrayList<>();
                while (rs.next()) {
                    out.add(row(rs));
                }
                return out;
            }
        }
    }

    /** The unfinished task on {@code target}, if any. */
    static Optional<TaskRecord> active(Connection c, String target) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(COLUMNS + " WHERE target = ? AND state IN ('queued', 'running')")) {
            ps.setString(1, target);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(row(rs)) : Optional.empty();
            }
        }
    }

    static void markRunning(Connection c, String id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE task SET state = 'running', started_at = COALESCE(started_at, ?) WHERE id = ?")) {
            ps.setString(1, now());
            ps.setString(2, id);
            ps.executeUpdate();
        }
    }

    static void finish(Connection c, String id, TaskState state, String errorCode, String errorDetail) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE task SET state = ?, progress = CASE WHEN ? = 'succeeded' THEN 1 ELSE progress END, "
                + "error_code = ?, error_detail = ?, finished_at = ? WHERE id = ?")) {
            ps.setString(1, state.wire());
            ps.setString(2, state.wire());
            ps.setString(3, errorCode);
            ps.setString(4, errorDetail);
            ps.setString(5, now());
            ps.setString(6, id);
            ps.executeUpdate();
        }
    }

    static void progress(Connection c, String id, double progress) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE task SET progress = ? WHERE id = ?")) {
            ps.setDouble(1, progress);
            ps.setString(2, id);
            ps.executeUpdate();
        }
    }

    static void checkpoint(Connection c, String id, ObjectNode checkpoint) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE task SET checkpoint = ? WHERE id = ?")) {
            ps.setString(1, checkpoint.toString());
            ps.setString(2, id);
            ps.executeUpdate();
        }
    }

    static void appendLog(Connection c, String id, String level, String message, String kekId) throws SQLException {
        long seq;
        try (PreparedStatement ps = c.prepareStatement("SELECT COALESCE(MAX(seq), 0) + 1 FROM task_log WHERE task_id = ?")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                seq = rs.getLong(1);
            }
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO task_log (task_id, seq, at, level, message, kek_id) VALUES (?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, id);
            ps.setLong(2, seq);
            ps.setString(3, now());
            ps.setString(4, level);
            ps.setString(5, message);
            ps.setString(6, kekId);
            ps.executeUpdate();
        }
    }
}
