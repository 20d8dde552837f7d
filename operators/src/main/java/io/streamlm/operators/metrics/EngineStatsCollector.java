package io.streamlm.operators.metrics;

import io.prometheus.client.Collector;
import io.prometheus.client.CounterMetricFamily;
import io.prometheus.client.GaugeMetricFamily;
import io.streamlm.engine.Engine;
import io.streamlm.engine.EngineStats;
import io.streamlm.operators.inference.SharedEngines;
import java.util.List;

/**
 * Engine state read at scrape time from every engine alive in this process (normally one, see
 * {@link SharedEngines}): summed counts, usage fractions over the summed pools.
 */
final class EngineStatsCollector extends Collector {

    @Override
    public List<MetricFamilySamples> collect() {
        long running = 0;
        long waiting = 0;
        long kvUsed = 0;
        long kvTotal = 0;
        long slotsUsed = 0;
        long slotsTotal = 0;
        long prefixQueries = 0;
        long prefixHits = 0;
        long preemptions = 0;
        for (Engine e : SharedEngines.live()) {
            EngineStats s = e.stats();
            running += s.numRunning();
            waiting += s.numWaiting();
            kvUsed += s.kvBlocksUsed();
            kvTotal += s.kvBlocksTotal();
            slotsUsed += s.stateSlotsUsed();
            slotsTotal += s.stateSlotsTotal();
            prefixQueries += s.prefixQueryTokens();
            prefixHits += s.prefixHitTokens();
            preemptions += s.numPreemptions();
        }
        return List.of(
                gauge("streamlm:num_requests_running", "Requests in the engine's running batch", running),
                gauge("streamlm:num_requests_waiting", "Requests waiting in the engine's queue", waiting),
                gauge("streamlm:kv_cache_usage_perc", "Fraction of KV-cache blocks in use (1 = full)", fraction(kvUsed, kvTotal)),
                gauge("streamlm:state_slot_usage_perc", "Fraction of recurrent-state slots in use (1 = full)",
                        fraction(slotsUsed, slotsTotal)),
                gauge("streamlm:prefix_cache_hit_rate", "Prompt tokens served from the prefix cache / prompt tokens looked up",
                        fraction(prefixHits, prefixQueries)),
                counter("streamlm:prefix_cache_queries", "Prompt tokens looked up in the prefix cache", prefixQueries),
                counter("streamlm:prefix_cache_hits", "Prompt tokens served from the prefix cache", prefixHits),
                counter("streamlm:num_preemptions", "Requests preempted by the engine", preemptions));
    }

    private static double fraction(long part, long whole) {
        return whole == 0 ? 0 : (double) part / whole;
    }

    private static MetricFamilySamples gauge(String name, String help, double value) {
        return new GaugeMetricFamily(name, help, value);
    }

    private static MetricFamilySamples counter(String name, String help, double value) {
        return new CounterMetricFamily(name, help, value);
    }
}
