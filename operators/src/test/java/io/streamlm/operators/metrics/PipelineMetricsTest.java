package io.streamlm.operators.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamlm.operators.inference.InferenceOutcome;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PipelineMetricsTest {

    private static InferenceOutcome outcome(String status, String reason) {
        InferenceOutcome o = new InferenceOutcome();
        o.id = "r";
        o.status = status;
        o.finishReason = reason;
        o.promptTokens = 10;
        o.cachedPromptTokens = 4;
        o.generatedTokens = 3;
        o.batchWaitNanos = 5_000_000;
        o.queuedNanos = 1_000_000;
        o.timeToFirstTokenNanos = 20_000_000;
        o.interTokenNanos = new long[] {30_000_000, 40_000_000};
        o.engineNanos = 100_000_000;
        return o;
    }

    private static double sample(PipelineMetrics m, String name, String... labels) {
        String[] names = new String[labels.length / 2];
        String[] values = new String[labels.length / 2];
        for (int i = 0; i < names.length; i++) {
            names[i] = labels[2 * i];
            values[i] = labels[2 * i + 1];
        }
        Double v = m.registry().getSampleValue(name, names, values);
        return v == null ? 0 : v;
    }

    @Test
    void outcomesFeedVllmStyleSeries() {
        PipelineMetrics m = PipelineMetrics.get();
        double okBefore = sample(m, "streamlm:requests_total", "status", "ok");
        double itlBefore = sample(m, "streamlm:inter_token_latency_seconds_count");
        double genBefore = sample(m, "streamlm:generation_tokens_total");
        double ttftSumBefore = sample(m, "streamlm:time_to_first_token_seconds_sum");
        m.recordOutcome(outcome("ok", "STOP"));
        m.recordOutcome(outcome("timeout", "DEADLINE"));
        m.recordEndToEnd(1_000, 3_500);
        m.recordDeadLetter("NOT_AVRO");
        assertEquals(okBefore + 1, sample(m, "streamlm:requests_total", "status", "ok"));
        assertEquals(itlBefore + 4, sample(m, "streamlm:inter_token_latency_seconds_count"), "two gaps per request");
        assertEquals(genBefore + 6, sample(m, "streamlm:generation_tokens_total"));
        assertEquals(ttftSumBefore + 2 * 0.025, sample(m, "streamlm:time_to_first_token_seconds_sum"), 1e-9,
                "TTFT = micro-batch wait + engine TTFT");
        assertTrue(sample(m, "streamlm:dead_letters_total", "reason", "NOT_AVRO") >= 1);
        assertTrue(sample(m, "streamlm:e2e_request_latency_seconds_bucket", "le", "5.0") >= 1);
        String text = m.scrape();
        for (String name : new String[] {"streamlm:request_queue_time_seconds_bucket", "streamlm:num_requests_running",
                "streamlm:num_requests_waiting", "streamlm:kv_cache_usage_perc", "streamlm:state_slot_usage_perc",
                "streamlm:prefix_cache_hit_rate", "streamlm:request_success_total{finished_reason=\"deadline\"",
                "streamlm:e2e_request_latency_seconds_count"}) {
            assertTrue(text.contains(name), "scrape lacks " + name);
        }
    }

    @Test
    void httpServerServesTheScrapeOnAnEphemeralPort() throws Exception {
        try (PipelineMetrics.Lease lease = PipelineMetrics.acquire(Optional.of(0))) {
            int port = lease.metrics().httpPort().orElseThrow();
            HttpURLConnection c = (HttpURLConnection) new URL("http://localhost:" + port + "/metrics").openConnection();
            assertEquals(200, c.getResponseCode());
            try (InputStream in = c.getInputStream()) {
                String body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                assertTrue(body.contains("streamlm:e2e_request_latency_seconds"), body);
            }
        }
        assertTrue(PipelineMetrics.get().httpPort().isEmpty(), "the last lease stops the server");
    }
}
