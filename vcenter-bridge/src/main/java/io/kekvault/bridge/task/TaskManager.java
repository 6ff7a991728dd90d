package io.kekvault.bridge.task;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kekvault.bridge.auth.Principal;
import io.kekvault.bridge.host.HostException;
import io.kekvault.kmip.error.ConflictException;
import io.kekvault.kmip.error.GeneralFailureException;
import io.kekvault.kmip.error.KmsException;
import io.kekvault.kmip.error.ResultReason;
import io.kekvault.kmip.error.UnavailableException;
import java.sql.SQLException;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Accepts, runs and resumes tasks.
 *
 * <p>Guarantees: a task is recorded before anything is done for it; a refused task (missing
 * privilege, bad input, a second task on a target that has one unfinished) is recorded as
 * {@code refused} and changes nothing else; at most one unfinished task per target (a unique
 * index, so even two racing requests cannot both pass); tasks that change a cluster's hosts run
 * alone in that cluster, so no KEK is created while its grants are being handed out. On start,
 * every task a previous process left queued or running is run again from its checkpoint.
 */
public final class TaskManager implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TaskManager.class);

    private final Services services;
    private final Map<TaskKind, TaskDefinition> definitions = new EnumMap<>(TaskKind.class);
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final Semaphore permits;
    private final Map<String, ReentrantReadWriteLock> clusterLocks = new ConcurrentHashMap<>();
    private final AtomicInteger active = new AtomicInteger();
    private volatile boolean closing;

    public TaskManager(Services services, int maxParallel) {
        this.services = services;
        this.permits = new Semaphore(maxParallel);
        VmTasks vm = new VmTasks();
        for (TaskKind k : List.of(TaskKind.CREATE_VM, TaskKind.ENCRYPT_VM, TaskKind.DECRYPT_DISK, TaskKind.DECRYPT_HOME,
                TaskKind.DECRYPT_VM, TaskKind.REKEY_SHALLOW, TaskKind.REKEY_DEEP, TaskKind.MOVE_VM, TaskKind.POWER_ON,
                TaskKind.POWER_OFF, TaskKind.APPLY_POLICY)) {
            definitions.put(k, vm);
        }
        HostTasks hosts = new HostTasks();
        definitions.put(TaskKind.ADD_HOST, hosts);
        definitions.put(TaskKind.REMOVE_HOST, hosts);
    }

    /**
     * Submits a task. Returns the recorded task: {@code queued} (it runs in the background) or
     * {@code refused} (with the reason in {@code errorCode}/{@code errorDetail}; nothing changed).
     */
    public TaskRecord submit(Principal principal, TaskKind kind, ObjectNode params) throws SQLException {
        TaskDefinition def = definitions.get(kind);
        ObjectNode request = params.deepCopy();
        TaskRecord task;
        try {
            if (closing) {
                throw new UnavailableException("the bridge is shutting down");
            }
            ObjectNode checked = def.precheck(services, principal, kind, request);
            task = services.db().tx(c -> {
                TaskDefinition.Plan plan = def.plan(c, principal, kind, checked);
                Optional<TaskRecord> busy = TaskStore.active(c, plan.target());
                if (busy.isPresent()) {
                    throw new ConflictException(ResultReason.DUPLICATE_PROCESS_REQUEST, describeTarget(plan.target()) + " already has a task running: "
                            + busy.get().id() + " (" + busy.get().kind().wire() + ", " + busy.get().state().wire()
                            + "); wait for it to finish", null);
                }
                return TaskStore.insert(c, plan.kind(), plan.target(), plan.cluster(), principal.user(), TaskState.QUEUED, plan.params(), null, null);
            });
        } catch (KmsException e) {
            TaskRecord refused = refuse(principal, kind, def, request, e);
            log.info("event=task_refused task={} kind={} user={} code={} detail=\"{}\"", refused.id(), kind.wire(), principal.user(),
                    e.errorCode(), e.getMessage());
            return refused;
        }
        log.info("event=task_submitted task={} kind={} user={} target={}", task.id(), kind.wire(), principal.user(), task.target());
        start(task, false);
        return task;
    }

    private TaskRecord refuse(Principal principal, TaskKind kind, TaskDefinition def, ObjectNode params, KmsException e) throws SQLException {
        try {
            return services.db().tx(c -> TaskStore.insert(c, kind, def.targetOf(kind, params), null, principal.user(), TaskState.REFUSED,
                    params, e.errorCode(), e.getMessage()));
        } catch (KmsException impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    private static String describeTarget(String target) {
        int colon = target.indexOf(':');
        return colon < 0 ? target : (target.startsWith("vm:") ? "VM '" : target.startsWith("host:") ? "host '" : "'")
                + target.substring(colon + 1) + "'";
    }

    /** Runs again every task a previous process left unfinished. */
    public int resumeUnfinished() throws SQLException {
        List<TaskRecord> left;
        try {
            left = services.db().read(TaskStore::unfinished);
        } catch (KmsException impossible) {
            throw new IllegalStateException(impossible);
        }
        for (TaskRecord t : left) {
            log.info("event=task_resuming task={} kind={} state={}", t.id(), t.kind().wire(), t.state().wire());
            start(t, true);
        }
        return left.size();
    }

    private void start(TaskRecord task, boolean resumed) {
        active.incrementAndGet();
        executor.submit(() -> {
            try {
                execute(task, resumed);
            } finally {
                active.decrementAndGet();
            }
        });
    }

    private Lock clusterLock(String cluster, boolean exclusive) {
        ReentrantReadWriteLock rw = clusterLocks.computeIfAbsent(cluster == null ? "" : cluster, k -> new ReentrantReadWriteLock(true));
        return exclusive ? rw.writeLock() : rw.readLock();
    }

    private void execute(TaskRecord task, boolean resumed) {
        TaskDefinition def = definitions.get(task.kind());
        Lock lock = clusterLock(task.cluster(), def.exclusive());
        TaskContext ctx = new TaskContext(task, services, resumed);
        boolean locked = false;
        boolean permitted = false;
        try {
            permits.acquire();
            permitted = true;
            lock.lockInterruptibly();
            locked = true;
            services.db().tx(c -> {
                TaskStore.markRunning(c, task.id());
                return null;
            });
            if (resumed) {
                ctx.info("resumed after a bridge restart");
            }
            def.run(ctx);
            if (!ctx.finished()) {
                ctx.succeed(null);
            }
            log.info("event=task_succeeded task={} kind={}", task.id(), task.kind().wire());
        } catch (Throwable e) {
            if (closing) {
                log.info("event=task_interrupted_by_shutdown task={} kind={} (resumes at next start)", task.id(), task.kind().wire());
                return;
            }
            KmsException cause = toKms(e, task.id());
            log.warn("event=task_failed task={} kind={} code={} detail=\"{}\"", task.id(), task.kind().wire(), cause.errorCode(),
                    cause.getMessage());
            if (!ctx.finished()) {
                try {
                    def.recover(ctx, cause);
                } catch (Throwable r) {
                    log.error("event=task_recover_failed task={} error={}", task.id(), r.toString());
                }
            }
            if (!ctx.finished()) {
                try {
                    ctx.fail(cause, null);
                } catch (SQLException | KmsException f) {
                    log.error("event=task_fail_write_failed task={} error={}", task.id(), f.toString());
                }
            }
        } finally {
            if (locked) {
                lock.unlock();
            }
            if (permitted) {
                permits.release();
            }
        }
    }

    static KmsException toKms(Throwable e, String taskId) {
        if (e instanceof KmsException k) {
            return k;
        }
        if (e instanceof HostException h) {
            return h.toKmsException();
        }
        if (e instanceof SQLException) {
            return new UnavailableException("bridge database failure during " + taskId, e);
        }
        if (e instanceof InterruptedException) {
            Thread.currentThread().interrupt();
            return new GeneralFailureException(ResultReason.OPERATION_CANCELED_BY_REQUESTER, "interrupted", e);
        }
        String ref = UUID.randomUUID().toString().substring(0, 8);
        log.error("event=task_internal_error task={} ref={}", taskId, ref, e);
        return new GeneralFailureException("internal error, see the bridge log ref=" + ref, e);
    }

    /** Tasks queued or running in this process. */
    public int activeCount() {
        return active.get();
    }

    /** Stops taking tasks; tasks in progress are interrupted and left to resume at the next start. */
    @Override
    public void close() {
        closing = true;
        executor.shutdownNow();
        try {
            if (!executor.awaitTermination(10, TimeUnit.SECONDS)) {
                log.warn("event=task_executor_slow_stop");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
