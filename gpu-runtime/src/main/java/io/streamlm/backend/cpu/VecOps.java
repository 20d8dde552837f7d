package io.streamlm.backend.cpu;

import static io.streamlm.backend.cpu.MatMul.F;
import static io.streamlm.backend.cpu.MatMul.LANES;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/** Vectorised element-wise kernels over float arrays (offset + length), each with a scalar tail. */
final class VecOps {
    private VecOps() {}

    static float dot(float[] a, int aOff, float[] b, int bOff, int n) {
        FloatVector acc0 = FloatVector.zero(F);
        FloatVector acc1 = FloatVector.zero(F);
        int c = 0;
        for (; c + 2 * LANES <= n; c += 2 * LANES) {
            acc0 = FloatVector.fromArray(F, a, aOff + c).fma(FloatVector.fromArray(F, b, bOff + c), acc0);
            acc1 = FloatVector.fromArray(F, a, aOff + c + LANES).fma(FloatVector.fromArray(F, b, bOff + c + LANES), acc1);
        }
        for (; c + LANES <= n; c += LANES) {
            acc0 = FloatVector.fromArray(F, a, aOff + c).fma(FloatVector.fromArray(F, b, bOff + c), acc0);
        }
        float s = acc0.add(acc1).reduceLanes(VectorOperators.ADD);
        for (; c < n; c++) {
            s += a[aOff + c] * b[bOff + c];
        }
        return s;
    }

    /** y[yOff..] += a * x[xOff..]. */
    static void axpy(float[] y, int yOff, float a, float[] x, int xOff, int n) {
        int vec = F.loopBound(n);
        FloatVector av = FloatVector.broadcast(F, a);
        for (int c = 0; c < vec; c += LANES) {
            FloatVector.fromArray(F, x, xOff + c).fma(av, FloatVector.fromArray(F, y, yOff + c)).intoArray(y, yOff + c);
        }
        for (int c = vec; c < n; c++) {
            y[yOff + c] += a * x[xOff + c];
        }
    }

    /** x[off..] *= a. */
    static void scale(float[] x, int off, float a, int n) {
        int vec = F.loopBound(n);
        for (int c = 0; c < vec; c += LANES) {
            FloatVector.fromArray(F, x, off + c).mul(a).intoArray(x, off + c);
        }
        for (int c = vec; c < n; c++) {
            x[off + c] *= a;
        }
    }

    /** y[yOff..] += x[xOff..]. */
    static void add(float[] y, int yOff, float[] x, int xOff, int n) {
        int vec = F.loopBound(n);
        for (int c = 0; c < vec; c += LANES) {
            FloatVector.fromArray(F, y, yOff + c).add(FloatVector.fromArray(F, x, xOff + c)).intoArray(y, yOff + c);
        }
        for (int c = vec; c < n; c++) {
            y[yOff + c] += x[xOff + c];
        }
    }

    static float sumSquares(float[] x, int off, int n) {
        return dot(x, off, x, off, n);
    }

    /**
     * Zero-centred RMSNorm (Qwen3_5RMSNorm): {@code dst = x * rsqrt(mean(x^2) + eps) * (1 + w)}. The sum of
     * squares is accumulated in float (vector lanes) then the scale computed in double.
     */
    static void rmsNormZeroCentered(float[] x, int xOff, float[] w, double eps, float[] dst, int dstOff, int n) {
        float inv = (float) (1.0 / Math.sqrt(sumSquares(x, xOff, n) / (double) n + eps));
        int vec = F.loopBound(n);
        for (int c = 0; c < vec; c += LANES) {
            FloatVector wv = FloatVector.fromArray(F, w, c).add(1f);
            FloatVector.fromArray(F, x, xOff + c).mul(inv).mul(wv).intoArray(dst, dstOff + c);
        }
        for (int c = vec; c < n; c++) {
            dst[dstOff + c] = x[xOff + c] * inv * (1f + w[c]);
        }
    }

    private static final float LOG2E = 1.44269504088896341f;
    private static final float LN2_HI = 0.693359375f;
    private static final float LN2_LO = -2.12194440e-4f;
    private static final float ROUND_MAGIC = 12582912f; // 1.5 * 2^23: adding it rounds to an integer

    /**
     * e^x per lane from plain lane-wise operations (Cody-Waite reduction, degree-6 polynomial, about 2 ulp),
     * with x clamped to [-87.3, 88.3]. Not VectorOperators.EXP: that one is computed by a different routine
     * before and after the JIT compiles the caller, so the same input would give different logits in one JVM
     * and seeded sampling would not replay.
     */
    static FloatVector exp(FloatVector x) {
        FloatVector xc = x.max(-87.3f).min(88.3f);
        FloatVector t = xc.mul(LOG2E).add(ROUND_MAGIC);
        FloatVector k = t.sub(ROUND_MAGIC);
        FloatVector r = k.fma(FloatVector.broadcast(F, -LN2_HI), xc);
        r = k.fma(FloatVector.broadcast(F, -LN2_LO), r);
        FloatVector p = FloatVector.broadcast(F, 1f / 720);
        p = p.fma(r, FloatVector.broadcast(F, 1f / 120));
        p = p.fma(r, FloatVector.broadcast(F, 1f / 24));
        p = p.fma(r, FloatVector.broadcast(F, 1f / 6));
        p = p.fma(r, FloatVector.broadcast(F, 0.5f));
        p = p.fma(r, FloatVector.broadcast(F, 1f));
        p = p.fma(r, FloatVector.broadcast(F, 1f));
        IntVector bits = t.reinterpretAsInts().sub(0x4B400000 - 127).lanewise(VectorOperators.LSHL, 23);
        return p.mul(bits.reinterpretAsFloats());
    }

    /** dst = silu(gate) * up, element-wise (SwiGLU). */
    static void swiglu(float[] gate, float[] up, float[] dst, int n) {
        int vec = F.loopBound(n);
        for (int c = 0; c < vec; c += LANES) {
            FloatVector g = FloatVector.fromArray(F, gate, c);
            FloatVector sig = exp(g.neg()).add(1f);
            g.div(sig).mul(FloatVector.fromArray(F, up, c)).intoArray(dst, c);
        }
        for (int c = vec; c < n; c++) {
            float g = gate[c];
            dst[c] = g / (1f + (float) Math.exp(-g)) * up[c];
        }
    }

    /** dst[dstOff + i] = x[i] * scale * sigmoid(gate[gateOff + i]): the attention output gate. */
    static void sigmoidGate(float[] x, float scale, float[] gate, int gateOff, float[] dst, int dstOff, int n) {
        int vec = F.loopBound(n);
        for (int c = 0; c < vec; c += LANES) {
            FloatVector g = FloatVector.fromArray(F, gate, gateOff + c);
            FloatVector sig = exp(g.neg()).add(1f);
            FloatVector.fromArray(F, x, c).mul(scale).div(sig).intoArray(dst, dstOff + c);
        }
        for (int c = vec; c < n; c++) {
            dst[dstOff + c] = x[c] * scale * sigmoid(gate[gateOff + c]);
        }
    }

    static float silu(float v) {
        return v / (1f + (float) Math.exp(-v));
    }

    static float sigmoid(float v) {
        return 1f / (1f + (float) Math.exp(-v));
    }

    /** torch softplus with threshold 20. */
    static double softplus(double v) {
        return v > 20.0 ? v : Math.log1p(Math.exp(v));
    }
}
