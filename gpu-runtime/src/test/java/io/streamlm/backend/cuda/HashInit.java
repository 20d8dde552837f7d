package io.streamlm.backend.cuda;

/** Host twin of init.cu's hash: splitmix64 of seed ^ (i * golden ratio), 24 bits to [-1, 1). */
final class HashInit {
    private HashInit() {}

    static float uniform(long seed, long i) {
        long z = seed ^ (i * 0x9E3779B97F4A7C15L);
        z += 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z ^= z >>> 31;
        return (float) (z >>> 40) * (1.0f / 8388608.0f) - 1.0f;
    }
}
