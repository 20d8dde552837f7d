package io.streamlm.backend.cpu;

import java.util.EnumMap;
import java.util.Map;

/** Per-operation wall time summed over steps, for the benchmark's profile (a few nanoTime calls per layer). */
final class OpTimer {
    enum Op { EMBED, NORM, GDN_PROJ, GDN_CONV, GDN_DELTA, GDN_OUT, ATTN_PROJ, ATTN_CORE, ATTN_OUT, MLP, HEAD }

    private final long[] nanos = new long[Op.values().length];
    private long mark;

    void start() {
        mark = System.nanoTime();
    }

    /** Adds the time since the last start/stop to {@code op}. */
    void stop(Op op) {
        long now = System.nanoTime();
        nanos[op.ordinal()] += now - mark;
        mark = now;
    }

    void reset() {
        java.util.Arrays.fill(nanos, 0);
    }

    Map<Op, Long> snapshot() {
        Map<Op, Long> m = new EnumMap<>(Op.class);
        for (Op op : Op.values()) {
            m.put(op, nanos[op.ordinal()]);
        }
        return m;
    }
}
