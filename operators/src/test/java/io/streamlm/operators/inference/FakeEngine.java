package io.streamlm.operators.inference;

import io.streamlm.engine.Engine;
import io.streamlm.engine.EngineStats;
import io.streamlm.engine.FinishReason;
import io.streamlm.engine.GenerationRequest;
import io.streamlm.engine.GenerationResult;
import io.streamlm.engine.Prompt;
import io.streamlm.engine.RequestHandle;
import io.streamlm.engine.TokenListener;
import io.streamlm.engine.Timings;
import io.streamlm.engine.Usage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stand-in engine for operator tests: completes each request on its own thread after a delay (or when
 * released), with text that is a pure function of the prompt tokens and seed - like the real engine's
 * contract that a fixed seed reproduces the completion.
 */
final class FakeEngine implements Engine {
    final List<GenerationRequest> submitted = java.util.Collections.synchronizedList(new ArrayList<>());
    final AtomicInteger numInFlight = new AtomicInteger();
    final AtomicInteger maxInFlight = new AtomicInteger();
    final AtomicInteger numCancelled = new AtomicInteger();
    final ConcurrentHashMap<String, CompletableFuture<GenerationResult>> pending = new ConcurrentHashMap<>();
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "fake-engine");
        t.setDaemon(true);
        return t;
    });
    private final long delayMillis;
    private final CountDownLatch gate;
    volatile boolean closed;

    /** @param delayMillis how long each request takes; {@code held}: complete only after {@link #release()} */
    FakeEngine(long delayMillis, boolean held) {
        this.delayMillis = delayMillis;
        this.gate = new CountDownLatch(held ? 1 : 0);
    }

    void release() {
        gate.countDown();
    }

    static String expectedText(int[] promptTokens, long seed) {
        return "gen-" + Integer.toHexString(Arrays.hashCode(promptTokens)) + "-" + Long.toHexString(seed);
    }

    @Override
    public RequestHandle submit(GenerationRequest request, TokenListener listener) {
        submitted.add(request);
        maxInFlight.accumulateAndGet(numInFlight.incrementAndGet(), Math::max);
        CompletableFuture<GenerationResult> result = new CompletableFuture<>();
        pending.put(request.id(), result);
        thread.schedule(() -> {
            try {
                gate.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            finish(request, FinishReason.STOP);
        }, delayMillis, TimeUnit.MILLISECONDS);
        return new RequestHandle() {
            @Override
            public String id() {
                return request.id();
            }

            @Override
            public CompletableFuture<GenerationResult> result() {
                return result;
            }

            @Override
            public void cancel() {
                if (finish(request, FinishReason.CANCELLED)) {
                    numCancelled.incrementAndGet();
                }
            }
        };
    }

    private boolean finish(GenerationRequest request, FinishReason reason) {
        CompletableFuture<GenerationResult> f = pending.remove(request.id());
        if (f == null) {
            return false;
        }
        numInFlight.decrementAndGet();
        int[] tokens = ((Prompt.Tokens) request.prompt()).ids();
        String text = reason == FinishReason.CANCELLED ? "" : expectedText(tokens, request.sampling().seed().getAsLong());
        f.complete(new GenerationResult(request.id(), reason, text, new int[] {1, 2, 3}, Optional.empty(),
                Optional.empty(), new Usage(tokens.length, request.sharedPrefixTokens().orElse(0), 3),
                new Timings(1_000_000, 2_000_000, new long[] {500_000, 600_000}, 4_000_000)));
        return true;
    }

    @Override
    public EngineStats stats() {
        return new EngineStats(0, numInFlight.get(), 3, 10, 1, 4, 100, 40, 0, 100, 3, 1.0);
    }

    @Override
    public void close() {
        closed = true;
        pending.keySet().forEach(id -> { });
        thread.shutdownNow();
    }
}
