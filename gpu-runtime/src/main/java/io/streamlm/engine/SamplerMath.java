package io.streamlm.engine;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The sampler's full-vocabulary passes, vectorised: a scalar {@code Math.exp} over 248,320 logits costs
 * milliseconds per token, a sizeable share of a decode step; the Vector API's EXP (SVML on x86) does it in
 * a fraction of that.
 */
final class SamplerMath {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private SamplerMath() {}

    static float max(float[] x) {
        int i = 0;
        FloatVector acc = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
        for (int upper = S.loopBound(x.length); i < upper; i += S.length()) {
            acc = acc.max(FloatVector.fromArray(S, x, i));
        }
        float m = acc.reduceLanes(VectorOperators.MAX);
        for (; i < x.length; i++) {
            m = Math.max(m, x[i]);
        }
        return m;
    }

    /** In place: x[i] = exp((x[i] - shift) * scale). Returns the sum of the results. */
    static double expInPlace(float[] x, float shift, float scale) {
        int i = 0;
        double sum = 0;
        for (int upper = S.loopBound(x.length); i < upper; i += S.length()) {
            FloatVector v = FloatVector.fromArray(S, x, i).sub(shift).mul(scale).lanewise(VectorOperators.EXP);
            v.intoArray(x, i);
            sum += v.reduceLanes(VectorOperators.ADD);
        }
        for (; i < x.length; i++) {
            x[i] = (float) Math.exp((x[i] - shift) * scale);
            sum += x[i];
        }
        return sum;
    }

    /** log(sum(exp(x))) without modifying x. */
    static double logSumExp(float[] x) {
        float m = max(x);
        int i = 0;
        double sum = 0;
        for (int upper = S.loopBound(x.length); i < upper; i += S.length()) {
            sum += FloatVector.fromArray(S, x, i).sub(m).lanewise(VectorOperators.EXP).reduceLanes(VectorOperators.ADD);
        }
        for (; i < x.length; i++) {
            sum += Math.exp(x[i] - m);
        }
        return m + Math.log(sum);
    }
}
