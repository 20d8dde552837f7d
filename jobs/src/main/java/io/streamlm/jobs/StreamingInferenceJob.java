package io.streamlm.jobs;

import io.streamlm.model.ModelConfig;
import io.streamlm.operators.enrichment.TemplateRegistry;
import io.streamlm.operators.inference.EngineFactory;
import io.streamlm.operators.inference.InferenceOperatorFactory;
import io.streamlm.operators.inference.InferenceOutcome;
import io.streamlm.operators.inference.InferenceTask;
import io.streamlm.operators.ingest.ModelPromptTokenizer;
import io.streamlm.operators.ingest.PromptTokenizer;
import io.streamlm.operators.ingest.RawRecord;
import io.streamlm.operators.ingest.RawRecordDeserializer;
import io.streamlm.operators.ingest.Rejected;
import io.streamlm.operators.ingest.RequestIngest;
import io.streamlm.operators.output.CompletionSerializer;
import io.streamlm.operators.output.DeadLetterSerializer;
import io.streamlm.operators.output.MetricsEventSerializer;
import io.streamlm.operators.routing.PrefixAffinityPartitioner;
import java.util.Properties;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/**
 * The streaming inference job: prompts topic -> decode/validate/enrich (bad records -> dead letters) ->
 * prefix-affine routing -> inference operator -> completions (exactly once), metrics events.
 * Wiring only; the logic lives in the operators module.
 *
 * <p>Run on a cluster: {@code flink run jobs/target/jobs-*-cluster.jar --bootstrap.servers ... --model.path ...}
 * (see {@link JobConfigParser} for every setting, or {@code --help}).
 */
public final class StreamingInferenceJob {
    private StreamingInferenceJob() {}

    public static void main(String[] args) throws Exception {
        if (args.length == 1 && (args[0].equals("--help") || args[0].equals("-h"))) {
            System.out.println("usage: StreamingInferenceJob --bootstrap.servers HOST:PORT --model.path DIR [--key value ...]");
            System.out.print(JobConfigParser.usage());
            return;
        }
        JobConfig config;
        try {
            config = JobConfigParser.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("streamlm job: " + e.getMessage());
            System.err.print(JobConfigParser.usage());
            System.exit(2);
            return;
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        build(env, config);
        env.execute("streamlm-inference " + config.topics().prompts() + " -> " + config.topics().completions());
    }

    /** Adds the job to {@code env} with the engine described by the configuration. */
    public static void build(StreamExecutionEnvironment env, JobConfig config) {
        build(env, config, config.engine());
    }

    /** Adds the job to {@code env}; {@code engineFactory} builds the engine on the TaskManagers. */
    public static void build(StreamExecutionEnvironment env, JobConfig config, EngineFactory engineFactory) {
        int contextLength = ModelConfig.load(config.modelPath()).maxPositionEmbeddings();
        PromptTokenizer tokenizer = new ModelPromptTokenizer(config.modelPath(), contextLength);
        TemplateRegistry templates = config.templates().map(TemplateRegistry::load).orElse(TemplateRegistry.empty());

        // every record type is a POJO: never fall back to Kryo
        Configuration typeConfig = new Configuration();
        typeConfig.set(PipelineOptions.GENERIC_TYPES, false);
        env.configure(typeConfig);
        env.setParallelism(config.parallelism());
        env.enableCheckpointing(config.checkpointInterval().toMillis(), CheckpointingMode.EXACTLY_ONCE);

        DataStream<RawRecord> raw = env.fromSource(source(config), WatermarkStrategy.noWatermarks(), "prompts")
                .uid("prompts-source");
        SingleOutputStreamOperator<InferenceTask> tasks = raw.process(new RequestIngest(templates, tokenizer))
                .name("decode-validate-enrich").uid("ingest");
        DataStream<Rejected> rejected = tasks.getSideOutput(RequestIngest.REJECTED);
        DataStream<InferenceOutcome> outcomes = tasks
                .partitionCustom(new PrefixAffinityPartitioner(config.routingEpsilon(), 10_000), InferenceTask::routeKey)
                .transform("inference", TypeInformation.of(InferenceOutcome.class),
                        new InferenceOperatorFactory(engineFactory, config.inference()))
                .uid("inference");

        String modelId = config.engine().modelId();
        outcomes.sinkTo(sink(config, "completions", DeliveryGuarantee.EXACTLY_ONCE,
                new CompletionSerializer(config.topics().completions(), modelId, config.outputFormat())))
                .name("completions").uid("completions-sink");
        // metrics events: at least once; a replay may repeat an event (same request id), never lose one
        outcomes.sinkTo(sink(config, "metrics", DeliveryGuarantee.AT_LEAST_ONCE,
                new MetricsEventSerializer(config.topics().metrics(), modelId, config.outputFormat())))
                .name("metrics").uid("metrics-sink");
        rejected.sinkTo(sink(config, "dead-letters", DeliveryGuarantee.EXACTLY_ONCE,
                new DeadLetterSerializer(config.topics().deadLetters(), config.outputFormat())))
                .name("dead-letters").uid("dead-letters-sink");
    }

    private static KafkaSource<RawRecord> source(JobConfig config) {
        Properties props = kafkaProperties(config);
        return KafkaSource.<RawRecord>builder()
                .setBootstrapServers(config.bootstrapServers())
                .setTopics(config.topics().prompts())
                .setGroupId(config.groupId())
                .setStartingOffsets(OffsetsInitializer.committedOffsets(
                        config.startFromEarliest() ? OffsetResetStrategy.EARLIEST : OffsetResetStrategy.LATEST))
                .setDeserializer(new RawRecordDeserializer())
                .setProperties(props)
                .build();
    }

    private static <T> KafkaSink<T> sink(JobConfig config, String name, DeliveryGuarantee guarantee,
            KafkaRecordSerializationSchema<T> serializer) {
        Properties props = kafkaProperties(config);
        props.setProperty("transaction.timeout.ms", String.valueOf(config.transactionTimeout().toMillis()));
        return KafkaSink.<T>builder()
                .setBootstrapServers(config.bootstrapServers())
                .setKafkaProducerConfig(props)
                .setRecordSerializer(serializer)
                .setDeliveryGuarantee(guarantee)
                .setTransactionalIdPrefix(config.transactionalIdPrefix() + "-" + name)
                .build();
    }

    private static Properties kafkaProperties(JobConfig config) {
        Properties props = new Properties();
        props.putAll(config.kafkaProperties());
        return props;
    }
}
