package io.streamlm.jobs;

import io.streamlm.backend.cpu.CpuBackend;
import io.streamlm.jobs.local.EmbeddedKafka;
import io.streamlm.jobs.local.KafkaIo;
import io.streamlm.jobs.local.LocalFlink;
import io.streamlm.jobs.local.SampleRequests;
import io.streamlm.model.ModelConfig;
import io.streamlm.operators.inference.SharedEngines;
import io.streamlm.schemas.Completion;
import io.streamlm.schemas.DeadLetter;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.JobID;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * {@code ./streamlm demo [--requests N] [--max-tokens N] [--parallelism N] [--model DIR]}: the whole
 * pipeline on this machine - an in-process Kafka broker, a Flink MiniCluster with its web UI, the tiny
 * random-weight model on the CPU backend - fed N sample requests plus one malformed record per
 * dead-letter reason. Prints a summary and, as its last line, one JSON object with the measured counts
 * and latencies. Exits 0 when every request was answered exactly once and every malformed record was
 * dead-lettered.
 */
public final class DemoMain {
    private DemoMain() {}

    public static void main(String[] argv) throws Exception {
        DemoOptions options;
        try {
            options = DemoOptions.parse(argv);
        } catch (IllegalArgumentException e) {
            System.err.println("streamlm demo: " + e.getMessage());
            System.err.println(DemoOptions.USAGE);
            System.exit(2);
            return;
        }
        if (options.help()) {
            System.out.println(DemoOptions.USAGE);
            return;
        }
        int rc;
        try {
            rc = run(options);
        } catch (Exception e) {
            System.err.println("streamlm demo: error: " + e);
            e.printStackTrace();
            rc = 1;
        }
        SharedEngines.closeAll();
        System.exit(rc); // Flink and Kafka leave non-daemon threads behind
    }

    static int run(DemoOptions o) throws Exception {
        long t0 = System.nanoTime();
        Path model = o.model().isPresent() ? o.model().get() : DemoModel.tiny();
        ModelConfig modelConfig = ModelConfig.load(model);
        System.out.println("model        " + model + " (context " + modelConfig.maxPositionEmbeddings() + " tokens)");
        Path work = Files.createTempDirectory("streamlm-demo-");
        Path templates = work.resolve("templates.json");
        try (InputStream in = DemoMain.class.getResourceAsStream("/io/streamlm/operators/enrichment/demo-templates.json")) {
            Files.copy(in, templates, StandardCopyOption.REPLACE_EXISTING);
        }
        try (EmbeddedKafka kafka = EmbeddedKafka.start(); LocalFlink flink = LocalFlink.start(1, o.parallelism())) {
            System.out.println("kafka        " + kafka.bootstrapServers() + " (in process)");
            System.out.println("flink web ui " + flink.webUi());
            kafka.createTopics(Map.of("streamlm.prompts", o.parallelism(), "streamlm.completions", o.parallelism(),
                    "streamlm.metrics", 1, "streamlm.dead-letters", 1));
            JobConfig config = JobConfigParser.fromMap(jobSettings(o, kafka.bootstrapServers(), model, modelConfig, templates));
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
            StreamingInferenceJob.build(env, config);
            JobID job = flink.submit(env, "streamlm-demo");

            List<SampleRequests.Sample> valid = o.sharedPrefix().isPresent()
                    ? SampleRequests.sharedPrefix(o.numRequests(), o.sharedPrefix().get().prefixTokens(),
                            o.sharedPrefix().get().suffixTokens(), o.maxTokens(), modelConfig.vocabSize(), 1)
                    : SampleRequests.valid(o.numRequests(), o.maxTokens(), 42);
            List<SampleRequests.Malformed> malformed = SampleRequests.malformed(modelConfig.maxPositionEmbeddings());
            warmUp(kafka.bootstrapServers(), o, modelConfig);
            List<byte[][]> records = interleave(valid, malformed);
            long produceStart = System.currentTimeMillis();
            Map<String, Long> sentAt = KafkaIo.produce(kafka.bootstrapServers(), "streamlm.prompts", records);
            System.out.printf("produced     %d requests + %d malformed records%n", valid.size(), malformed.size());

            List<KafkaIo.Output<Completion>> completions = KafkaIo.readCommitted(kafka.bootstrapServers(),
                    "streamlm.completions", Completion.class, out -> distinctIds(out) >= valid.size() + 4, o.timeout());
            List<KafkaIo.Output<DeadLetter>> deadLetters = KafkaIo.readCommitted(kafka.bootstrapServers(),
                    "streamlm.dead-letters", DeadLetter.class, out -> out.size() >= malformed.size(), Duration.ofSeconds(30));
            // one more checkpoint's worth of committed output: any duplicate would show up here
            Thread.sleep(2 * config.checkpointInterval().toMillis());
            completions = KafkaIo.readAllCommitted(kafka.bootstrapServers(), "streamlm.completions", Completion.class,
                    Duration.ofMinutes(1)).stream().filter(c -> !c.value().getId().startsWith("warmup-")).toList();
            flink.cancel(job);
            DemoReport report = DemoReport.of(valid.size(), completions, deadLetters, sentAt, produceStart);
            report.print(System.out, malformed, (System.nanoTime() - t0) / 1e9);
            return report.ok(valid.size(), malformed.size()) ? 0 : 1;
        }
    }

