package io.streamlm.tests;

import io.streamlm.jobs.JobConfig;
import io.streamlm.jobs.JobConfigParser;
import io.streamlm.jobs.local.KafkaIo;
import io.streamlm.jobs.local.SampleRequests;
import io.streamlm.model.DType;
import io.streamlm.model.ModelPreset;
import io.streamlm.model.RandomCheckpointWriter;
import io.streamlm.schemas.Completion;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What the integration tests share: the tiny model, the job settings, the workload. */
final class PipelineFixture {
    static final int MAX_TOKENS = 8;

    private PipelineFixture() {}

    /** The tiny random model, generated once into target/. */
    static synchronized Path model() throws IOException {
        Path dir = Path.of("target", "itcase-tiny-model").toAbsolutePath();
        if (!Files.exists(dir.resolve("config.json"))) {
            Path tmp = Files.createTempDirectory(Path.of("target"), "itcase-model-");
            RandomCheckpointWriter.write(ModelPreset.TINY, tmp, DType.BF16, 7);
            Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
        }
        return dir;
    }

    static Path templates() throws IOException {
        Path file = Path.of("target", "itcase-templates.json").toAbsolutePath();
        try (InputStream in = PipelineFixture.class.getResourceAsStream("/io/streamlm/operators/enrichment/demo-templates.json")) {
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
        }
        return file;
    }

    /** Job settings for one test: its own topics and transactional ids. */
    static JobConfig config(String bootstrap, String prefix, int parallelism) throws IOException {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("bootstrap.servers", bootstrap);
        s.put("model.path", model().toString());
        s.put("templates", templates().toString());
        s.put("topic.prompts", prefix + ".prompts");
        s.put("topic.completions", prefix + ".completions");
        s.put("topic.metrics", prefix + ".metrics");
        s.put("topic.dead-letters", prefix + ".dead-letters");
        s.put("group.id", prefix + "-group");
        s.put("transactional-id-prefix", prefix);
        s.put("parallelism", String.valueOf(parallelism));
        s.put("checkpoint.interval-ms", "500");
        s.put("batch.size", "4");
        s.put("batch.delay-ms", "5");
        s.put("max-in-flight", "16");
        s.put("engine.threads", "2");
        s.put("engine.kv-cache-mb", "32");
        s.put("engine.state-cache-mb", "16");
        s.put("transaction.timeout-ms", "60000");
        return parse(s);
    }

    private static JobConfig parse(Map<String, String> s) {
        List<String> args = new ArrayList<>();
        s.forEach((k, v) -> {
            args.add("--" + k);
            args.add(v);
        });
        return JobConfigParser.parse(args.toArray(new String[0]));
    }

    static List<byte[][]> records(List<SampleRequests.Sample> samples) {
        List<byte[][]> out = new ArrayList<>();
        samples.forEach(s -> out.add(new byte[][] {s.key(), s.value()}));
        return out;
    }

    /** Completions read so far, read_committed, until {@code n} distinct ids are seen or the timeout passes. */
    static List<KafkaIo.Output<Completion>> awaitCompletions(String bootstrap, String topic, int n, Duration timeout) {
        return KafkaIo.readCommitted(bootstrap, topic, Completion.class,
                out -> out.stream().map(c -> c.value().getId()).distinct().count() >= n, timeout);
    }

    /** Everything committed on {@code topic} so far. */
    static List<KafkaIo.Output<Completion>> allCompletions(String bootstrap, String topic) {
        return KafkaIo.readAllCommitted(bootstrap, topic, Completion.class, Duration.ofMinutes(1));
    }

    static Map<String, String> textsById(List<KafkaIo.Output<Completion>> completions) {
        Map<String, String> m = new LinkedHashMap<>();
        completions.forEach(c -> m.putIfAbsent(c.value().getId(), c.value().getText()));
        return m;
    }
}
