package io.kekvault.esxi.host;

import io.kekvault.kmip.error.KmsException;
import java.time.Instant;

/** A long VM operation running on a host; its state is polled through {@code GET /jobs/{id}}. */
public final class Job {
    public enum State { RUNNING, SUCCEEDED, FAILED }

    private final String id;
    private final String kind;
    private final String vm;
    private final Instant created;
    private volatile State state = State.RUNNING;
    private volatile double progress;
    private volatile KmsException error;
    private volatile Instant finished;

    Job(String id, String kind, String vm) {
        this.id = id;
        this.kind = kind;
        this.vm = vm;
        this.created = Instant.now();
    }

    public String id() {
        return id;
    }

    public String kind() {
        return kind;
    }

    public String vm() {
        return vm;
    }

    public State state() {
        return state;
    }

    public double progress() {
        return progress;
    }

    public KmsException error() {
        return error;
    }

    public Instant created() {
        return created;
    }

    public Instant finished() {
        return finished;
    }

    void progress(double p) {
        progress = Math.max(progress, Math.min(1.0, p));
    }

    void succeed() {
        progress = 1.0;
        finished = Instant.now();
        state = State.SUCCEEDED;
    }

    void fail(KmsException e) {
        error = e;
        finished = Instant.now();
        state = State.FAILED;
    }
}
