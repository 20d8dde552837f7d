package io.streamlm.tests;

import io.streamlm.engine.Engine;
import io.streamlm.engine.EngineStats;
import io.streamlm.engine.GenerationRequest;
import io.streamlm.engine.GenerationResult;
import io.streamlm.engine.RequestHandle;
import io.streamlm.engine.TokenListener;
import io.streamlm.operators.inference.EngineFactory;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The real engine with two test hooks: once {@link #ARMED}, the next submission throws (an exception
 * inside the inference operator, which fails the task so Flink restores from the last checkpoint); and
 * every result is handed back {@code resultDelayMillis} late, so requests stay accepted-but-unfinished
 * across several checkpoints - the state a failure must restore - without changing what they compute.
 */
final class FlakyEngineFactory implements EngineFactory {
    static final AtomicInteger SUBMISSIONS = new AtomicInteger();
    static final AtomicBoolean ARMED = new AtomicBoolean();
    static final AtomicBoolean FAILED = new AtomicBoolean();
    /** Requests submitted whose (delayed) result has not been handed back yet. */
    static final AtomicInteger IN_FLIGHT = new AtomicInteger();
    private final EngineFactory real;
    private final long resultDelayMillis;

    FlakyEngineFactory(EngineFactory real, long resultDelayMillis) {
        this.real = real;
        this.resultDelayMillis = resultDelayMillis;
    }

    static void reset() {
        SUBMISSIONS.set(0);
        ARMED.set(false);
        FAILED.set(false);
        IN_FLIGHT.set(0);
    }

    @Override
    public String sharingKey() {
        return "flaky:" + real.sharingKey();
    }

    @Override
    public Engine create() throws Exception {
        Engine engine = real.create();
        Executor late = CompletableFuture.delayedExecutor(resultDelayMillis, TimeUnit.MILLISECONDS);
        return new Engine() {
            @Override
            public RequestHandle submit(GenerationRequest request, TokenListener listener) {
                SUBMISSIONS.incrementAndGet();
                if (ARMED.get() && FAILED.compareAndSet(false, true)) {
                    throw new IllegalStateException("injected failure in the inference operator at " + request.id());
                }
                RequestHandle h = engine.submit(request, listener);
                IN_FLIGHT.incrementAndGet();
                CompletableFuture<GenerationResult> delayed = h.result().thenApplyAsync(r -> r, late);
                delayed.whenComplete((r, e) -> IN_FLIGHT.decrementAndGet());
                return new RequestHandle() {
                    @Override
                    public String id() {
                        return h.id();
                    }

                    @Override
                    public CompletableFuture<GenerationResult> result() {
                        return delayed;
                    }

                    @Override
                    public void cancel() {
                        h.cancel();
                    }
                };
            }

            @Override
            public EngineStats stats() {
                return engine.stats();
            }

            @Override
            public void close() {
                engine.close();
            }
        };
    }
}
