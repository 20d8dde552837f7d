package io.streamlm.model;

/** IEEE binary16 conversions (Java 17 has no Float.float16ToFloat). */
public final class Half {
    private Half() {}

    public static float toFloat(short h) {
        int bits = h & 0xFFFF;
        int sign = (bits & 0x8000) << 16;
        int exp = (bits >>> 10) & 0x1F;
        int mant = bits & 0x3FF;
        if (exp == 0x1F) { // inf / NaN
            return Float.intBitsToFloat(sign | 0x7F800000 | (mant << 13));
        }
        if (exp == 0) {
            if (mant == 0) {
                return Float.intBitsToFloat(sign);
            }
            // subnormal: value = mant * 2^-24
            float v = mant * 0x1p-24f;
            return sign == 0 ? v : -v;
        }
        return Float.intBitsToFloat(sign | ((exp - 15 + 127) << 23) | (mant << 13));
    }

    /** Round to nearest even; overflow to infinity. */
    public static short fromFloat(float f) {
        int x = Float.floatToRawIntBits(f);
        int sign = (x >>> 16) & 0x8000;
        if (Float.isNaN(f)) {
            return (short) (sign | 0x7E00);
        }
        float a = Math.abs(f);
        if (a >= 65520f) {
            return (short) (sign | 0x7C00);
        }
        if (a < 0x1p-14f) { // subnormal or zero: quantise to multiples of 2^-24
            int m = Math.round(a * 0x1p24f); // Math.round ties away; fix ties to even below
            float exact = a * 0x1p24f;
            if (exact - Math.floor(exact) == 0.5 && (m & 1) == 1) {
                m -= 1;
            }
            return (short) (sign | m);
        }
        int e = ((x >>> 23) & 0xFF) - 127 + 15;
        int mant = x & 0x7FFFFF;
        int half = (e << 10) | (mant >>> 13);
        int rest = mant & 0x1FFF;
        if (rest > 0x1000 || (rest == 0x1000 && (half & 1) == 1)) {
            half += 1;
        }
        return (short) (sign | half);
    }
}