    /**
     * A few requests through the whole pipeline before the measured ones (like bench serve's warm-up), so
     * the figures show the steady state rather than the JIT compiling the model's kernels. Their ids start
     * with "warmup-" and are left out of the report.
     */
    private static void warmUp(String bootstrap, DemoOptions o, ModelConfig modelConfig) throws Exception {
        long start = System.nanoTime();
        List<SampleRequests.Sample> warm = SampleRequests.sharedPrefix(4, 32, 8, 8, modelConfig.vocabSize(), 99);
        List<byte[][]> records = new ArrayList<>();
        for (SampleRequests.Sample s : warm) {
            byte[] id = ("warmup-" + s.id()).getBytes(java.nio.charset.StandardCharsets.UTF_8);
            records.add(new byte[][] {id, SampleRequests.withId(s.value(), "warmup-" + s.id())});
        }
        KafkaIo.produce(bootstrap, "streamlm.completions".replace("completions", "prompts"), records);
        KafkaIo.readCommitted(bootstrap, "streamlm.completions", Completion.class,
                out -> out.stream().filter(c -> c.value().getId().startsWith("warmup-")).count() >= warm.size(), o.timeout());
        System.out.printf("warm-up      %d requests through the pipeline in %.1f s%n", warm.size(), (System.nanoTime() - start) / 1e9);
    }

    private static Map<String, String> jobSettings(DemoOptions o, String bootstrap, Path model,
                                                   ModelConfig modelConfig, Path templates) {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("bootstrap.servers", bootstrap);
        s.put("model.path", model.toString());
        s.put("model.id", String.valueOf(model.getFileName()));
        s.put("templates", templates.toString());
        s.put("parallelism", String.valueOf(o.parallelism()));
        s.put("checkpoint.interval-ms", "1000");
        s.put("batch.size", "8");
        s.put("batch.delay-ms", "10");
        s.put("max-in-flight", "32");
        s.put("engine.max-running-requests", String.valueOf(o.maxRunning()));
        s.put("engine.max-batched-tokens", "512");
        s.put("engine.kv-cache-mb", String.valueOf(kvCacheMb(o, modelConfig)));
        s.put("engine.state-cache-mb", String.valueOf(stateCacheMb(modelConfig)));
        s.put("transaction.timeout-ms", "60000");
        s.put("transactional-id-prefix", "streamlm-demo-" + ProcessHandle.current().pid());
        return s;
    }

    /** Longest prompt the demo sends: the shared-prefix shape, or the mixed samples (templates, chats). */
    private static final int MIXED_PROMPT_TOKENS = 512;
    private static final int BLOCK_SIZE = 16;

    /**
     * KV pool for every running request at its longest plus a quarter for cached prefixes, at least 64 MiB: a
     * pool sized for the tiny model would hold two 1,000-token requests of a 0.8B one and cache nothing.
     */
    static long kvCacheMb(DemoOptions o, ModelConfig modelConfig) {
        int prompt = o.sharedPrefix().map(p -> p.prefixTokens() + p.suffixTokens()).orElse(MIXED_PROMPT_TOKENS);
        long blocksPerRequest = (prompt + o.maxTokens() + BLOCK_SIZE - 1) / BLOCK_SIZE + 1;
        long bytes = CpuBackend.kvBlockBytesFor(modelConfig, BLOCK_SIZE) * blocksPerRequest
                * o.maxRunning() * 5 / 4;
        return Math.max(64, (bytes + (1 << 20) - 1) >> 20);
    }

    /** Room for 8 recurrent-state prefix snapshots (one slot is 19 MB at the 0.8B shape), at least 32 MiB. */
    static long stateCacheMb(ModelConfig modelConfig) {
        long bytes = 8 * CpuBackend.stateSlotBytesFor(modelConfig);
        return Math.max(32, (bytes + (1 << 20) - 1) >> 20);
    }

    static int distinctIds(List<KafkaIo.Output<Completion>> out) {
        return (int) out.stream().map(c -> c.value().getId()).distinct().count();
    }

    /** Malformed records spread evenly among the valid ones, as they would arrive in a real stream. */
    private static List<byte[][]> interleave(List<SampleRequests.Sample> valid, List<SampleRequests.Malformed> bad) {
        List<byte[][]> out = new ArrayList<>();
        int every = Math.max(1, valid.size() / (bad.size() + 1));
        int b = 0;
        for (int i = 0; i < valid.size(); i++) {
            out.add(new byte[][] {valid.get(i).key(), valid.get(i).value()});
            if ((i + 1) % every == 0 && b < bad.size()) {
                out.add(new byte[][] {null, bad.get(b++).value()});
            }
        }
        while (b < bad.size()) {
            out.add(new byte[][] {null, bad.get(b++).value()});
        }
        return out;
    }
}
