package io.kekvault.kmip.vectors;

import io.kekvault.kmip.error.KmsException;
import io.kekvault.kmip.ttlv.TtlvItem;
import io.kekvault.kmip.ttlv.TtlvMatcher;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Plays vector files against a server through any transport (binary TTLV, XML or JSON over
 * HTTPS): for each step, substitutes the placeholders of the request, exchanges it, and compares
 * the answer with the expected response. A file stops at its first failing step, since later
 * steps depend on earlier ones.
 */
public final class VectorRunner {

    /** Sends one request message and returns the response message. */
    @FunctionalInterface
    public interface Exchange {
        TtlvItem exchange(TtlvItem request) throws Exception;
    }

    /** The outcome of one file: the number of steps that passed, and the first failure if any. */
    public record Result(VectorFile file, int passedSteps, Optional<String> failure) {
        public boolean passed() {
            return failure.isEmpty();
        }

        @Override
        public String toString() {
            return file.name() + ": " + (passed() ? "passed " + passedSteps + " steps" : "failed at step " + passedSteps + ": " + failure.get());
        }
    }

    private final Clock clock;

    public VectorRunner(Clock clock) {
        this.clock = clock;
    }

    public Result run(VectorFile file, Exchange exchange) {
        VectorSession session = new VectorSession(clock);
        int step = 0;
        for (VectorFile.Step s : file.steps()) {
            TtlvItem request;
            try {
                request = session.prepare(s.request());
            } catch (KmsException e) {
                return new Result(file, step, Optional.of("request cannot be prepared: " + e.getMessage()));
            }
            TtlvItem response;
            try {
                response = exchange.exchange(request);
            } catch (Exception e) {
                return new Result(file, step, Optional.of("exchange failed: " + e));
            }
            Optional<TtlvMatcher.Mismatch> m = session.check(s.expectedResponse(), response);
            if (m.isPresent()) {
                return new Result(file, step, Optional.of(m.get().toString()));
            }
            step++;
        }
        return new Result(file, step, Optional.empty());
    }

    public List<Result> runAll(List<VectorFile> files, Exchange exchange) {
        List<Result> out = new ArrayList<>();
        for (VectorFile f : files) {
            out.add(run(f, exchange));
        }
        return out;
    }
}
