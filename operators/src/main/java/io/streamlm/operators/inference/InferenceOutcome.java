package io.streamlm.operators.inference;

import java.util.Arrays;

/**
 * How one request ended, as the inference operator emits it: everything the completion record and the
 * per-request metrics event are built from. A Flink POJO of natively serialized types (see
 * {@link InferenceTask}). Times are epoch millis; latencies nanos.
 */
public class InferenceOutcome {
    public String id;
    public String tenant;
    /** ok, error, timeout or rejected (see {@link Status}). */
    public String status;
    public String text = "";
    /** The engine's FinishReason name (STOP, LENGTH, DEADLINE, CANCELLED, ERROR). */
    public String finishReason;
    /** What went wrong when status is not ok; null otherwise. */
    public String error;
    public int promptTokens;
    public int cachedPromptTokens;
    public int generatedTokens;
    /** Engine-side latencies: submit to first scheduled, to first token, between tokens, to finished. */
    public long queuedNanos;
    public long timeToFirstTokenNanos;
    /** [generatedTokens - 1] gaps between consecutive tokens. */
    public long[] interTokenNanos = new long[0];
    public long engineNanos;
    /** Operator-side: record accepted by the operator until the engine was handed it (micro-batch wait). */
    public long batchWaitNanos;
    public String templateId;
    public long createdMillis;
    public long ingestMillis;
    /** Epoch millis the operator emitted the outcome. */
    public long completedMillis;
    public String[] metadataKeys = new String[0];
    public String[] metadataValues = new String[0];

    public InferenceOutcome() {}

    /** The completion's status as the completion schema spells it. */
    public enum Status {
        OK("ok"), ERROR("error"), TIMEOUT("timeout"), REJECTED("rejected");

        public final String wire;

        Status(String wire) {
            this.wire = wire;
        }
    }

    @Override
    public String toString() {
        return "InferenceOutcome{id=" + id + ", status=" + status + ", finishReason=" + finishReason
                + ", generatedTokens=" + generatedTokens + ", text=" + text + ", interTokenNanos="
                + Arrays.toString(interTokenNanos) + "}";
    }
}
