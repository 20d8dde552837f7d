package io.streamlm.operators.inference;

import io.streamlm.engine.Engine;
import io.streamlm.engine.GenerationResult;
import io.streamlm.engine.RequestHandle;
import io.streamlm.operators.metrics.PipelineMetrics;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.RejectedExecutionException;
import org.apache.flink.api.common.operators.MailboxExecutor;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.operators.StreamOperatorParameters;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Feeds validated requests to the (process-shared, see {@link SharedEngines}) engine in micro-batches and
 * emits one {@link InferenceOutcome} per request.
 *
 * <p>Threading: everything here runs on the task's mailbox thread. The engine completes handles on its
 * own thread; the completion only enqueues a mail ({@link MailboxExecutor#execute}) that emits the
 * outcome, so the mailbox thread never waits on the engine except by yielding to mails.
 *
 * <p>Batching: records collect until {@code maxBatchRecords} are held or {@code maxBatchDelay} has passed
 * since the first one (a processing-time timer), then all are submitted together, so one engine step
 * sees them together. Backpressure: when {@code maxInFlight} requests are accepted but unfinished,
 * {@link #processElement} yields to the mailbox (running completions and timers) until one finishes;
 * meanwhile no input is read, so the Kafka source backs up - the same scheme as Flink's AsyncWaitOperator.
 *
 * <p>Exactly-once: every accepted-but-unfinished request (batched or in the engine) is written to operator
 * list state at each checkpoint; after a restore they are re-submitted. Outcomes emitted before a
 * checkpoint barrier belong to that checkpoint's Kafka transaction, so a request is either in the
 * committed output or in the restored state (or, if it arrived after the checkpoint, replayed from Kafka)
 * - never both. Every task carries a fixed seed, so a re-run samples the same text.
 */
public final class InferenceOperator extends AbstractStreamOperator<InferenceOutcome>
        implements OneInputStreamOperator<InferenceTask, InferenceOutcome> {

    private final EngineFactory engineFactory;
    private final InferenceOptions options;
    private final transient MailboxExecutor mailbox;

    private transient ListState<InferenceTask> pendingState;
    private transient List<InferenceTask> restored;
    private transient SharedEngines.Lease engineLease;
    private transient Engine engine;
    private transient PipelineMetrics.Lease metrics;
    /** Records waiting for the current micro-batch to be submitted, in arrival order. */
    private transient List<Accepted> batch;
    /** Requests in the engine, by engine id, in submission order. */
    private transient Map<String, Submitted> inFlight;
    private transient boolean timerArmed;
    private transient String instanceId;
    private transient long numSubmitted;

    private record Accepted(InferenceTask task, long acceptedNanos) {}

    private record Submitted(InferenceTask task, RequestHandle handle, long batchWaitNanos) {}

    InferenceOperator(StreamOperatorParameters<InferenceOutcome> parameters, EngineFactory engineFactory,
            InferenceOptions options) {
        super(parameters);
        this.engineFactory = engineFactory;
        this.options = options;
        this.mailbox = parameters.getMailboxExecutor();
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        pendingState = context.getOperatorStateStore().getListState(
                new ListStateDescriptor<>("streamlm-pending-requests", TypeInformation.of(InferenceTask.class)));
        restored = new ArrayList<>();
        if (context.isRestored()) {
            pendingState.get().forEach(restored::add);
        }
    }

    @Override
    public void open() throws Exception {
        super.open();
        batch = new ArrayList<>();
        inFlight = new LinkedHashMap<>();
        // engine ids must be unique in the shared engine, also across a failed attempt whose requests
        // may still be draining there: prefix them with this attempt's own id
        instanceId = UUID.randomUUID().toString().substring(0, 8) + "-" + getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
        engineLease = SharedEngines.acquire(engineFactory, options.engineLinger().toMillis());
        engine = engineLease.engine();
        metrics = PipelineMetrics.acquire(options.metricsPort());
        if (!restored.isEmpty()) {
            LOG.info("re-submitting {} requests restored from the checkpoint", restored.size());
            metrics.recordRestored(restored.size());
            long now = System.nanoTime();
            restored.forEach(t -> batch.add(new Accepted(t, now)));
            restored.clear();
            submitBatch();
        }
    }

    @Override
    public void processElement(StreamRecord<InferenceTask> element) throws Exception {
        while (batch.size() + inFlight.size() >= options.maxInFlight()) {
            mailbox.yield();
        }
        batch.add(new Accepted(element.getValue(), System.nanoTime()));
        if (batch.size() >= options.maxBatchRecords() || options.maxBatchDelay().isZero()) {
            submitBatch();
        } else if (!timerArmed) {
            timerArmed = true;
            long due = getProcessingTimeService().getCurrentProcessingTime() + options.maxBatchDelay().toMillis();
            getProcessingTimeService().registerTimer(due, ts -> {
                timerArmed = false;
                submitBatch();
            });
        }
    }

    private void submitBatch() {
        long now = System.nanoTime();
        for (Accepted a : batch) {
            submit(a.task(), now - a.acceptedNanos());
        }
        batch.clear();
    }

    private void submit(InferenceTask task, long batchWaitNanos) {
        String engineId = instanceId + "-" + (numSubmitted++) + "-" + task.id;
        RequestHandle handle = engine.submit(TaskRequests.toRequest(task, engineId));
        inFlight.put(engineId, new Submitted(task, handle, batchWaitNanos));
        handle.result().whenComplete((result, error) -> {
            try {
                mailbox.execute(() -> complete(engineId, result, error), "streamlm inference result");
            } catch (RejectedExecutionException closing) {
                // the task is shutting down; the request is in the last checkpoint's state or replayed
            }
        });
    }

    private void complete(String engineId, GenerationResult result, Throwable error) {
        Submitted s = inFlight.remove(engineId);
        if (s == null) {
            return;
        }
        long nowMillis = getProcessingTimeService().getCurrentProcessingTime();
        InferenceOutcome outcome = error == null
                ? TaskRequests.outcome(s.task(), result, s.batchWaitNanos(), nowMillis)
                : TaskRequests.failed(s.task(), error, s.batchWaitNanos(), nowMillis);
        metrics.recordOutcome(outcome);
        output.collect(new StreamRecord<>(outcome));
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        List<InferenceTask> pending = new ArrayList<>(inFlight.size() + batch.size());
        inFlight.values().forEach(s -> pending.add(s.task()));
        batch.forEach(a -> pending.add(a.task()));
        pendingState.update(pending);
    }

    /** End of a bounded input: everything accepted must be answered before the operator finishes. */
    @Override
    public void finish() throws Exception {
        submitBatch();
        while (!inFlight.isEmpty()) {
            mailbox.yield();
        }
        super.finish();
    }

    @Override
    public void close() throws Exception {
        try {
            if (inFlight != null) {
                // a failed or cancelled attempt: free the shared engine of our work; the requests are in
                // the last checkpoint's state or will be replayed from Kafka
                inFlight.values().forEach(s -> s.handle().cancel());
                inFlight.clear();
            }
            if (engineLease != null) {
                engineLease.close();
            }
            if (metrics != null) {
                metrics.close();
            }
        } finally {
            super.close();
        }
    }

    /** Requests accepted but not yet answered (for tests and metrics). */
    int numPending() {
        return batch.size() + inFlight.size();
    }
}
