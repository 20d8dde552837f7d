package io.streamlm.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamlm.backend.SeqChunk;
import io.streamlm.model.Bf16;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;

/**
 * Runs one kernel call on the GPU and on its CPU twin with identical inputs and compares the outputs.
 * Inputs are float[] (f32), short[] (bf16 bits), int[] (i32) or double[] (f64); every GPU buffer is
 * poisoned with NaN before its data goes in and outputs start as NaN unless given, so a kernel that skips
 * an element cannot pass (NaN never compares within tolerance).
 */
final class Both implements AutoCloseable {
    interface Call {
        void run(DeviceOps ops, Buf[] b, StepMeta meta);
    }

    final DeviceOps gpu;
    final String gpuName;
    final TwinOps twin = new TwinOps();

    /** The GPU against the twin. */
    Both() {
        CudaOps ops = new CudaOps(CudaDevice.open());
        gpu = ops;
        gpuName = ops.device.describe();
    }

    /** Another implementation in the GPU's seat (a twin: checks the checks themselves without a GPU). */
    Both(DeviceOps stand) {
        gpu = stand;
        gpuName = "stand-in " + stand.getClass().getSimpleName();
    }

    /** Runs {@code call} on both sides; returns [gpu, twin] contents of the buffers {@code outs}. */
    float[][][] run(Call call, List<SeqChunk> chunks, int[] outs, Object... inputs) {
        float[][][] res = new float[2][][];
        int side = 0;
        for (DeviceOps ops : new DeviceOps[] {gpu, twin}) {
            Buf[] b = new Buf[inputs.length];
            for (int i = 0; i < inputs.length; i++) {
                b[i] = put(ops, inputs[i]);
            }
            StepMeta meta = null;
            Buf metaBuf = null;
            if (chunks != null) {
                meta = StepMeta.plan(chunks, 4, 1 << 20, 1 << 20);
                metaBuf = ops.alloc(Buf.Elem.I32, meta.packed.length, "meta");
                ops.upload(metaBuf, meta.packed);
                meta.bind(metaBuf);
            }
            call.run(ops, b, meta);
            ops.synchronize();
            res[side] = new float[outs.length][];
            for (int o = 0; o < outs.length; o++) {
                Buf ob = b[outs[o]];
                if (ob.elem() == Buf.Elem.I32) {
                    int[] iv = ops.downloadI32(ob, (int) ob.length());
                    res[side][o] = new float[iv.length];
                    for (int k = 0; k < iv.length; k++) {
                        res[side][o][k] = iv[k];
                    }
                } else {
                    res[side][o] = ops.downloadF32(ob, (int) ob.length());
                }
            }
            for (Buf x : b) {
                ops.free(x);
            }
            if (metaBuf != null) {
                ops.free(metaBuf);
            }
            side++;
        }
        return res;
    }

    private static Buf put(DeviceOps ops, Object data) {
        if (data instanceof float[] f) {
            Buf b = ops.alloc(Buf.Elem.F32, f.length, "f32 input");
            float[] nan = new float[f.length];
            Arrays.fill(nan, Float.NaN);
            ops.upload(b, nan);
            ops.upload(b, f);
            return b;
        }
        if (data instanceof short[] s) {
            Buf b = ops.alloc(Buf.Elem.BF16, s.length, "bf16 input");
            ByteBuffer bb = ByteBuffer.allocateDirect(2 * s.length).order(ByteOrder.LITTLE_ENDIAN);
            for (short v : s) {
                bb.putShort(v);
            }
            ops.uploadRaw(b, bb, 2L * s.length);
            return b;
        }
        if (data instanceof int[] i) {
            Buf b = ops.alloc(Buf.Elem.I32, i.length, "i32 input");
            ops.upload(b, i);
            return b;
        }
        if (data instanceof double[] d) {
            Buf b = ops.alloc(Buf.Elem.F64, d.length, "f64 input");
            ops.upload(b, d);
            return b;
        }
        throw new IllegalArgumentException("input type " + data.getClass());
    }

    /** Relative max error of gpu vs twin; infinite when either holds a NaN. */
    static double relError(float[] gpu, float[] twin) {
        double num = 0, den = 1e-30;
        for (int i = 0; i < gpu.length; i++) {
            if (Float.isNaN(gpu[i]) || Float.isNaN(twin[i])) {
                return Double.POSITIVE_INFINITY;
            }
            num = Math.max(num, Math.abs(gpu[i] - twin[i]));
            den = Math.max(den, Math.abs(twin[i]));
        }
        return num / den;
    }

    static void assertClose(String what, float[][][] r, double tol) {
        for (int o = 0; o < r[0].length; o++) {
            double e = relError(r[0][o], r[1][o]);
            System.out.printf("gpu kernel %-28s output %d: relative error %.3g (bound %.1g)%n", what, o, e, tol);
            assertTrue(e <= tol, what + " output " + o + ": relative error " + e + " > " + tol);
        }
    }

    static float[] randn(int n, long seed, double scale) {
        java.util.Random r = new java.util.Random(seed);
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = (float) (r.nextGaussian() * scale);
        }
        return out;
    }

    static short[] bf16(float[] v) {
        short[] s = new short[v.length];
        for (int i = 0; i < v.length; i++) {
            s[i] = Bf16.fromFloat(v[i]);
        }
        return s;
    }

    static float[] nan(int n) {
        float[] f = new float[n];
        Arrays.fill(f, Float.NaN);
        return f;
    }

    @Override
    public void close() {
        gpu.close();
    }
}
