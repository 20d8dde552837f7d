package io.streamlm.engine;

import static io.streamlm.engine.EngineTestSupport.builder;
import static io.streamlm.engine.EngineTestSupport.randomTokens;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Thousands of random small requests with cancellations, deadlines, priorities, shared prefixes and a KV
 * pool small enough to force preemptions: every handle completes exactly once and, once the caches are
 * dropped, no KV block or state slot is left in use.
 */
class EnginePropertyTest {

    @Test
    void noLeaksAndEveryHandleCompletesOnce() throws Exception {
        Random rnd = new Random(11);
        int numRequests = 2000;
        int[][] prefixes = {randomTokens(rnd, 5), randomTokens(rnd, 9), randomTokens(rnd, 13)};
        AtomicInteger completions = new AtomicInteger();
        Map<FinishReason, Integer> reasons = new EnumMap<>(FinishReason.class);
        try (LlmEngine engine = builder().blockSize(4).snapshotInterval(8).numKvBlocks(30).maxRunningRequests(12)
                .maxBatchedTokens(24).build()) {
            EngineStats initial = engine.stats();
            List<RequestHandle> handles = new ArrayList<>();
            for (int i = 0; i < numRequests; i++) {
                handles.add(submitRandom(engine, rnd, i, prefixes));
                if (rnd.nextInt(10) == 0) {
                    handles.get(rnd.nextInt(handles.size())).cancel();
                }
                if (i % 200 == 0) {
                    Thread.sleep(rnd.nextInt(20));
                }
            }
            for (RequestHandle h : handles) {
                h.result().whenComplete((r, e) -> completions.incrementAndGet());
            }
            for (RequestHandle h : handles) {
                GenerationResult r = h.result().get(3, TimeUnit.MINUTES);
                reasons.merge(r.finishReason(), 1, Integer::sum);
                assertEquals(r.usage().generatedTokens(), r.tokenIds().length);
                assertTrue(r.finishReason() != FinishReason.ERROR || r.id().startsWith("bad"), "unexpected error " + r.error());
            }
            assertEquals(numRequests, completions.get());
            engine.dropCaches();
            EngineStats end = engine.stats();
            assertEquals(0, end.kvBlocksUsed(), "leaked KV blocks");
            assertEquals(0, end.stateSlotsUsed(), "leaked state slots");
            assertEquals(0, end.numWaiting());
            assertEquals(0, end.numRunning());
            assertEquals(initial.kvBlocksTotal(), end.kvBlocksTotal());
            assertTrue(end.numPreemptions() > 0, "the small pool must preempt: " + end);
            assertTrue(end.prefixHitTokens() > 0, "shared prefixes must hit: " + end);
            for (FinishReason f : List.of(FinishReason.LENGTH, FinishReason.CANCELLED, FinishReason.DEADLINE, FinishReason.ERROR)) {
                assertTrue(reasons.getOrDefault(f, 0) > 0, "no request ended with " + f + ": " + reasons);
            }
        }
    }

    private static RequestHandle submitRandom(LlmEngine engine, Random rnd, int i, int[][] prefixes) {
        int kind = rnd.nextInt(20);
        if (kind == 0) {
            // invalid: a token outside the vocabulary
            return engine.submit(EngineTestSupport.greedy("bad" + i, new int[] {1, 100_000}, 2));
        }
        int[] prefix = prefixes[rnd.nextInt(prefixes.length)];
        int[] prompt = rnd.nextBoolean() ? EngineTestSupport.concat(prefix, randomTokens(rnd, 1 + rnd.nextInt(6)))
                : randomTokens(rnd, 1 + rnd.nextInt(14));
        Optional<Instant> deadline = kind <= 2 ? Optional.of(Instant.now().plusMillis(rnd.nextInt(30))) : Optional.empty();
        OptionalInt shared = prompt.length > prefix.length ? OptionalInt.of(prefix.length) : OptionalInt.empty();
        SamplingParams sp = SamplingParams.greedy(1 + rnd.nextInt(4));
        return engine.submit(new GenerationRequest("r" + i, new Prompt.Tokens(prompt), sp, rnd.nextInt(3), deadline,
                rnd.nextInt(4) == 0 ? "other" : "default", shared));
    }
}
