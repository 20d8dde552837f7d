package io.streamlm.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamlm.jobs.JobConfig;
import io.streamlm.jobs.StreamingInferenceJob;
import io.streamlm.jobs.local.EmbeddedKafka;
import io.streamlm.jobs.local.KafkaIo;
import io.streamlm.jobs.local.LocalFlink;
import io.streamlm.jobs.local.SampleRequests;
import io.streamlm.model.ModelConfig;
import io.streamlm.operators.inference.SharedEngines;
import io.streamlm.operators.metrics.PipelineMetrics;
import io.streamlm.schemas.Completion;
import io.streamlm.schemas.DeadLetter;
import io.streamlm.schemas.RequestMetrics;
import io.streamlm.schemas.RequestStatus;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * The streaming job end to end on a real Kafka broker and a Flink MiniCluster, with the real engine on
 * the tiny random model: exactly-once answers, typed dead letters while the job keeps running, and
 * recovery from an operator exception and from a lost TaskManager with the same texts as a clean run.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(600)
class StreamingPipelineITCase {
    private static final int NUM_REQUESTS = 18;
    private static final long WORKLOAD_SEED = 11;
    private static EmbeddedKafka kafka;
    private static Map<String, String> cleanTexts;

    @BeforeAll
    static void startKafka() throws Exception {
        kafka = EmbeddedKafka.start();
    }

    @AfterAll
    static void stop() throws Exception {
        SharedEngines.closeAll();
        if (kafka != null) {
            kafka.close();
        }
    }

    private static void createTopics(String prefix, int partitions) throws Exception {
        kafka.createTopics(Map.of(prefix + ".prompts", partitions, prefix + ".completions", partitions,
                prefix + ".metrics", 1, prefix + ".dead-letters", 1));
    }

    @Test
    @Order(1)
    void answersEveryRequestOnceAndDeadLettersEveryBadRecordWhileRunning() throws Exception {
        String prefix = "clean";
        createTopics(prefix, 2);
        JobConfig config = PipelineFixture.config(kafka.bootstrapServers(), prefix, 2);
        int contextLength = ModelConfig.load(config.modelPath()).maxPositionEmbeddings();
        List<SampleRequests.Sample> valid = SampleRequests.valid(NUM_REQUESTS, PipelineFixture.MAX_TOKENS, WORKLOAD_SEED);
        List<SampleRequests.Malformed> malformed = SampleRequests.malformed(contextLength);
        try (LocalFlink flink = LocalFlink.start(1, 2)) {
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
            StreamingInferenceJob.build(env, config);
            JobID job = flink.submit(env, prefix);
            List<byte[][]> records = new ArrayList<>();
            for (int i = 0; i < valid.size(); i++) {
                records.add(new byte[][] {valid.get(i).key(), valid.get(i).value()});
                if (i < malformed.size()) {
                    records.add(new byte[][] {null, malformed.get(i).value()});
                }
            }
            KafkaIo.produce(kafka.bootstrapServers(), config.topics().prompts(), records);

            PipelineFixture.awaitCompletions(kafka.bootstrapServers(), config.topics().completions(), NUM_REQUESTS,
                    Duration.ofMinutes(4));
            List<KafkaIo.Output<DeadLetter>> dead = KafkaIo.readCommitted(kafka.bootstrapServers(),
                    config.topics().deadLetters(), DeadLetter.class, out -> out.size() >= malformed.size(), Duration.ofMinutes(1));
            assertEquals(JobStatus.RUNNING, flink.status(job), "bad records must not stop the job");
            List<KafkaIo.Output<Completion>> all = PipelineFixture.allCompletions(kafka.bootstrapServers(),
                    config.topics().completions());
            List<KafkaIo.Output<RequestMetrics>> metrics = KafkaIo.readCommitted(kafka.bootstrapServers(),
                    config.topics().metrics(), RequestMetrics.class,
                    out -> out.stream().map(m -> m.value().getId()).distinct().count() >= NUM_REQUESTS, Duration.ofSeconds(30));
            flink.cancel(job);

            assertExactlyOnce(valid, all);
            for (KafkaIo.Output<Completion> c : all) {
                int i = Integer.parseInt(c.value().getId().substring(4));
                assertEquals(RequestStatus.OK, c.value().getStatus(), c.value().getId() + ": " + c.value().getErrorMessage());
                assertEquals("evt-" + i, c.value().getMetadata().get("event_id"), "metadata is passed through");
                assertTrue(c.value().getUsage().getGeneratedTokens() >= 1);
            }
            assertDeadLetters(malformed, dead);
            assertEquals(NUM_REQUESTS, metrics.stream().map(m -> m.value().getId()).distinct().count(),
                    "one metrics event per request (at least once)");
            cleanTexts = PipelineFixture.textsById(all);
        }
    }

    private static void assertExactlyOnce(List<SampleRequests.Sample> valid, List<KafkaIo.Output<Completion>> all) {
        Set<String> expected = valid.stream().map(SampleRequests.Sample::id).collect(Collectors.toSet());
        List<String> ids = all.stream().map(c -> c.value().getId()).toList();
        assertEquals(expected, new HashSet<>(ids), "completion ids = request ids");
        assertEquals(expected.size(), ids.size(), "no duplicates among " + ids.size() + " committed completions");
    }

