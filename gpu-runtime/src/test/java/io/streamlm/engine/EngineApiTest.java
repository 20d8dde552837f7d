package io.streamlm.engine;

import static io.streamlm.engine.EngineTestSupport.builder;
import static io.streamlm.engine.EngineTestSupport.greedy;
import static io.streamlm.engine.EngineTestSupport.randomTokens;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamlm.backend.SeqChunk;
import io.streamlm.backend.cpu.CpuBackend;
import io.streamlm.model.ModelLoader;
import io.streamlm.tokenizer.Tokenizer;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The Engine contract: validation, errors, cancel, deadlines, close, streaming text, stops, stats. */
class EngineApiTest {

    private static GenerationResult await(RequestHandle h) throws Exception {
        return h.result().get(1, TimeUnit.MINUTES);
    }

    @Test
    void builderRejectsBadSettingsWithActionableMessages() throws Exception {
        IllegalStateException noBackend = assertThrows(IllegalStateException.class, () -> LlmEngine.builder().build());
        assertTrue(noBackend.getMessage().contains("backend is required"), noBackend.getMessage());
        CpuBackend backend = EngineTestSupport.backend();
        IllegalArgumentException interval = assertThrows(IllegalArgumentException.class,
                () -> LlmEngine.builder().backend(backend).blockSize(16).snapshotInterval(10).build());
        assertTrue(interval.getMessage().contains("snapshotInterval"), interval.getMessage());
        IllegalArgumentException kv = assertThrows(IllegalArgumentException.class,
                () -> LlmEngine.builder().backend(backend).kvCacheBytes(100).build());
        assertTrue(kv.getMessage().contains("holds no KV block"), kv.getMessage());
        IllegalArgumentException batch = assertThrows(IllegalArgumentException.class,
                () -> LlmEngine.builder().backend(backend).maxBatchedTokens(0).build());
        assertTrue(batch.getMessage().contains("maxBatchedTokens"), batch.getMessage());
    }

    @Test
    void invalidRequestsCompleteWithErrorNamingTheProblem() throws Exception {
        try (LlmEngine engine = builder().numKvBlocks(8).build()) {
            GenerationResult vocab = await(engine.submit(greedy("v", new int[] {3, 9999}, 2)));
            assertEquals(FinishReason.ERROR, vocab.finishReason());
            assertTrue(vocab.error().get().contains("outside the vocabulary"), vocab.error().get());
            GenerationResult tooLong = await(engine.submit(greedy("l", new int[200], 2)));
            assertEquals(FinishReason.ERROR, tooLong.finishReason());
            assertTrue(tooLong.error().get().contains("KV blocks"), tooLong.error().get());
            GenerationResult text = await(engine.submit(GenerationRequest.of("t", new Prompt.Text("hi"), SamplingParams.greedy(2))));
            assertTrue(text.error().get().contains("needs a tokenizer"), text.error().get());
            RequestHandle first = engine.submit(greedy("dup", new int[] {1, 2, 3}, 60));
            GenerationResult dup = await(engine.submit(greedy("dup", new int[] {1, 2, 3}, 2)));
            assertTrue(dup.error().get().contains("already in flight"), dup.error().get());
            assertEquals(FinishReason.LENGTH, await(first).finishReason());
        }
    }

