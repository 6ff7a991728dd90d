package io.kekvault.kms.op;

import io.kekvault.kmip.error.GeneralFailureException;
import io.kekvault.kmip.error.KmsException;
import io.kekvault.kmip.error.ResultReason;
import io.kekvault.kmip.error.UnavailableException;
import io.kekvault.kms.access.Caller;
import io.kekvault.kms.vault.HsmException;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs every operation the same way, whichever front end received it: times it, turns
 * unexpected failures into "general failure, see server log ref=...", and appends one audit
 * record, allowed or refused, before the answer goes out.
 */
public final class Dispatcher {
    private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);

    private final AuditSink audit;
    private final MeterRegistry registry;
    private final Clock clock;
    /** Timers by operation, then by result: looked up on every operation, so without building a key. */
    private final ConcurrentHashMap<String, ConcurrentHashMap<String, Timer>> timers = new ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicInteger inFlight = new java.util.concurrent.atomic.AtomicInteger();

    public Dispatcher(AuditSink audit, MeterRegistry registry, Clock clock) {
        this.audit = audit;
        this.registry = registry;
        this.clock = clock;
        io.micrometer.core.instrument.Gauge.builder("kms.operations.inflight", inFlight, java.util.concurrent.atomic.AtomicInteger::get)
                .description("operations running now").register(registry);
    }

    /** Operations running now (for metrics and graceful shutdown). */
    public int inFlight() {
        return inFlight.get();
    }

    /** Supplies the decoded request inside the dispatcher, so a malformed request is audited too. */
    @FunctionalInterface
    public interface RequestSupplier<Q> {
        Q get() throws KmsException;
    }

    public <Q, R> R run(Operation<Q, R> op, Caller caller, Q request) throws KmsException {
        return runParsed(op, caller, () -> request);
    }

    /** Like {@link #run}, decoding the request inside, so a malformed request is refused and audited. */
    public <Q, R> R runParsed(Operation<Q, R> op, Caller caller, RequestSupplier<Q> request) throws KmsException {
        return run(op.name(), caller, ctx -> op.handle(ctx, request.get()));
    }

    /** A refusal before any operation could run (no valid client certificate, no role). */
    public void refuse(String operation, Caller caller, KmsException e) {
        try {
            run(operation, caller, ctx -> {
                throw e;
            });
        } catch (KmsException expected) {
            // recorded; the caller answers the client
        }
    }

    @FunctionalInterface
    private interface Body<R> {
        R apply(OpContext ctx) throws KmsException;
    }

    private <R> R run(String opName, Caller caller, Body<R> body) throws KmsException {
        OpContext ctx = new OpContext(caller);
        long start = System.nanoTime();
        String result = "success";
        KmsException failure = null;
        R response = null;
        inFlight.incrementAndGet();
        try {
            response = body.apply(ctx);
        } catch (KmsException e) {
            failure = e;
            result = e.errorCode();
            if (e instanceof HsmException h) {
                log.error("event=op_failed op={} request={} identity={} key={} hsm={}", opName, caller.requestId(),
                        caller.identity(), ctx.keyId(), h.detail());
            } else if (e.reason() == ResultReason.GENERAL_FAILURE || e instanceof UnavailableException) {
                log.warn("event=op_failed op={} request={} identity={} key={} code={} msg=\"{}\"", opName,
                        caller.requestId(), caller.identity(), ctx.keyId(), e.errorCode(), e.getMessage());
            } else {
                log.info("event=op_refused op={} request={} identity={} key={} code={} msg=\"{}\"", opName,
                        caller.requestId(), caller.identity(), ctx.keyId(), e.errorCode(), e.getMessage());
            }
        } catch (RuntimeException e) {
            String ref = UUID.randomUUID().toString().substring(0, 8);
            log.error("event=op_crashed op={} request={} identity={} key={} ref={}", opName, caller.requestId(),
                    caller.identity(), ctx.keyId(), ref, e);
            failure = new GeneralFailureException("general failure, see server log ref=" + ref, null);
            result = failure.errorCode();
        }
        inFlight.decrementAndGet();
        timer(opName, result).record(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS);
        try {
            audit.record(new AuditSink.Event(clock.instant(), caller.identity(), opName, ctx.keyId(), result,
                    caller.requestId(), ctx.detail()));
        } catch (KmsException e) {
            log.error("event=audit_append_failed op={} request={} key={} result={}", opName, caller.requestId(),
                    ctx.keyId(), result);
            if (failure == null) {
                throw new UnavailableException(ResultReason.GENERAL_FAILURE,
                        "the audit trail could not record the operation", e);
            }
        }
        if (failure != null) {
            throw failure;
        }
        return response;
    }

    private Timer timer(String op, String result) {
        ConcurrentHashMap<String, Timer> byResult = timers.get(op);
        if (byResult == null) {
            byResult = timers.computeIfAbsent(op, k -> new ConcurrentHashMap<>());
        }
        Timer t = byResult.get(result);
        return t != null ? t : byResult.computeIfAbsent(result, k -> Timer.builder("kms.operations")
                .description("KMS operations by name and result")
                .tag("operation", op)
                .tag("result", result)
                .publishPercentileHistogram()
                .register(registry));
    }
}