    private static void assertDeadLetters(List<SampleRequests.Malformed> malformed, List<KafkaIo.Output<DeadLetter>> dead) {
        assertEquals(malformed.size(), dead.size(), "one dead letter per malformed record");
        Map<String, Integer> expected = new TreeMap<>();
        malformed.forEach(m -> expected.merge(m.expected().name(), 1, Integer::sum));
        Map<String, Integer> got = new TreeMap<>();
        dead.forEach(d -> got.merge(d.value().getReason().name(), 1, Integer::sum));
        assertEquals(expected, got, "dead-letter reasons");
        Map<ByteBuffer, String> reasonByBytes = new HashMap<>();
        malformed.forEach(m -> reasonByBytes.put(ByteBuffer.wrap(m.value()), m.expected().name()));
        for (KafkaIo.Output<DeadLetter> d : dead) {
            ByteBuffer raw = d.value().getRawValue();
            byte[] bytes = new byte[raw.remaining()];
            raw.duplicate().get(bytes);
            assertEquals(reasonByBytes.get(ByteBuffer.wrap(bytes)), d.value().getReason().name(),
                    "the dead letter keeps the original bytes and the reason for them: " + d.value().getMessage());
            assertTrue(d.value().getSource() != null && d.value().getSource().getTopic().endsWith(".prompts"));
            assertTrue(!d.value().getMessage().isBlank());
        }
    }

    @Test
    @Order(2)
    void recoversFromAnOperatorExceptionAndALostTaskManagerExactlyOnce() throws Exception {
        if (cleanTexts == null) {
            answersEveryRequestOnceAndDeadLettersEveryBadRecordWhileRunning();
        }
        String prefix = "failover";
        createTopics(prefix, 2);
        JobConfig config = PipelineFixture.config(kafka.bootstrapServers(), prefix, 2);
        List<SampleRequests.Sample> valid = SampleRequests.valid(NUM_REQUESTS, PipelineFixture.MAX_TOKENS, WORKLOAD_SEED);
        FlakyEngineFactory.reset();
        double restoredBefore = restoredRequests();
        String bootstrap = kafka.bootstrapServers();
        String completions = config.topics().completions();
        // two TaskManagers with one slot each: each runs one of the two parallel pipelines
        try (LocalFlink flink = LocalFlink.start(2, 1)) {
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
            StreamingInferenceJob.build(env, config, new FlakyEngineFactory(config.engine(), 8000));
            JobID job = flink.submit(env, prefix);
            int half = NUM_REQUESTS / 2;
            KafkaIo.produce(bootstrap, config.topics().prompts(), PipelineFixture.records(valid.subList(0, half)));
            awaitCheckpointWithRequestsInFlight(flink, job);

            // 1. an exception inside the operator, at the next request it submits
            FlakyEngineFactory.ARMED.set(true);
            KafkaIo.produce(bootstrap, config.topics().prompts(), PipelineFixture.records(valid.subList(half, half + 1)));
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
            while (!FlakyEngineFactory.FAILED.get() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertTrue(FlakyEngineFactory.FAILED.get(), "the injected operator exception happened");
            int afterException = distinct(PipelineFixture.awaitCompletions(bootstrap, completions, half + 1, Duration.ofMinutes(4)));

            // 2. a TaskManager lost while the rest is in flight
            KafkaIo.produce(bootstrap, config.topics().prompts(), PipelineFixture.records(valid.subList(half + 1, NUM_REQUESTS)));
            awaitCheckpointWithRequestsInFlight(flink, job);
            int beforeLoss = distinct(PipelineFixture.allCompletions(bootstrap, completions));
            flink.miniCluster().terminateTaskManager(0).get();
            flink.miniCluster().startTaskManager(); // the replacement a cluster manager would start
            PipelineFixture.awaitCompletions(bootstrap, completions, NUM_REQUESTS, Duration.ofMinutes(5));
            Thread.sleep(2 * config.checkpointInterval().toMillis());
            List<KafkaIo.Output<Completion>> all = PipelineFixture.allCompletions(bootstrap, completions);
            assertEquals(JobStatus.RUNNING, flink.status(job));
            flink.cancel(job);
            double restored = restoredRequests() - restoredBefore;
            System.out.printf("failover: %d requests; operator exception after %d answered, TaskManager 0 lost after %d "
                            + "answered; %d engine submissions for %d requests; %.0f requests restored from checkpoint "
                            + "state and re-submitted; %d committed completions, %d distinct%n", NUM_REQUESTS, afterException,
                    beforeLoss, FlakyEngineFactory.SUBMISSIONS.get(), NUM_REQUESTS, restored, all.size(), distinct(all));

            assertExactlyOnce(valid, all);
            Map<String, String> texts = PipelineFixture.textsById(all);
            for (String id : cleanTexts.keySet()) {
                assertEquals(cleanTexts.get(id), texts.get(id), id + ": same text as the run without failures");
            }
            assertTrue(restored > 0, "requests accepted but unfinished at a checkpoint were restored and re-submitted");
        }
    }

    /**
     * Waits until requests are in the engine and two more checkpoints have completed: the second began
     * after they were accepted, so its state holds them (their results come back seconds later).
     */
    private static void awaitCheckpointWithRequestsInFlight(LocalFlink flink, JobID job) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (FlakyEngineFactory.IN_FLIGHT.get() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        long start = flink.completedCheckpoints(job);
        while (flink.completedCheckpoints(job) < start + 2 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertTrue(flink.completedCheckpoints(job) >= start + 2, "checkpoints complete");
        assertTrue(FlakyEngineFactory.IN_FLIGHT.get() > 0, "requests still in flight after the checkpoint (raise the result delay)");
    }

    private static int distinct(List<KafkaIo.Output<Completion>> completions) {
        return (int) completions.stream().map(c -> c.value().getId()).distinct().count();
    }

    private static double restoredRequests() {
        Double v = PipelineMetrics.get().registry().getSampleValue("streamlm:requests_restored_total");
        return v == null ? 0 : v;
    }

}
