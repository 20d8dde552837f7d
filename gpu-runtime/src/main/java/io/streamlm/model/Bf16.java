package io.streamlm.model;

/** bfloat16 conversions: the upper 16 bits of an IEEE f32. */
public final class Bf16 {
    private Bf16() {}

    public static float toFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xFFFF) << 16);
    }

    /** Round to nearest even, as PyTorch and the reference checkpoint writer do; NaN stays NaN. */
    public static short fromFloat(float v) {
        int u = Float.floatToRawIntBits(v);
        if (Float.isNaN(v)) {
            return (short) ((u >>> 16) | 0x40);
        }
        int roundingBias = ((u >>> 16) & 1) + 0x7FFF;
        return (short) ((u + roundingBias) >>> 16);
    }
}
