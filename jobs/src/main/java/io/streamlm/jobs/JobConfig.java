package io.streamlm.jobs;

import io.streamlm.operators.inference.InferenceOptions;
import io.streamlm.operators.inference.ModelEngineFactory;
import io.streamlm.schemas.serde.WireFormat;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * Everything the streaming inference job is configured with; parsed and checked by {@link JobConfigParser}.
 *
 * @param bootstrapServers      Kafka bootstrap servers
 * @param topics                the four topics
 * @param kafkaProperties       passed unchanged to every Kafka client (security.protocol, sasl.*, ssl.*, ...)
 * @param groupId               the source's consumer group
 * @param startFromEarliest     with no committed offsets: read from the earliest (true) or latest offset
 * @param engine                model, backend and engine sizes
 * @param inference             micro-batching, in-flight bound, Prometheus port
 * @param parallelism           of every operator
 * @param checkpointInterval    how often state and Kafka transactions are committed
 * @param templates             prompt-template file, when requests may name templates
 * @param transactionalIdPrefix prefix of the sinks' transactional ids; unique per job on a cluster
 * @param transactionTimeout    Kafka transaction timeout (at most the broker's transaction.max.timeout.ms)
 * @param outputFormat          wire format of completions, metrics events and dead letters
 * @param routingEpsilon        how far above its fair share one inference subtask's load may go
 */
public record JobConfig(
        String bootstrapServers,
        Topics topics,
        Map<String, String> kafkaProperties,
        String groupId,
        boolean startFromEarliest,
        ModelEngineFactory engine,
        InferenceOptions inference,
        int parallelism,
        Duration checkpointInterval,
        Optional<Path> templates,
        String transactionalIdPrefix,
        Duration transactionTimeout,
        WireFormat outputFormat,
        double routingEpsilon) {

    public JobConfig {
        kafkaProperties = Map.copyOf(kafkaProperties);
    }

    /** @param deadLetters records that could not become requests, with the reason */
    public record Topics(String prompts, String completions, String metrics, String deadLetters) {}

    public Path modelPath() {
        return Path.of(engine.modelDir());
    }
}
