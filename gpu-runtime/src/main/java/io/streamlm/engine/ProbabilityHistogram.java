package io.streamlm.engine;

import java.util.Arrays;

/**
 * Count and mass of probabilities per bucket of the top 16 bits of their float encoding (sign, exponent and
 * 7 mantissa bits: monotone in the value for non-negative floats, buckets 0.8% wide), built in one pass.
 * Scanning buckets from the top gives a floor that provably keeps the k largest values or the nucleus
 * while excluding everything in lower buckets.
 */
final class ProbabilityHistogram {
    private static final int NUM_BUCKETS = 1 << 15; // non-negative floats only: the sign bit is 0
    private final int[] counts = new int[NUM_BUCKETS]; // [bucket] how many values
    private final double[] masses = new double[NUM_BUCKETS]; // [bucket] their sum
    private int top; // highest non-empty bucket

    /** @param probs non-negative values */
    void build(float[] probs) {
        Arrays.fill(counts, 0);
        Arrays.fill(masses, 0);
        top = 0;
        for (float p : probs) {
            int b = Float.floatToRawIntBits(p) >>> 16;
            counts[b]++;
            masses[b] += p;
            top = Math.max(top, b);
        }
    }

    /** A floor such that at least k values are >= it (0 when no bucket border is higher). */
    float floorForCount(int k) {
        long seen = 0;
        for (int b = top; b > 0; b--) {
            seen += counts[b];
            if (seen >= k) {
                return lowest(b);
            }
        }
        return 0f;
    }

    /** A floor such that the values >= it sum to at least need (0 when no bucket border is higher). */
    float floorForMass(double need) {
        double seen = 0;
        for (int b = top; b > 0; b--) {
            seen += masses[b];
            if (seen >= need) {
                return lowest(b);
            }
        }
        return 0f;
    }

    /** The smallest float in bucket b. */
    private static float lowest(int b) {
        return Float.intBitsToFloat(b << 16);
    }
}
