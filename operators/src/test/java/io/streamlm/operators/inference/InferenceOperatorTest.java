package io.streamlm.operators.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.runtime.tasks.mailbox.TaskMailbox;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class InferenceOperatorTest {
    private static int nextName;
    private String name;

    private OneInputStreamOperatorTestHarness<InferenceTask, InferenceOutcome> harness(FakeEngine engine, InferenceOptions options)
            throws Exception {
        name = "op-test-" + (nextName++);
        FakeEngineFactory.ENGINES.put(name, engine);
        TypeSerializer<InferenceTask> in = TypeInformation.of(InferenceTask.class).createSerializer(new SerializerConfigImpl());
        var h = new OneInputStreamOperatorTestHarness<>(new InferenceOperatorFactory(new FakeEngineFactory(name), options), in);
        h.setup(TypeInformation.of(InferenceOutcome.class).createSerializer(new SerializerConfigImpl()));
        return h;
    }

    @AfterEach
    void cleanUp() {
        FakeEngineFactory.ENGINES.clear();
    }

    static InferenceOptions options(int batch, long delayMillis, int maxInFlight) {
        return new InferenceOptions(batch, Duration.ofMillis(delayMillis), maxInFlight, Duration.ZERO, false, 0);
    }

    static InferenceTask task(int i) {
        InferenceTask t = new InferenceTask();
        t.id = "req-" + i;
        t.tenant = "acme";
        t.promptTokens = new int[] {10, 11, 12, i};
        t.sharedPrefixTokens = 3;
        t.prefixHash = 42;
        t.seed = 1000 + i;
        t.maxTokens = 3;
        t.ingestMillis = 1;
        t.metadata(Map.of("order", "o-" + i));
        return t;
    }

    /** Runs every mail queued so far (completions handed back by the engine thread). */
    static void drainMailbox(OneInputStreamOperatorTestHarness<?, ?> h) throws Exception {
        TaskMailbox mb = h.getTaskMailbox();
        while (mb.hasMail()) {
            mb.take(TaskMailbox.MIN_PRIORITY).run();
        }
    }

    /** Finishes the operator as the end of a bounded input would: waits for every answer. */
    static void finish(OneInputStreamOperatorTestHarness<InferenceTask, InferenceOutcome> h) throws Exception {
        h.getOneInputOperator().finish();
    }

    @Test
    void submitsOnlyFullBatchesUntilTheDelayPasses() throws Exception {
        FakeEngine engine = new FakeEngine(0, true);
        try (var h = harness(engine, options(4, 50, 16))) {
            h.open();
            h.setProcessingTime(0);
            for (int i = 0; i < 3; i++) {
                h.processElement(task(i), 0);
            }
            assertEquals(0, engine.submitted.size(), "3 records < batch size 4 and no time passed: nothing submitted");
            h.processElement(task(3), 0);
            assertEquals(4, engine.submitted.size(), "the 4th record fills the batch");
            h.processElement(task(4), 0);
            h.setProcessingTime(49);
            assertEquals(4, engine.submitted.size(), "a partial batch waits for the delay");
            h.setProcessingTime(50);
            assertEquals(5, engine.submitted.size(), "the delay flushes the partial batch");
            engine.release();
            finish(h);
            assertEquals(5, h.extractOutputValues().size());
        }
    }

    @Test
    void emitsOneOutcomePerRequestWithSeededTextAndMetadata() throws Exception {
        FakeEngine engine = new FakeEngine(1, false);
        try (var h = harness(engine, options(2, 10, 8))) {
            h.open();
            for (int i = 0; i < 7; i++) {
                h.processElement(task(i), 0);
            }
            finish(h);
            List<InferenceOutcome> out = h.extractOutputValues();
            assertEquals(7, out.size());
            for (InferenceOutcome o : out) {
                int i = Integer.parseInt(o.id.substring(4));
                assertEquals(FakeEngine.expectedText(task(i).promptTokens, 1000 + i), o.text);
                assertEquals("ok", o.status);
                assertEquals("o-" + i, o.metadataValues[0]);
                assertEquals(3, o.cachedPromptTokens, "declared shared prefix reaches the engine");
            }
            Set<Long> seeds = engine.submitted.stream().map(r -> r.sampling().seed().getAsLong()).collect(Collectors.toSet());
            assertEquals(7, seeds.size());
        }
    }

    @Test
    void boundsRequestsInFlight() throws Exception {
        FakeEngine engine = new FakeEngine(5, false);
        try (var h = harness(engine, options(1, 0, 3))) {
            h.open();
            for (int i = 0; i < 20; i++) {
                h.processElement(task(i), 0);
            }
            finish(h);
            assertEquals(20, h.extractOutputValues().size());
            assertTrue(engine.maxInFlight.get() <= 3, "at most 3 requests in the engine, saw " + engine.maxInFlight.get());
        }
    }

    @Test
    void restoresUnfinishedRequestsFromStateAndReproducesTheirText() throws Exception {
        FakeEngine held = new FakeEngine(0, true);
        OperatorSubtaskState snapshot;
        var failed = harness(held, options(2, 10, 16));
        failed.open();
        for (int i = 0; i < 5; i++) {
            failed.processElement(task(i), 0);
        }
        snapshot = failed.snapshot(1, 1);
        assertEquals(0, failed.extractOutputValues().size());
        // a failure: Flink closes the operator without finish() (harness.close() would finish it)
        failed.getOneInputOperator().close();
        assertTrue(held.numCancelled.get() >= 4, "closing a failed attempt cancels its engine requests");

        FakeEngine fresh = new FakeEngine(1, false);
        try (var h = harness(fresh, options(2, 10, 16))) {
            h.initializeState(snapshot);
            h.open();
            finish(h);
            Map<String, String> texts = new TreeMap<>();
            h.extractOutputValues().forEach(o -> texts.put(o.id, o.text));
            assertEquals(5, texts.size(), "every accepted request is answered after the restore: " + texts.keySet());
            for (int i = 0; i < 5; i++) {
                assertEquals(FakeEngine.expectedText(task(i).promptTokens, 1000 + i), texts.get("req-" + i));
            }
        }
    }

    @Test
    void answeredRequestsAreNotInTheNextSnapshot() throws Exception {
        FakeEngine engine = new FakeEngine(0, false);
        OperatorSubtaskState snapshot;
        try (var h = harness(engine, options(1, 0, 4))) {
            h.open();
            for (int i = 0; i < 3; i++) {
                h.processElement(task(i), 0);
            }
            while (engine.numInFlight.get() > 0) {
                Thread.sleep(1);
            }
            drainMailbox(h);
            assertEquals(3, h.extractOutputValues().size());
            snapshot = h.snapshot(2, 2);
        }
        FakeEngine fresh = new FakeEngine(0, false);
        try (var h = harness(fresh, options(1, 0, 4))) {
            h.initializeState(snapshot);
            h.open();
            finish(h);
            assertEquals(0, fresh.submitted.size(), "nothing to replay: all three were answered before the snapshot");
        }
    }

    @Test
    void subtasksShareOneEngine() throws Exception {
        FakeEngine engine = new FakeEngine(0, false);
        int created = FakeEngineFactory.NUM_CREATED.get();
        var a = harness(engine, options(1, 0, 4));
        FakeEngineFactory.ENGINES.put(name, engine);
        String shared = name;
        var b = new OneInputStreamOperatorTestHarness<>(new InferenceOperatorFactory(new FakeEngineFactory(shared),
                options(1, 0, 4)), TypeInformation.of(InferenceTask.class).createSerializer(new SerializerConfigImpl()));
        a.open();
        b.open();
        assertEquals(created + 1, FakeEngineFactory.NUM_CREATED.get(), "two subtasks, one engine");
        assertEquals(2, SharedEngines.numLeases("fake:" + shared));
        a.close();
        assertEquals(1, SharedEngines.numLeases("fake:" + shared));
        b.close();
        assertTrue(engine.closed, "the last release closes the engine (linger 0)");
    }
}
