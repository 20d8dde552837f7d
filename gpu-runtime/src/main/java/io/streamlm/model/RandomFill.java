package io.streamlm.model;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Fills a byte range of one tensor with random values, fast: a SplitMix64 stream per (seed, tensor, block)
 * so the bytes do not depend on thread count or order, one 64-bit draw per element, no boxing.
 *
 * <p>"Normal" values are an Irwin-Hall approximation (sum of four 16-bit uniforms, scaled to unit
 * variance): bell-shaped, bounded at about 3.5 sigma, which suits random weights (no outliers to blow
 * activations up) and costs a few integer operations instead of a logarithm and a cosine.
 */
final class RandomFill {
    /** Elements per independently seeded block; also the unit of parallel work. */
    static final int BLOCK_ELEMENTS = 1 << 22;
    private static final double IRWIN_HALL_4_STD = 65536.0 / Math.sqrt(3.0);
    private static final double IRWIN_HALL_4_MEAN = 2 * 65535.0;

    private RandomFill() {}

    /**
     * Writes elements [first, first + count) of the tensor (all inside block {@code first / BLOCK_ELEMENTS})
     * into {@code out} at position 0, little-endian.
     *
     * @param scratch at least {@code count} floats, reused between calls by one thread
     */
    static void fill(RandomTensorPlan.Spec spec, long seed, long first, int count, float[] scratch, ByteBuffer out) {
        long block = first / BLOCK_ELEMENTS;
        long state = mix(seed ^ mix(spec.name().hashCode() * 0x9E3779B97F4A7C15L + block));
        int skip = (int) (first - block * BLOCK_ELEMENTS);
        state += skip * GOLDEN; // SplitMix64 can jump: element i of the block uses state0 + (i + 1) * GOLDEN
        RandomTensorPlan.Init init = spec.init();
        for (int i = 0; i < count; i++) {
            state += GOLDEN;
            long z = mix(state);
            scratch[i] = (float) value(init, z);
        }
        out.clear();
        out.order(ByteOrder.LITTLE_ENDIAN);
        switch (spec.dtype()) {
            case F32 -> out.asFloatBuffer().put(scratch, 0, count);
            case BF16 -> {
                for (int i = 0; i < count; i++) {
                    out.putShort(2 * i, Bf16.fromFloat(scratch[i]));
                }
            }
            case F16 -> {
                for (int i = 0; i < count; i++) {
                    out.putShort(2 * i, Half.fromFloat(scratch[i]));
                }
            }
        }
        out.limit(count * spec.dtype().sizeBytes());
        out.position(0);
    }

    private static final long GOLDEN = 0x9E3779B97F4A7C15L;

    private static double value(RandomTensorPlan.Init init, long z) {
        switch (init.kind()) {
            case NORMAL -> {
                long sum = (z & 0xFFFF) + ((z >>> 16) & 0xFFFF) + ((z >>> 32) & 0xFFFF) + (z >>> 48);
                return init.a() + init.b() * ((sum - IRWIN_HALL_4_MEAN) / IRWIN_HALL_4_STD);
            }
            case UNIFORM -> {
                return init.a() + (init.b() - init.a()) * unit(z);
            }
            default -> {
                return Math.log(init.a() + (init.b() - init.a()) * unit(z));
            }
        }
    }

    private static double unit(long z) {
        return (z >>> 11) * 0x1.0p-53;
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
