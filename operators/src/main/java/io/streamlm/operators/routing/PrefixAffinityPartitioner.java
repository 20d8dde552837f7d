package io.streamlm.operators.routing;

import org.apache.flink.api.common.functions.Partitioner;

/**
 * Routes each request to an inference subtask by its route key (tenant + shared-prefix hash, see
 * {@code InferenceTask#routeKey()}), so requests sharing a template meet the engine whose prefix cache
 * holds it, while bounding how uneven the load can get: consistent hashing with bounded loads (Mirrokni,
 * Thorup, Zadimoghaddam 2018) over rendezvous-hash order.
 *
 * <p>Each key ranks the channels by a hash of (key, channel) - rendezvous hashing, so a key's order
 * changes only for the channels added or removed. The record goes to the first channel in that order
 * whose recent load is below {@code ceil((1 + epsilon) * (recent total + 1) / numChannels)}. A key
 * therefore sticks to its preferred subtask until that subtask carries more than (1 + epsilon) times its
 * fair share, and then spills to its second choice - never to a random one, so the spilled share still
 * finds its prefix on a small, fixed set of engines. Since the average is always below capacity, some
 * channel always qualifies: the bound <b>max channel load &lt;= ceil((1 + epsilon) * total / n)</b> holds
 * at every step for the records this partitioner routed (tested in PrefixAffinityPartitionerTest).
 *
 * <p>"Recent" is a decayed count: every {@code windowRecords} records all counts are halved, so old
 * traffic fades and a template that goes quiet frees its subtask. Each upstream subtask runs its own
 * instance (no coordination); the global load is the sum of per-instance loads, each bounded as above.
 * Why not Flink's keyBy: its key-group assignment is a fixed hash with no load feedback, so one hot
 * template would pin one subtask. The inference operator keeps only operator (non-keyed) state, so a
 * custom partition is safe across restores and rescaling.
 */
public final class PrefixAffinityPartitioner implements Partitioner<String> {
    private final double epsilon;
    private final int windowRecords;
    /** Decayed records routed to each channel [numChannels]. */
    private transient long[] loads;
    private transient long total;
    private transient long sinceDecay;

    /**
     * @param epsilon       allowed overload over the fair share, e.g. 0.25 = at most 25% above average
     * @param windowRecords decay period in records (counts halve after this many)
     */
    public PrefixAffinityPartitioner(double epsilon, int windowRecords) {
        if (!(epsilon > 0)) {
            throw new IllegalArgumentException("routing load bound epsilon must be > 0, got " + epsilon);
        }
        if (windowRecords < 1) {
            throw new IllegalArgumentException("routing window must be >= 1 record, got " + windowRecords);
        }
        this.epsilon = epsilon;
        this.windowRecords = windowRecords;
    }

    @Override
    public int partition(String routeKey, int numChannels) {
        if (loads == null || loads.length != numChannels) {
            loads = new long[numChannels];
            total = 0;
            sinceDecay = 0;
        }
        long capacity = capacity(total + 1, numChannels);
        int chosen = -1;
        long keyHash = mix(routeKey.hashCode() * 0x9E3779B97F4A7C15L + routeKey.length());
        // walk channels in the key's rendezvous order: highest score first
        boolean[] tried = new boolean[numChannels];
        for (int attempt = 0; attempt < numChannels && chosen < 0; attempt++) {
            int best = -1;
            long bestScore = Long.MIN_VALUE;
            for (int c = 0; c < numChannels; c++) {
                long score = mix(keyHash ^ (c * 0xC2B2AE3D27D4EB4FL));
                if (!tried[c] && (best < 0 || score > bestScore)) {
                    best = c;
                    bestScore = score;
                }
            }
            tried[best] = true;
            if (loads[best] < capacity) {
                chosen = best;
            }
        }
        loads[chosen]++;
        total++;
        if (++sinceDecay >= windowRecords) {
            decay();
        }
        return chosen;
    }

    /** The most records one channel may hold when {@code total} have been routed: ceil((1+eps) total / n). */
    long capacity(long total, int numChannels) {
        return (long) Math.ceil((1 + epsilon) * total / numChannels);
    }

    private void decay() {
        total = 0;
        for (int c = 0; c < loads.length; c++) {
            loads[c] /= 2;
            total += loads[c];
        }
        sinceDecay = 0;
    }

    /** Murmur3's 64-bit finalizer: spreads String.hashCode's 32 bits over 64. */
    static long mix(long h) {
        h ^= h >>> 33;
        h *= 0xFF51AFD7ED558CCDL;
        h ^= h >>> 33;
        h *= 0xC4CEB9FE1A85EC53L;
        h ^= h >>> 33;
        return h;
    }
}
