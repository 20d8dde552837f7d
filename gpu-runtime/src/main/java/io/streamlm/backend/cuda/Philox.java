package io.streamlm.backend.cuda;

/**
 * Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC 2011): the counter-based
 * generator sampling.cu draws from; this is its host twin, bit for bit. A draw depends only on
 * (seed, step), so a request's samples are reproducible whatever else is in the batch.
 */
final class Philox {
    private Philox() {}

    /** The four output words for counter (c0..c3) and key (k0, k1). */
    static int[] block(int c0, int c1, int c2, int c3, int k0, int k1) {
        for (int r = 0; r < 10; r++) {
            long p0 = 0xD2511F53L * (c0 & 0xFFFFFFFFL);
            long p1 = 0xCD9E8D57L * (c2 & 0xFFFFFFFFL);
            int hi0 = (int) (p0 >>> 32), lo0 = (int) p0;
            int hi1 = (int) (p1 >>> 32), lo1 = (int) p1;
            int n0 = hi1 ^ c1 ^ k0, n2 = hi0 ^ c3 ^ k1;
            c0 = n0;
            c1 = lo1;
            c2 = n2;
            c3 = lo0;
            k0 += 0x9E3779B9;
            k1 += 0xBB67AE85;
        }
        return new int[] {c0, c1, c2, c3};
    }

    /** The uniform in [0, 1) that sample_rows uses for (seed, step): 24 bits of the first word. */
    static float uniform(long seed, long step) {
        int w = block((int) step, (int) (step >>> 32), 0, 0, (int) seed, (int) (seed >>> 32))[0];
        return (float) (w >>> 8) * (1.0f / 16777216.0f);
    }
}
