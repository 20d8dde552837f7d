package io.streamlm.backend.cpu;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A persistent pool of spinning worker threads that runs one {@link Task} split into {@code numThreads}
 * parts, the calling thread doing part 0. A decode step makes ~170 matmul calls; handing work to a
 * ForkJoinPool or an executor costs 10-80 us per call (more than the matmul at batch 1), a spinning
 * hand-off about 0.4 us. Workers spin for a while after each task, then park, so an idle backend costs
 * no CPU.
 *
 * <p>Not reentrant: one thread (the engine's) drives a pool; a task must not call {@link #run} itself.
 */
final class WorkerPool implements AutoCloseable {
    /** One parallel task: part {@code part} of {@code numParts}; parts must not overlap in their writes. */
    interface Task {
        void run(int part, int numParts);
    }

    /** Spin (then yield) iterations before a worker parks: covers the gap between two kernels of a step. */
    private static final int SPIN_ITERATIONS = 20_000;
    /** Busy-spin iterations (a few us) before spinning turns into yielding the core to other threads. */
    private static final int YIELD_AFTER_SPINS = 2_000;

    private final int numThreads;
    private final Thread[] workers; // [numThreads - 1]; part i + 1 runs on workers[i]
    private volatile Task task;
    private volatile long generation; // bumped once per run(); workers run each generation once
    private final AtomicInteger pending = new AtomicInteger();
    private volatile boolean closed;
    private volatile Throwable failure;

    WorkerPool(int numThreads) {
        if (numThreads < 1) {
            throw new IllegalArgumentException("numThreads must be >= 1, got " + numThreads);
        }
        this.numThreads = numThreads;
        this.workers = new Thread[numThreads - 1];
        for (int i = 0; i < workers.length; i++) {
            int part = i + 1;
            Thread t = new Thread(() -> workLoop(part), "streamlm-cpu-" + part);
            t.setDaemon(true);
            workers[i] = t;
            t.start();
        }
    }

    int numThreads() {
        return numThreads;
    }

    /**
     * Runs {@code t} across the pool when {@code parallel}, else whole on the calling thread: small element-wise
     * work (a decode step's conv or norms) is cheaper done here than handed off, above all on a busy machine
     * where a hand-off waits for a worker to be scheduled.
     */
    void run(Task t, boolean parallel) {
        if (parallel) {
            run(t);
        } else {
            t.run(0, 1);
        }
    }

    /** Runs all parts of {@code t} and returns when every part is done; rethrows a worker's failure. */
    void run(Task t) {
        if (closed) {
            throw new IllegalStateException("the backend's worker pool is closed");
        }
        if (numThreads == 1) {
            t.run(0, 1);
            return;
        }
        task = t;
        pending.set(numThreads - 1);
        generation++; // volatile write publishes task and pending
        for (Thread w : workers) {
            LockSupport.unpark(w);
        }
        Throwable own = null;
        try {
            t.run(0, numThreads);
        } catch (Throwable e) {
            own = e;
        }
        int spins = 0;
        while (pending.get() != 0) {
            // on a shared machine a worker may be descheduled: after a short spin, give the core away
            if (++spins < YIELD_AFTER_SPINS) {
                Thread.onSpinWait();
            } else {
                Thread.yield();
            }
        }
        task = null;
        Throwable f = failure;
        if (own != null || f != null) {
            failure = null;
            Throwable e = own != null ? own : f;
            if (e instanceof RuntimeException re) {
                throw re;
            }
            if (e instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(e);
        }
    }

    private void workLoop(int part) {
        long seen = 0;
        while (true) {
            long g = generation;
            int spins = 0;
            while (g == seen && !closed) {
                if (++spins < YIELD_AFTER_SPINS) {
                    Thread.onSpinWait();
                } else if (spins < SPIN_ITERATIONS) {
                    Thread.yield();
                } else {
                    LockSupport.parkNanos(this, 1_000_000L);
                }
                g = generation;
            }
            if (closed) {
                return;
            }
            seen = g;
            try {
                task.run(part, numThreads);
            } catch (Throwable e) {
                failure = e;
            } finally {
                pending.decrementAndGet();
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        for (Thread w : workers) {
            LockSupport.unpark(w);
        }
    }

    /** The half-open range {@code [from, to)} of part {@code part} when {@code n} items, in units of {@code align}, are split. */
    static int splitStart(int n, int part, int numParts, int align) {
        int units = (n + align - 1) / align;
        long u = (long) units * part / numParts;
        return (int) Math.min(n, u * align);
    }
}
