package io.streamlm.operators.inference;

import io.streamlm.engine.Engine;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One engine per TaskManager process, shared by every inference subtask there, reference counted and
 * keyed by {@link EngineFactory#sharingKey()} (model path + backend + sizes).
 *
 * <p>Why shared rather than one per subtask: the engine batches continuously across every request it
 * holds, so one engine fed by N subtasks runs one forward pass over all their sequences and reads the
 * weights once per step; N engines would hold N weight copies and N KV pools and run N small batches that
 * compete for the same cores. Parallelism then buys Kafka/decode/serde concurrency and failover
 * granularity, while the engine sees one big batch - which is what makes batching pay on a CPU box.
 *
 * <p>The map lives in a static field of the user-code class loader, so it is per job per TaskManager
 * (Flink gives each job its own loader). When the last subtask releases an engine it is kept for a
 * linger period before closing, so a restart after a failure (all subtasks close, then reopen seconds
 * later) does not reload the model.
 */
public final class SharedEngines {
    private static final Map<String, Entry> ENGINES = new HashMap<>();
    private static final ScheduledExecutorService CLOSER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "streamlm-engine-closer");
        t.setDaemon(true);
        return t;
    });

    private SharedEngines() {}

    private static final class Entry {
        final Engine engine;
        int numLeases;
        ScheduledFuture<?> pendingClose;

        Entry(Engine engine) {
            this.engine = engine;
        }
    }

    /** A subtask's use of a shared engine; close it exactly once when the subtask closes. */
    public static final class Lease implements AutoCloseable {
        private final String key;
        private final Engine engine;
        private final long lingerMillis;
        private boolean closed;

        private Lease(String key, Engine engine, long lingerMillis) {
            this.key = key;
            this.engine = engine;
            this.lingerMillis = lingerMillis;
        }

        public Engine engine() {
            return engine;
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                release(key, lingerMillis);
            }
        }
    }

    /** Returns a lease on the engine for {@code factory}'s key, creating the engine on first use. */
    public static Lease acquire(EngineFactory factory, long lingerMillis) throws Exception {
        String key = factory.sharingKey();
        synchronized (ENGINES) {
            Entry e = ENGINES.get(key);
            if (e == null) {
                e = new Entry(factory.create());
                ENGINES.put(key, e);
            }
            if (e.pendingClose != null) {
                e.pendingClose.cancel(false);
                e.pendingClose = null;
            }
            e.numLeases++;
            return new Lease(key, e.engine, lingerMillis);
        }
    }

    private static void release(String key, long lingerMillis) {
        synchronized (ENGINES) {
            Entry e = ENGINES.get(key);
            if (e == null || --e.numLeases > 0) {
                return;
            }
            if (lingerMillis <= 0) {
                ENGINES.remove(key);
                e.engine.close();
            } else {
                e.pendingClose = CLOSER.schedule(() -> closeIfUnused(key, e), lingerMillis, TimeUnit.MILLISECONDS);
            }
        }
    }

    private static void closeIfUnused(String key, Entry e) {
        synchronized (ENGINES) {
            if (e.numLeases > 0 || ENGINES.get(key) != e) {
                return;
            }
            ENGINES.remove(key);
        }
        e.engine.close();
    }

    /** The engines alive in this process (for the metrics collector). */
    public static List<Engine> live() {
        synchronized (ENGINES) {
            List<Engine> out = new ArrayList<>();
            for (Entry e : ENGINES.values()) {
                out.add(e.engine);
            }
            return out;
        }
    }

    /** Leases currently held on {@code key}'s engine (0 when none or lingering). */
    public static int numLeases(String key) {
        synchronized (ENGINES) {
            Entry e = ENGINES.get(key);
            return e == null ? 0 : e.numLeases;
        }
    }

    /** Closes every engine now, leased or not: for a launcher shutting its JVM down. */
    public static void closeAll() {
        List<Engine> toClose;
        synchronized (ENGINES) {
            toClose = new ArrayList<>();
            for (Entry e : ENGINES.values()) {
                toClose.add(e.engine);
            }
            ENGINES.clear();
        }
        toClose.forEach(Engine::close);
    }
}