    @Test
    void cancelDeadlineAndCloseFreeEverything() throws Exception {
        LlmEngine engine = builder().build();
        List<Integer> streamed = new ArrayList<>();
        RequestHandle[] self = new RequestHandle[1];
        self[0] = engine.submit(greedy("c", randomTokens(new Random(1), 10), 100_000), (id, delta) -> {
            streamed.add(id);
            if (streamed.size() == 3) {
                self[0].cancel();
            }
        });
        GenerationResult cancelled = await(self[0]);
        assertEquals(FinishReason.CANCELLED, cancelled.finishReason());
        assertTrue(cancelled.tokenIds().length >= 3);
        GenerationRequest late = new GenerationRequest("d", new Prompt.Tokens(new int[] {1, 2}), SamplingParams.greedy(100_000), 0,
                Optional.of(Instant.now().plusMillis(100)), "default", OptionalInt.empty());
        GenerationResult deadline = await(engine.submit(late));
        assertEquals(FinishReason.DEADLINE, deadline.finishReason());
        GenerationRequest past = new GenerationRequest("p", new Prompt.Tokens(new int[] {1, 2}), SamplingParams.greedy(5), 0,
                Optional.of(Instant.now().minusSeconds(1)), "default", OptionalInt.empty());
        GenerationResult expired = await(engine.submit(past));
        assertEquals(FinishReason.DEADLINE, expired.finishReason());
        assertEquals(0, expired.tokenIds().length);
        List<RequestHandle> open = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            open.add(engine.submit(greedy("o" + i, new int[] {i + 1, 7}, 100_000)));
        }
        Thread.sleep(50);
        engine.close();
        for (RequestHandle h : open) {
            assertEquals(FinishReason.CANCELLED, await(h).finishReason());
        }
        EngineStats stats = engine.stats();
        assertEquals(0, stats.numRunning());
        assertEquals(0, stats.numWaiting());
        GenerationResult afterClose = await(engine.submit(greedy("z", new int[] {1}, 2)));
        assertTrue(afterClose.error().get().contains("closed"));
    }

    @Test
    void closeBackendOnCloseHandsTheBackendsThreadsBack() throws Exception {
        CpuBackend shared = CpuBackend.create(ModelLoader.load(EngineTestSupport.checkpoint()), 2);
        LlmEngine.builder().backend(shared).numKvBlocks(64).build().close();
        SeqChunk chunk = new SeqChunk(new int[] {1}, 0, new int[] {0}, 0, true);
        assertEquals(1, shared.forward(List.of(chunk)).length, "without the option the backend stays usable");

        CpuBackend owned = CpuBackend.create(ModelLoader.load(EngineTestSupport.checkpoint()), 2);
        LlmEngine.builder().backend(owned).numKvBlocks(64).closeBackendOnClose().build().close();
        assertThrows(IllegalStateException.class, () -> owned.forward(List.of(chunk)));
        shared.close();
    }

    @Test
    void streamsTextDeltasAndStopsOnStringsAndTokenIds() throws Exception {
        Path dir = EngineTestSupport.checkpointWithTokenizer();
        Tokenizer tok = Tokenizer.load(dir);
        try (LlmEngine engine = LlmEngine.builder().backend(CpuBackend.create(ModelLoader.load(dir), 1)).tokenizer(tok)
                .numKvBlocks(256).stateCacheBytes(1 << 20).build()) {
            StringBuilder streamed = new StringBuilder();
            GenerationResult free = await(engine.submit(GenerationRequest.of("s1", new Prompt.Text("The quick brown fox"),
                    SamplingParams.greedy(24)), (id, delta) -> streamed.append(delta)));
            assertEquals(FinishReason.LENGTH, free.finishReason());
            assertEquals(tok.decode(free.tokenIds()), free.text());
            assertEquals(free.text(), streamed.toString());
            assertTrue(free.usage().promptTokens() > 0);
            assertEquals(24, free.usage().generatedTokens());

            String text = free.text();
            String stop = text.substring(text.length() / 2, text.length() / 2 + 2);
            SamplingParams withStop = new SamplingParams(0, OptionalInt.empty(), 1, 0, 1, 0, 0, OptionalLong.empty(), 24,
                    List.of(), List.of(stop), false);
            GenerationResult stopped = await(engine.submit(GenerationRequest.of("s2", new Prompt.Text("The quick brown fox"), withStop)));
            assertEquals(FinishReason.STOP, stopped.finishReason());
            assertEquals(text.substring(0, text.indexOf(stop)), stopped.text());

            int stopId = free.tokenIds()[5];
            int firstAt = 0;
            while (free.tokenIds()[firstAt] != stopId) {
                firstAt++;
            }
            SamplingParams withStopId = new SamplingParams(0, OptionalInt.empty(), 1, 0, 1, 0, 0, OptionalLong.empty(), 24,
                    List.of(stopId), List.of(), true);
            GenerationResult byId = await(engine.submit(GenerationRequest.of("s3", new Prompt.Text("The quick brown fox"), withStopId)));
            assertEquals(FinishReason.STOP, byId.finishReason());
            assertEquals(firstAt + 1, byId.tokenIds().length);
            assertArrayEquals(java.util.Arrays.copyOf(free.tokenIds(), firstAt + 1), byId.tokenIds());
            assertEquals(firstAt + 1, byId.logprobs().get().length);

            GenerationResult chat = await(engine.submit(GenerationRequest.of("s4",
                    new Prompt.Chat(List.of(new ChatMessage("user", "hello"))), SamplingParams.greedy(4))));
            assertTrue(chat.usage().promptTokens() > 3);
            assertTrue(engine.stats().generatedTokens() >= 24 + 4);
        }
    }

    @Test
    void higherPriorityTakesTheSlotAndThePreemptedRequestRecomputesTheSameTokens() throws Exception {
        int[] lowPrompt = randomTokens(new Random(21), 12);
        int[] expected = EngineTestSupport.reference(List.of(greedy("low", lowPrompt, 40))).get(0);
        try (LlmEngine engine = builder().maxRunningRequests(1).build()) {
            RequestHandle[] high = new RequestHandle[1];
            RequestHandle low = engine.submit(greedy("low", lowPrompt, 40), (id, delta) -> {
                if (high[0] == null) {
                    high[0] = engine.submit(new GenerationRequest("high", new Prompt.Tokens(new int[] {5, 6, 7}),
                            SamplingParams.greedy(3), 10, Optional.empty(), "default", OptionalInt.empty()));
                }
            });
            GenerationResult lowResult = await(low);
            GenerationResult highResult = await(high[0]);
            assertEquals(FinishReason.LENGTH, highResult.finishReason());
            assertTrue(highResult.timings().totalNanos() < lowResult.timings().totalNanos());
            assertArrayEquals(expected, lowResult.tokenIds());
            assertTrue(engine.stats().numPreemptions() >= 1, engine.stats().toString());
        }
    }
}
