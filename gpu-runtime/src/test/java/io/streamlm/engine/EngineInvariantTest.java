package io.streamlm.engine;

import static io.streamlm.engine.EngineTestSupport.backend;
import static io.streamlm.engine.EngineTestSupport.builder;
import static io.streamlm.engine.EngineTestSupport.concat;
import static io.streamlm.engine.EngineTestSupport.greedy;
import static io.streamlm.engine.EngineTestSupport.randomTokens;
import static io.streamlm.engine.EngineTestSupport.reference;
import static io.streamlm.engine.EngineTestSupport.runAll;
import static io.streamlm.engine.EngineTestSupport.runOneByOne;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamlm.backend.cpu.CpuBackend;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * Greedy outputs are identical token for token however the engine schedules a request: alone, in a batch of
 * 32, after a prefix-cache hit (blocks + state snapshot), after preemption and recompute, in chunks of any
 * size. Runs the real CPU backend on a small generated checkpoint.
 */
class EngineInvariantTest {

    private static List<GenerationRequest> mixedBatch(int n, long seed) {
        Random rnd = new Random(seed);
        List<GenerationRequest> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(greedy("r" + i, randomTokens(rnd, 1 + rnd.nextInt(90)), 4 + rnd.nextInt(9)));
        }
        return out;
    }

    private static void assertSameTokens(List<int[]> expected, List<GenerationResult> actual) {
        for (int i = 0; i < expected.size(); i++) {
            assertEquals(FinishReason.LENGTH, actual.get(i).finishReason(), "request " + i);
            assertArrayEquals(expected.get(i), actual.get(i).tokenIds(), "request " + i + " tokens");
        }
    }

    @Test
    void batchOf32MixedLengthsMatchesAlone() throws Exception {
        List<GenerationRequest> reqs = mixedBatch(32, 1);
        List<int[]> expected = reference(reqs);
        try (LlmEngine engine = builder().maxBatchedTokens(128).build()) {
            assertSameTokens(expected, runAll(engine, reqs));
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {7, 16, 64})
    void chunkedPrefillMatches(int maxBatchedTokens) throws Exception {
        List<GenerationRequest> reqs = mixedBatch(6, 2);
        List<int[]> expected = reference(reqs);
        try (LlmEngine engine = builder().maxBatchedTokens(maxBatchedTokens).enablePrefixCache(false).build()) {
            assertSameTokens(expected, runAll(engine, reqs));
        }
    }

    @Test
    void declaredOddPrefixHitsFromTheSecondRequest() throws Exception {
        Random rnd = new Random(3);
        int[] prefix = randomTokens(rnd, 37);
        List<GenerationRequest> reqs = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            int[] prompt = concat(prefix, randomTokens(rnd, 5 + i * 7));
            reqs.add(new GenerationRequest("p" + i, new Prompt.Tokens(prompt), SamplingParams.greedy(8), 0,
                    Optional.empty(), "default", OptionalInt.of(37)));
        }
        List<int[]> expected = reference(reqs);
        try (LlmEngine engine = builder().build()) {
            List<GenerationResult> results = runOneByOne(engine, reqs);
            assertSameTokens(expected, results);
            assertEquals(0, results.get(0).usage().cachedPromptTokens());
            for (int i = 1; i < results.size(); i++) {
                assertEquals(37, results.get(i).usage().cachedPromptTokens(), "request " + i + " cached tokens");
            }
        }
    }

    /**
     * With room for a single snapshot, each request's aligned snapshots inside its own unique suffix must not
     * push out the declared-prefix snapshot every later request resumes from.
     */
    @Test
    void declaredSnapshotOutlivesAlignedOnesWithOneSlot() throws Exception {
        Random rnd = new Random(5);
        int[] prefix = randomTokens(rnd, 37);
        List<GenerationRequest> reqs = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            reqs.add(new GenerationRequest("one" + i, new Prompt.Tokens(concat(prefix, randomTokens(rnd, 45))),
                    SamplingParams.greedy(4), 0, Optional.empty(), "default", OptionalInt.of(37)));
        }
        List<int[]> expected = reference(reqs);
        long oneSlot;
        try (CpuBackend b = backend()) {
            oneSlot = b.stateSlotBytes();
        }
        try (LlmEngine engine = builder().blockSize(16).snapshotInterval(16).stateCacheBytes(oneSlot).build()) {
            List<GenerationResult> results = runOneByOne(engine, reqs);
            assertSameTokens(expected, results);
            for (int i = 1; i < results.size(); i++) {
                assertEquals(37, results.get(i).usage().cachedPromptTokens(), "request " + i + " cached tokens");
            }
        }
    }

    /**
     * A snapshot first stored at an aligned position by a request that declared nothing moves up to the
     * declared class once a request resumes from it as its declared prefix, so later aligned snapshots do not
     * evict it.
     */
    @Test
    void alignedSnapshotBecomesDeclaredWhenAPrefixIsDeclaredAtIt() throws Exception {
        Random rnd = new Random(6);
        int[] prefix = randomTokens(rnd, 32);
        List<GenerationRequest> reqs = new ArrayList<>();
        reqs.add(new GenerationRequest("undeclared", new Prompt.Tokens(concat(prefix, randomTokens(rnd, 10))),
                SamplingParams.greedy(2), 0, Optional.empty(), "default", OptionalInt.empty()));
        for (int i = 0; i < 3; i++) {
            reqs.add(new GenerationRequest("declared" + i, new Prompt.Tokens(concat(prefix, randomTokens(rnd, 60))),
                    SamplingParams.greedy(2), 0, Optional.empty(), "default", OptionalInt.of(32)));
        }
        List<int[]> expected = reference(reqs);
        long twoSlots;
        try (CpuBackend b = backend()) {
            twoSlots = 2 * b.stateSlotBytes();
        }
        try (LlmEngine engine = builder().blockSize(16).snapshotInterval(16).stateCacheBytes(twoSlots).build()) {
            List<GenerationResult> results = runOneByOne(engine, reqs);
            assertSameTokens(expected, results);
            for (int i = 1; i < results.size(); i++) {
                assertEquals(32, results.get(i).usage().cachedPromptTokens(), "request " + i + " cached tokens");
            }
        }
    }

    @Test
    void declaredPrefixShorterThanOneBlockHits() throws Exception {
        Random rnd = new Random(4);
        int[] prefix = randomTokens(rnd, 5);
        List<GenerationRequest> reqs = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            reqs.add(new GenerationRequest("s" + i, new Prompt.Tokens(concat(prefix, randomTokens(rnd, 3))),
                    SamplingParams.greedy(6), 0, Optional.empty(), "default", OptionalInt.of(5)));
        }
        List<int[]> expected = reference(reqs);
        try (LlmEngine engine = builder().build()) {
            List<GenerationResult> results = runOneByOne(engine, reqs);
            assertSameTokens(expected, results);
            assertEquals(5, results.get(2).usage().cachedPromptTokens());
        }
    }

    @Test
    void alignedSnapshotsAndRepeatedPromptHit() throws Exception {
        Random rnd = new Random(5);
        int[] prompt = randomTokens(rnd, 100);
        List<GenerationRequest> reqs = List.of(greedy("a", prompt, 6), greedy("b", prompt, 6),
                greedy("c", concat(prompt, randomTokens(rnd, 20)), 6));
        List<int[]> expected = reference(reqs);
        try (LlmEngine engine = builder().build()) {
            List<GenerationResult> results = runOneByOne(engine, reqs);
            assertSameTokens(expected, results);
            assertEquals(96, results.get(1).usage().cachedPromptTokens()); // snapshots every 32 tokens
            assertTrue(results.get(2).usage().cachedPromptTokens() >= 96);
            assertTrue(engine.stats().prefixHitTokens() >= 192);
        }
    }

    @Test
    void preemptionAndRecomputeMatch() throws Exception {
        Random rnd = new Random(6);
        List<GenerationRequest> reqs = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            reqs.add(greedy("q" + i, randomTokens(rnd, 20 + rnd.nextInt(20)), 24));
        }
        List<int[]> expected = reference(reqs);
        try (LlmEngine engine = builder().blockSize(4).snapshotInterval(8).numKvBlocks(40).maxBatchedTokens(32).build()) {
            assertSameTokens(expected, runAll(engine, reqs));
            assertTrue(engine.stats().numPreemptions() > 0, "the tiny KV pool must force preemptions");
        }
    }

    @Test
    void collidingHashNeverCorruptsOutput() throws Exception {
        PrefixHasher colliding = new PrefixHasher() {
            @Override
            public long root(String tenant, String modelId) {
                return 42;
            }

            @Override
            public long next(long parentHash, int[] tokens, int from, int to) {
                return 42;
            }
        };
        Random rnd = new Random(8);
        int[] shared = randomTokens(rnd, 40);
        List<GenerationRequest> reqs = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            int[] prompt = i % 2 == 0 ? concat(shared, randomTokens(rnd, 9)) : randomTokens(rnd, 50);
            reqs.add(new GenerationRequest("h" + i, new Prompt.Tokens(prompt), SamplingParams.greedy(6), 0,
                    Optional.empty(), "default", OptionalInt.of(i % 2 == 0 ? 40 : 17)));
        }
        List<int[]> expected = reference(reqs);
        try (LlmEngine engine = builder().hasher(colliding).build()) {
            List<GenerationResult> results = runOneByOne(engine, reqs);
            assertSameTokens(expected, results);
        }
    }

    @Test
    void tenantsNeverShare() throws Exception {
        Random rnd = new Random(9);
        int[] prompt = randomTokens(rnd, 60);
        try (LlmEngine engine = builder().build()) {
            GenerationResult a = engine.submit(new GenerationRequest("t1", new Prompt.Tokens(prompt), SamplingParams.greedy(3),
                    0, Optional.empty(), "alice", OptionalInt.of(40))).result().get(1, TimeUnit.MINUTES);
            GenerationResult b = engine.submit(new GenerationRequest("t2", new Prompt.Tokens(prompt), SamplingParams.greedy(3),
                    0, Optional.empty(), "bob", OptionalInt.of(40))).result().get(1, TimeUnit.MINUTES);
            GenerationResult c = engine.submit(new GenerationRequest("t3", new Prompt.Tokens(prompt), SamplingParams.greedy(3),
                    0, Optional.empty(), "alice", OptionalInt.of(40))).result().get(1, TimeUnit.MINUTES);
            assertEquals(0, b.usage().cachedPromptTokens());
            assertTrue(c.usage().cachedPromptTokens() >= 40);
            assertArrayEquals(a.tokenIds(), b.tokenIds());
            assertArrayEquals(a.tokenIds(), c.tokenIds());
        }
    }
}
