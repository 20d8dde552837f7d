package io.streamlm.jobs;

import io.streamlm.operators.inference.InferenceOptions;
import io.streamlm.operators.inference.ModelEngineFactory;
import io.streamlm.schemas.serde.WireFormat;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;

/**
 * Reads a {@link JobConfig} from command-line flags ({@code --key value} or {@code --key=value}) and an
 * optional properties file ({@code --config job.properties}; flags override it). Every key is checked:
 * unknown keys, missing required keys and bad values fail with a message naming the key.
 * Keys starting with {@code kafka.} go, without that prefix, to every Kafka client.
 */
public final class JobConfigParser {
    /** Every key with its default ("" = required, no default) and meaning, for errors and --help. */
    static final Map<String, String[]> KEYS = new LinkedHashMap<>();

    static {
        key("bootstrap.servers", "", "Kafka bootstrap servers");
        key("model.path", "", "checkpoint directory (on every TaskManager)");
        key("topic.prompts", "streamlm.prompts", "input topic of InferenceRequest records");
        key("topic.completions", "streamlm.completions", "output topic of Completion records (exactly once)");
        key("topic.metrics", "streamlm.metrics", "output topic of RequestMetrics events");
        key("topic.dead-letters", "streamlm.dead-letters", "output topic of DeadLetter records");
        key("group.id", "streamlm-inference", "consumer group of the prompts source");
        key("starting-offsets", "earliest", "earliest|latest: where to start without committed offsets");
        key("model.id", "", "model name in outputs (default: the checkpoint directory's name)");
        key("backend", "cpu", "cpu|cuda|auto");
        key("engine.threads", String.valueOf(Runtime.getRuntime().availableProcessors()), "CPU backend threads");
        key("engine.kv-cache-mb", "256", "KV cache pool per engine, MiB");
        key("engine.state-cache-mb", "64", "recurrent-state prefix snapshots per engine, MiB");
        key("engine.max-running-requests", "64", "requests in one engine step at most");
        key("engine.max-batched-tokens", "512", "tokens in one engine step at most");
        key("engine.block-size", "16", "tokens per KV block");
        key("batch.size", "8", "records per micro-batch handed to the engine");
        key("batch.delay-ms", "20", "longest wait for a micro-batch to fill");
        key("max-in-flight", "64", "accepted-but-unfinished requests per subtask before backpressure");
        key("parallelism", "1", "parallelism of every operator");
        key("checkpoint.interval-ms", "10000", "checkpoint (and Kafka transaction commit) interval");
        key("templates", "", "prompt-template JSON file (optional)");
        key("metrics.port", "", "Prometheus port per TaskManager (optional; 0 = any free port)");
        key("routing.epsilon", "0.25", "max overload of one inference subtask over its fair share");
        key("transactional-id-prefix", "streamlm", "prefix of the sinks' Kafka transactional ids (unique per job)");
        key("transaction.timeout-ms", "600000", "Kafka transaction timeout (<= broker transaction.max.timeout.ms)");
        key("output.format", "single-object", "single-object|confluent|json");
    }

    private static void key(String name, String defaultValue, String help) {
        KEYS.put(name, new String[] {defaultValue, help});
    }

    private JobConfigParser() {}

    /** Parses flags (and the file named by --config); throws IllegalArgumentException naming the bad key. */
    public static JobConfig parse(String[] args) {
        Map<String, String> flags = flags(args);
        Map<String, String> values = new TreeMap<>();
        String file = flags.remove("config");
        if (file != null) {
            values.putAll(readProperties(Path.of(file)));
        }
        values.putAll(flags);
        return fromMap(values);
    }

