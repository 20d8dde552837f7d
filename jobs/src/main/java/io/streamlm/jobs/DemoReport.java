package io.streamlm.jobs;

import io.streamlm.jobs.local.KafkaIo;
import io.streamlm.jobs.local.SampleRequests;
import io.streamlm.schemas.Completion;
import io.streamlm.schemas.DeadLetter;
import io.streamlm.schemas.RequestStatus;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** What the demo measured from the output topics (never from inside the job). */
record DemoReport(int submitted, int completed, int failed, int deadLettered, int duplicates, double p50E2eMillis,
        double p99E2eMillis, double outputTokensPerSecond, double prefixHitRate, Map<String, Integer> deadLetterReasons,
        List<String> sampleTexts, double meanQueueMillis, double meanOperatorMillis) {

    static DemoReport of(int submitted, List<KafkaIo.Output<Completion>> completions, List<KafkaIo.Output<DeadLetter>> deadLetters,
            Map<String, Long> sentAt, long produceStartMillis) {
        Set<String> seen = new HashSet<>();
        int duplicates = 0;
        int completed = 0;
        int failed = 0;
        long generated = 0;
        long promptTokens = 0;
        long cachedTokens = 0;
        long lastOut = produceStartMillis;
        double queueMs = 0;
        double engineMs = 0;
        List<Double> e2e = new ArrayList<>();
        List<String> samples = new ArrayList<>();
        for (KafkaIo.Output<Completion> out : completions) {
            Completion c = out.value();
            if (!seen.add(c.getId())) {
                duplicates++;
                continue;
            }
            if (c.getStatus() == RequestStatus.OK) {
                completed++;
            } else {
                failed++;
            }
            generated += c.getUsage().getGeneratedTokens();
            promptTokens += c.getUsage().getPromptTokens();
            cachedTokens += c.getUsage().getCachedPromptTokens();
            lastOut = Math.max(lastOut, out.timestamp());
            if (c.getTimings() != null) {
                queueMs += c.getTimings().getQueuedMicros() / 1e3;
                engineMs += c.getTimings().getTotalMicros() / 1e3;
            }
            Long sent = sentAt.get(c.getId());
            if (sent != null) {
                e2e.add((double) (out.timestamp() - sent));
            }
            if (c.getStatus() != RequestStatus.OK && samples.size() < 6) {
                samples.add(c.getId() + " " + c.getStatus() + ": " + c.getErrorMessage());
            } else if (samples.size() < 3) {
                samples.add(c.getId() + " [" + c.getMetadata().getOrDefault("event_id", "") + "] -> "
                        + c.getText().replace("\n", "\\n"));
            }
        }
        Map<String, Integer> reasons = new TreeMap<>();
        deadLetters.forEach(d -> reasons.merge(d.value().getReason().name(), 1, Integer::sum));
        Collections.sort(e2e);
        double seconds = Math.max(1e-3, (lastOut - produceStartMillis) / 1e3);
        return new DemoReport(submitted, completed, failed, deadLetters.size(), duplicates, percentile(e2e, 0.50),
                percentile(e2e, 0.99), generated / seconds, promptTokens == 0 ? 0 : (double) cachedTokens / promptTokens,
                reasons, samples, seen.isEmpty() ? 0 : queueMs / seen.size(), seen.isEmpty() ? 0 : engineMs / seen.size());
    }

    private static double percentile(List<Double> sorted, double q) {
        if (sorted.isEmpty()) {
            return 0;
        }
        int i = (int) Math.ceil(q * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
    }

    boolean ok(int expectedRequests, int expectedDeadLetters) {
        return completed + failed == expectedRequests && duplicates == 0 && deadLettered == expectedDeadLetters;
    }

    void print(PrintStream out, List<SampleRequests.Malformed> malformed, double wallSeconds) {
        Map<String, Integer> expected = new HashMap<>();
        malformed.forEach(m -> expected.merge(m.expected().name(), 1, Integer::sum));
        out.println();
        out.printf("answered     %d of %d requests exactly once (%d ok, %d failed, %d duplicates)%n",
                completed + failed, submitted, completed, failed, duplicates);
        out.printf("dead letters %d (expected %s, got %s)%n", deadLettered, new TreeMap<>(expected), deadLetterReasons);
        out.printf(Locale.ROOT, "latency      e2e p50 %.0f ms, p99 %.0f ms (Kafka in -> Kafka out, committed every checkpoint)%n",
                p50E2eMillis, p99E2eMillis);
        out.printf(Locale.ROOT, "throughput   %.1f output tokens/s; prefix cache hit rate %.2f%n", outputTokensPerSecond, prefixHitRate);
        out.printf(Locale.ROOT, "operator     mean %.0f ms per request from the operator accepting it to its result, "
                + "%.0f ms of that queued (micro-batch + engine queue)%n", meanOperatorMillis, meanQueueMillis);
        sampleTexts.forEach(s -> out.println("sample       " + s));
        out.printf(Locale.ROOT, "wall time    %.1f s (random weights: the text is gibberish by design)%n", wallSeconds);
        out.println(String.format(Locale.ROOT,
                "{\"submitted\":%d,\"completed\":%d,\"failed\":%d,\"dead_lettered\":%d,\"duplicates\":%d,"
                        + "\"p50_e2e_ms\":%.1f,\"p99_e2e_ms\":%.1f,\"output_tokens_per_s\":%.2f,\"prefix_hit_rate\":%.4f}",
                submitted, completed, failed, deadLettered, duplicates, p50E2eMillis, p99E2eMillis, outputTokensPerSecond,
                prefixHitRate));
    }
}
