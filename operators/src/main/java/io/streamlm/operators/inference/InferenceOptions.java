package io.streamlm.operators.inference;

import java.io.Serializable;
import java.time.Duration;
import java.util.Optional;

/**
 * How the inference operator batches and bounds its work.
 *
 * @param maxBatchRecords    a micro-batch is handed to the engine once it holds this many records ...
 * @param maxBatchDelay      ... or this long after its first record arrived, whichever comes first
 * @param maxInFlight        accepted-but-unfinished requests per subtask (batched + in the engine); when
 *                           reached the operator stops taking input, which backpressures the Kafka source
 * @param engineLinger       how long a shared engine outlives its last subtask (survives restarts)
 * @param serveMetrics       whether the TaskManager serves Prometheus metrics over HTTP
 * @param metricsPortNumber  the port it serves them on (0 = any free port); ignored when not serving
 */
public record InferenceOptions(
        int maxBatchRecords,
        Duration maxBatchDelay,
        int maxInFlight,
        Duration engineLinger,
        boolean serveMetrics,
        int metricsPortNumber) implements Serializable {

    public InferenceOptions {
        if (maxBatchRecords < 1) {
            throw new IllegalArgumentException("batch size (max records per micro-batch) must be >= 1, got " + maxBatchRecords);
        }
        if (maxBatchDelay.isNegative()) {
            throw new IllegalArgumentException("batch delay must be >= 0 ms, got " + maxBatchDelay.toMillis());
        }
        if (maxInFlight < maxBatchRecords) {
            throw new IllegalArgumentException("max in-flight requests (" + maxInFlight
                    + ") must be >= the batch size (" + maxBatchRecords + "), or a full batch could never be submitted");
        }
        if (metricsPortNumber < 0 || metricsPortNumber > 65535) {
            throw new IllegalArgumentException("metrics port must be in 0..65535, got " + metricsPortNumber);
        }
    }

    /** The Prometheus port (0 = any free one), or empty when no HTTP server should run. */
    public Optional<Integer> metricsPort() {
        return serveMetrics ? Optional.of(metricsPortNumber) : Optional.empty();
    }

    public static InferenceOptions defaults() {
        return new InferenceOptions(8, Duration.ofMillis(20), 64, Duration.ofSeconds(30), false, 0);
    }

    public InferenceOptions withMetricsPort(Optional<Integer> port) {
        return new InferenceOptions(maxBatchRecords, maxBatchDelay, maxInFlight, engineLinger, port.isPresent(), port.orElse(0));
    }
}
