package io.streamlm.engine;

/**
 * Partial selection over candidate token ids by probability, in expected O(n): a vocabulary of 248,320 is
 * never fully sorted per token. Both methods reorder {@code idx[0..n)} in place.
 */
final class TopSelection {
    private TopSelection() {}

    /**
     * The k-th largest probability among {@code idx[0..n)} (1-based k <= n), by quickselect with a
     * three-way partition so long runs of equal values stay linear.
     */
    static float kthLargest(int[] idx, int n, float[] probs, int k) {
        int lo = 0;
        int hi = n;
        int rank = k; // rank within [lo, hi) still to find, 1-based
        while (true) {
            float pivot = probs[idx[lo + (hi - lo) / 2]];
            long bounds = partition3(idx, lo, hi, probs, pivot);
            int gt = (int) (bounds >>> 32);
            int eq = (int) bounds;
            int numGreater = gt - lo;
            int numEqual = eq - gt;
            if (rank <= numGreater) {
                hi = gt;
            } else if (rank <= numGreater + numEqual) {
                return pivot;
            } else {
                rank -= numGreater + numEqual;
                lo = eq;
            }
        }
    }

    /**
     * Moves the nucleus to the front and returns its size: the fewest most-probable candidates whose
     * mass reaches {@code need} (HF/vLLM top-p: a token is kept when the mass strictly before it is below
     * the target). At least one token is always kept; equal probabilities at the border are taken in
     * their current order.
     */
    static int nucleus(int[] idx, int n, float[] probs, double need) {
        int lo = 0; // idx[0..lo) is kept for sure
        int hi = n; // the border lies in idx[lo..hi)
        while (need > 0 && lo < hi) {
            float pivot = probs[idx[lo + (hi - lo) / 2]];
            long bounds = partition3(idx, lo, hi, probs, pivot);
            int gt = (int) (bounds >>> 32);
            int eq = (int) bounds;
            double massGreater = mass(idx, lo, gt, probs);
            if (massGreater >= need) {
                hi = gt; // the border is among the strictly larger ones
                continue;
            }
            need -= massGreater;
            lo = gt;
            for (int i = gt; i < eq && need > 0; i++) {
                need -= probs[idx[i]];
                lo = i + 1;
            }
            if (need > 0) {
                lo = eq;
            }
        }
        return Math.max(lo, 1);
    }

    private static double mass(int[] idx, int from, int to, float[] probs) {
        double s = 0;
        for (int i = from; i < to; i++) {
            s += probs[idx[i]];
        }
        return s;
    }

    /**
     * Dutch-flag partition of idx[lo..hi) into (> pivot, == pivot, < pivot). Returns the two borders
     * packed as (gt << 32 | eq): [lo, gt) greater, [gt, eq) equal, [eq, hi) smaller.
     */
    private static long partition3(int[] idx, int lo, int hi, float[] probs, float pivot) {
        int gt = lo;
        int i = lo;
        int lt = hi;
        while (i < lt) {
            float v = probs[idx[i]];
            if (v > pivot) {
                swap(idx, gt++, i++);
            } else if (v < pivot) {
                swap(idx, i, --lt);
            } else {
                i++;
            }
        }
        return ((long) gt << 32) | (lt & 0xFFFFFFFFL);
    }

    private static void swap(int[] a, int i, int j) {
        int t = a[i];
        a[i] = a[j];
        a[j] = t;
    }
}