    static JobConfig fromMap(Map<String, String> raw) {
        Map<String, String> kafka = new TreeMap<>();
        Map<String, String> v = new TreeMap<>();
        raw.forEach((k, val) -> {
            if (k.startsWith("kafka.")) {
                kafka.put(k.substring("kafka.".length()), val);
            } else if (!KEYS.containsKey(k)) {
                throw new IllegalArgumentException("unknown setting '" + k + "'; known: " + String.join(", ", KEYS.keySet())
                        + ", and kafka.* for the Kafka clients");
            } else {
                v.put(k, val);
            }
        });
        KEYS.forEach((k, d) -> v.putIfAbsent(k, d[0]));
        Path model = Path.of(required(v, "model.path"));
        String modelId = v.get("model.id").isEmpty() ? String.valueOf(model.getFileName()) : v.get("model.id");
        ModelEngineFactory engine = new ModelEngineFactory(model.toAbsolutePath().toString(),
                choice(v, "backend", ModelEngineFactory.BackendKind.class), intIn(v, "engine.threads", 1, 1024),
                intIn(v, "engine.kv-cache-mb", 1, 1 << 20) * (1L << 20), intIn(v, "engine.state-cache-mb", 0, 1 << 20) * (1L << 20),
                intIn(v, "engine.max-running-requests", 1, 1 << 16), intIn(v, "engine.max-batched-tokens", 1, 1 << 20),
                intIn(v, "engine.block-size", 1, 4096), modelId);
        Optional<Integer> metricsPort = v.get("metrics.port").isEmpty() ? Optional.empty()
                : Optional.of(intIn(v, "metrics.port", 0, 65535));
        InferenceOptions inference = wrap("batch.size / batch.delay-ms / max-in-flight", () -> new InferenceOptions(
                intIn(v, "batch.size", 1, 1 << 16), Duration.ofMillis(intIn(v, "batch.delay-ms", 0, 3_600_000)),
                intIn(v, "max-in-flight", 1, 1 << 20), Duration.ofSeconds(30), metricsPort.isPresent(), metricsPort.orElse(0)));
        String offsets = v.get("starting-offsets");
        if (!offsets.equals("earliest") && !offsets.equals("latest")) {
            throw new IllegalArgumentException("starting-offsets must be earliest or latest, got '" + offsets + "'");
        }
        double epsilon = doubleIn(v, "routing.epsilon", 0.01, 100);
        return new JobConfig(required(v, "bootstrap.servers"),
                new JobConfig.Topics(v.get("topic.prompts"), v.get("topic.completions"), v.get("topic.metrics"),
                        v.get("topic.dead-letters")),
                kafka, v.get("group.id"), offsets.equals("earliest"), engine, inference, intIn(v, "parallelism", 1, 4096),
                Duration.ofMillis(intIn(v, "checkpoint.interval-ms", 100, 86_400_000)),
                v.get("templates").isEmpty() ? Optional.empty() : Optional.of(Path.of(v.get("templates"))),
                v.get("transactional-id-prefix"), Duration.ofMillis(intIn(v, "transaction.timeout-ms", 1000, 3_600_000)),
                choice(v, "output.format", WireFormat.class), epsilon);
    }

    private static Map<String, String> flags(String[] args) {
        Map<String, String> out = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--") || a.length() == 2) {
                throw new IllegalArgumentException("unexpected argument '" + a + "' (settings look like --key value)");
            }
            String name = a.substring(2);
            String value;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            } else if (i + 1 < args.length) {
                value = args[++i];
            } else {
                throw new IllegalArgumentException("--" + name + " needs a value");
            }
            if (out.put(name, value) != null) {
                throw new IllegalArgumentException("--" + name + " given twice");
            }
        }
        return out;
    }

    private static Map<String, String> readProperties(Path file) {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file)) {
            p.load(r);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read config file " + file + ": " + e.getMessage(), e);
        }
        Map<String, String> out = new TreeMap<>();
        p.stringPropertyNames().forEach(k -> out.put(k, p.getProperty(k).trim()));
        return out;
    }

    private static String required(Map<String, String> v, String key) {
        String s = v.get(key);
        if (s == null || s.isBlank()) {
            throw new IllegalArgumentException("missing required setting '" + key + "' (" + KEYS.get(key)[1] + ")");
        }
        return s;
    }

    private static int intIn(Map<String, String> v, String key, int min, int max) {
        String s = v.get(key);
        int n;
        try {
            n = Integer.parseInt(s.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("setting '" + key + "' must be an integer, got '" + s + "'");
        }
        if (n < min || n > max) {
            throw new IllegalArgumentException("setting '" + key + "' must be in [" + min + ", " + max + "], got " + n);
        }
        return n;
    }

    private static double doubleIn(Map<String, String> v, String key, double min, double max) {
        String s = v.get(key);
        double d;
        try {
            d = Double.parseDouble(s.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("setting '" + key + "' must be a number, got '" + s + "'");
        }
        if (!(d >= min && d <= max)) {
            throw new IllegalArgumentException("setting '" + key + "' must be in [" + min + ", " + max + "], got " + s);
        }
        return d;
    }

    private static <E extends Enum<E>> E choice(Map<String, String> v, String key, Class<E> type) {
        String s = v.get(key);
        for (E e : type.getEnumConstants()) {
            if (e.name().replace('_', '-').equalsIgnoreCase(s)) {
                return e;
            }
        }
        StringBuilder options = new StringBuilder();
        for (E e : type.getEnumConstants()) {
            options.append(options.length() == 0 ? "" : "|").append(e.name().replace('_', '-').toLowerCase(Locale.ROOT));
        }
        throw new IllegalArgumentException("setting '" + key + "' must be " + options + ", got '" + s + "'");
    }

    private static <T> T wrap(String keys, java.util.function.Supplier<T> build) {
        try {
            return build.get();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("settings " + keys + ": " + e.getMessage(), e);
        }
    }

    /** One line per setting, for --help. */
    static String usage() {
        StringBuilder sb = new StringBuilder("settings (--key value, or in the --config properties file):\n");
        KEYS.forEach((k, d) -> sb.append(String.format("  %-28s %s%s%n", k, d[1], d[0].isEmpty() ? "" : " (default " + d[0] + ")")));
        sb.append("  kafka.<property>             passed to every Kafka client, e.g. kafka.security.protocol=SASL_SSL\n");
        return sb.toString();
    }
}
