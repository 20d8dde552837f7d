package io.streamlm.operators.metrics;

import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.Counter;
import io.prometheus.client.Histogram;
import io.prometheus.client.exporter.HTTPServer;
import io.prometheus.client.exporter.common.TextFormat;
import io.streamlm.operators.inference.InferenceOutcome;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.Optional;

/**
 * The pipeline's Prometheus metrics, one set per TaskManager process, named and meant like vLLM's
 * ({@code vllm:time_to_first_token_seconds} -> {@code streamlm:time_to_first_token_seconds}) so existing
 * dashboards translate by swapping the prefix. Request-level series are recorded by the operators as
 * requests finish; engine state (running/waiting, KV and state-slot usage, prefix cache) is read from the
 * live engines at scrape time by {@link EngineStatsCollector}.
 *
 * <p>Served by simpleclient's own {@link HTTPServer} (one per process, reference counted like the
 * engine), not by flink-metrics-prometheus, which bundles an older simpleclient (STACK.md §5).
 * Latency semantics: queue time = micro-batch wait + engine queue; TTFT = operator accepted the record
 * until the first token; e2e = the Kafka record's timestamp until the completion is handed to the Kafka
 * sink (the transaction commits at the next checkpoint, which is not counted).
 */
public final class PipelineMetrics {
    private static final double[] LATENCY_BUCKETS = {0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5,
            0.75, 1.0, 2.5, 5.0, 7.5, 10.0, 20.0, 40.0, 80.0, 160.0, 640.0};
    private static final double[] ITL_BUCKETS = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3,
            0.4, 0.5, 0.75, 1.0, 2.5, 5.0, 10.0};
    private static final double[] E2E_BUCKETS = {0.05, 0.1, 0.3, 0.5, 0.8, 1.0, 1.5, 2.0, 2.5, 5.0, 10.0, 15.0, 20.0,
            30.0, 40.0, 50.0, 60.0, 120.0, 240.0, 480.0, 960.0};
    private static final double[] TOKEN_BUCKETS = {1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000};

    private static final Object LOCK = new Object();
    private static PipelineMetrics instance;

    private final CollectorRegistry registry = new CollectorRegistry(true);
    final Histogram queueTime = Histogram.build().name("streamlm:request_queue_time_seconds")
            .help("Time a request waited before the engine first scheduled it (micro-batch wait + engine queue)")
            .buckets(LATENCY_BUCKETS).register(registry);
    final Histogram timeToFirstToken = Histogram.build().name("streamlm:time_to_first_token_seconds")
            .help("Time from the inference operator accepting a request to its first generated token")
            .buckets(LATENCY_BUCKETS).register(registry);
    final Histogram interTokenLatency = Histogram.build().name("streamlm:inter_token_latency_seconds")
            .help("Time between consecutive generated tokens of a request").buckets(ITL_BUCKETS).register(registry);
    final Histogram e2eLatency = Histogram.build().name("streamlm:e2e_request_latency_seconds")
            .help("Kafka in to Kafka out: the prompt record's timestamp until its completion is written to the sink")
            .buckets(E2E_BUCKETS).register(registry);
    final Histogram inferenceTime = Histogram.build().name("streamlm:request_inference_time_seconds")
            .help("Time a request spent in the engine after it was first scheduled").buckets(LATENCY_BUCKETS).register(registry);
    final Histogram promptTokensPerRequest = Histogram.build().name("streamlm:request_prompt_tokens")
            .help("Prompt tokens per request").buckets(TOKEN_BUCKETS).register(registry);
    final Histogram generationTokensPerRequest = Histogram.build().name("streamlm:request_generation_tokens")
            .help("Generated tokens per request").buckets(TOKEN_BUCKETS).register(registry);
    final Counter promptTokens = Counter.build().name("streamlm:prompt_tokens_total")
            .help("Prompt tokens of finished requests").register(registry);
    final Counter cachedPromptTokens = Counter.build().name("streamlm:prompt_tokens_cached_total")
            .help("Prompt tokens of finished requests served from the prefix cache").register(registry);
    final Counter generationTokens = Counter.build().name("streamlm:generation_tokens_total")
            .help("Tokens generated for finished requests").register(registry);
    final Counter requestsByStatus = Counter.build().name("streamlm:requests_total")
            .help("Finished requests by completion status (ok, error, timeout, rejected)").labelNames("status").register(registry);
    final Counter requestSuccess = Counter.build().name("streamlm:request_success_total")
            .help("Finished requests by engine finish reason").labelNames("finished_reason").register(registry);
    final Counter restoredRequests = Counter.build().name("streamlm:requests_restored_total")
            .help("Accepted-but-unfinished requests restored from a checkpoint and re-submitted after a failure").register(registry);
    final Counter deadLetters = Counter.build().name("streamlm:dead_letters_total")
            .help("Records sent to the dead-letter topic, by reason").labelNames("reason").register(registry);

    private HTTPServer server;
    private int numLeases;

    private PipelineMetrics() {
        registry.register(new EngineStatsCollector());
    }

    /** The process's metrics; created on first use. */
    public static PipelineMetrics get() {
        synchronized (LOCK) {
            if (instance == null) {
                instance = new PipelineMetrics();
            }
            return instance;
        }
    }

    /** A subtask's use of the metrics; starts the HTTP server on {@code port} when the first lease asks for one. */
    public static Lease acquire(Optional<Integer> port) {
        PipelineMetrics m = get();
        synchronized (LOCK) {
            m.numLeases++;
            if (port.isPresent() && m.server == null) {
                try {
                    m.server = new HTTPServer.Builder().withInetSocketAddress(new InetSocketAddress(port.get()))
                            .withRegistry(m.registry).withDaemonThreads(true).build();
                } catch (IOException e) {
                    m.numLeases--;
                    throw new UncheckedIOException("cannot serve Prometheus metrics on port " + port.get(), e);
                }
            }
        }
        return new Lease(m);
    }

    /** The port the HTTP server listens on, when one runs. */
    public Optional<Integer> httpPort() {
        synchronized (LOCK) {
            return server == null ? Optional.empty() : Optional.of(server.getPort());
        }
    }

    public CollectorRegistry registry() {
        return registry;
    }

    /** The current exposition text, as a scrape would return it. */
    public String scrape() {
        StringWriter w = new StringWriter();
        try {
            TextFormat.write004(w, registry.metricFamilySamples());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return w.toString();
    }

    public void recordOutcome(InferenceOutcome o) {
        requestsByStatus.labels(o.status).inc();
        requestSuccess.labels(o.finishReason.toLowerCase()).inc();
        promptTokens.inc(o.promptTokens);
        cachedPromptTokens.inc(o.cachedPromptTokens);
        generationTokens.inc(o.generatedTokens);
        promptTokensPerRequest.observe(o.promptTokens);
        generationTokensPerRequest.observe(o.generatedTokens);
        queueTime.observe(seconds(o.batchWaitNanos + o.queuedNanos));
        if (o.generatedTokens > 0) {
            timeToFirstToken.observe(seconds(o.batchWaitNanos + o.timeToFirstTokenNanos));
        }
        for (long gap : o.interTokenNanos) {
            interTokenLatency.observe(seconds(gap));
        }
        inferenceTime.observe(seconds(Math.max(0, o.engineNanos - o.queuedNanos)));
    }

    /** Kafka in to Kafka out, observed when the completion is serialized for the sink. */
    public void recordEndToEnd(long ingestMillis, long nowMillis) {
        e2eLatency.observe(Math.max(0, nowMillis - ingestMillis) / 1e3);
    }

    public void recordRestored(int numRequests) {
        restoredRequests.inc(numRequests);
    }

    public void recordDeadLetter(String reason) {
        deadLetters.labels(reason).inc();
    }

    private static double seconds(long nanos) {
        return nanos / 1e9;
    }

    private void release() {
        synchronized (LOCK) {
            if (--numLeases == 0 && server != null) {
                server.close();
                server = null;
            }
        }
    }

    /** Held by a subtask between open and close. */
    public static final class Lease implements AutoCloseable {
        private final PipelineMetrics metrics;
        private boolean closed;

        private Lease(PipelineMetrics metrics) {
            this.metrics = metrics;
        }

        public void recordOutcome(InferenceOutcome o) {
            metrics.recordOutcome(o);
        }

        public void recordRestored(int numRequests) {
            metrics.recordRestored(numRequests);
        }

        public PipelineMetrics metrics() {
            return metrics;
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                metrics.release();
            }
        }
    }
}
