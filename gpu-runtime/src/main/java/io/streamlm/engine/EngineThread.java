package io.streamlm.engine;

import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine's loop: drain submissions, {@code schedule -> run -> postprocess -> emit}, sleep when idle.
 * Everything that touches the scheduler, the caches or the backend runs here.
 */
final class EngineThread implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(EngineThread.class);
    private static final long IDLE_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    private final Scheduler scheduler;
    private final ModelRunner runner;
    private final Clock clock;
    private final ConcurrentLinkedQueue<Request> submissions = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<Consumer<Scheduler>> tasks = new ConcurrentLinkedQueue<>();
    private final Consumer<EngineStats> statsSink;
    private final StatsTracker stats;
    private volatile boolean stopping;
    private volatile Thread thread;

    EngineThread(Scheduler scheduler, ModelRunner runner, Clock clock, StatsTracker stats, Consumer<EngineStats> statsSink) {
        this.scheduler = scheduler;
        this.runner = runner;
        this.clock = clock;
        this.stats = stats;
        this.statsSink = statsSink;
    }

    void submit(Request r) {
        submissions.add(r);
        wake();
    }

    void wake() {
        Thread t = thread;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    /** Runs {@code task} on the engine thread between steps (tests and maintenance). */
    void runOnEngineThread(Consumer<Scheduler> task) {
        tasks.add(task);
        wake();
    }

    void stop() {
        stopping = true;
        wake();
    }

    @Override
    public void run() {
        thread = Thread.currentThread();
        try {
            while (!stopping) {
                drainSubmissions();
                if (!scheduler.hasUnfinished()) {
                    statsSink.accept(stats.snapshot(scheduler));
                    LockSupport.parkNanos(IDLE_PARK_NANOS);
                    continue;
                }
                try {
                    step();
                } catch (RuntimeException e) {
                    // a bookkeeping bug must not leave handles hanging: fail what is in flight, keep serving
                    LOG.error("engine step failed outside the forward; failing all requests in flight", e);
                    scheduler.finishAll(RequestStatus.FINISHED_ERROR, Optional.of("engine error: " + e));
                    emitFinished();
                }
            }
        } finally {
            drainSubmissions();
            scheduler.cancelAll();
            emitFinished();
            statsSink.accept(stats.snapshot(scheduler));
        }
    }

    /** One engine step. A failing forward fails the requests of that step, never the engine. */
    void step() {
        StepPlan plan = scheduler.schedule(clock.instant());
        emitFinished();
        if (plan.isEmpty()) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
            return;
        }
        long now = System.nanoTime();
        for (StepPlan.Scheduled s : plan.chunks()) {
            output(s.request()).markScheduled(now);
        }
        List<Optional<SampledToken>> sampled;
        try {
            sampled = runner.run(plan);
        } catch (RuntimeException e) {
            LOG.error("engine step failed; failing its {} requests", plan.chunks().size(), e);
            for (StepPlan.Scheduled s : plan.chunks()) {
                scheduler.finish(s.request(), RequestStatus.FINISHED_ERROR,
                        Optional.of("engine step failed: " + e));
            }
            scheduler.abandonSnapshots(plan);
            emitFinished();
            return;
        }
        List<Request> withToken = scheduler.postprocess(plan, sampled);
        long tokenNanos = System.nanoTime();
        for (Request r : withToken) {
            int token = r.token(r.numTokens() - 1);
            boolean isStopToken = r.status == RequestStatus.FINISHED_STOPPED;
            if (output(r).onToken(token, isStopToken, r.status.isFinished(), tokenNanos)) {
                scheduler.finish(r, RequestStatus.FINISHED_STOPPED, Optional.empty());
            }
        }
        emitFinished();
        stats.onStep(plan.numScheduledTokens(), tokenNanos);
        statsSink.accept(stats.snapshot(scheduler));
    }

    private void drainSubmissions() {
        for (Consumer<Scheduler> t; (t = tasks.poll()) != null; ) {
            t.accept(scheduler);
        }
        for (Request r; (r = submissions.poll()) != null; ) {
            if (r.errorMessage.isPresent()) {
                scheduler.finish(r, RequestStatus.FINISHED_ERROR, r.errorMessage);
            } else {
                scheduler.add(r);
            }
        }
        emitFinished();
    }

    private void emitFinished() {
        long now = System.nanoTime();
        for (Request r : scheduler.drainFinished()) {
            try {
                output(r).complete(r, now);
            } catch (RuntimeException e) {
                LOG.error("completing request {} failed", r.id, e);
            }
        }
    }

    private static RequestOutput output(Request r) {
        return (RequestOutput) r.attachment;
    }
}
