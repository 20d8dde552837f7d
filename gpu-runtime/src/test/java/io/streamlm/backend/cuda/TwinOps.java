package io.streamlm.backend.cuda;

import io.streamlm.model.Bf16;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The CPU twin of every kernel: a plain Java port of each .cu entry point with the same arguments and the
 * same f32 math (including where the tensor-core path rounds activations to bf16), on Java arrays standing
 * in for device memory. It runs {@link ForwardPass} without a GPU (checked against the CPU backend and the
 * conformance fixtures) and is the oracle the GPU tests compare each kernel with.
 * (Over 300 lines: one method per kernel, kept together so the port reads beside the .cu files.)
 */
final class TwinOps implements DeviceOps {

    @Override
    public Buf alloc(Buf.Elem elem, long length, String what) {
        int n = Math.toIntExact(Math.max(1, length));
        Object base = switch (elem) {
            case F32 -> new float[n];
            case BF16 -> new short[n];
            case I32 -> new int[n];
            case F64 -> new double[n];
            case U64 -> new long[n];
        };
        return new Buf(base, elem, 0, length);
    }

    @Override
    public void free(Buf buf) {}

    static float[] f(Buf b) {
        return (float[]) b.base();
    }

    static int[] i(Buf b) {
        return (int[]) b.base();
    }

    static int o(Buf b) {
        return (int) b.offset();
    }

    /** Reads element {@code idx} of a weight buffer (bf16 or f32) as f32. */
    static float w(Buf b, long idx) {
        return b.base() instanceof short[] s ? Bf16.toFloat(s[(int) (b.offset() + idx)]) : ((float[]) b.base())[(int) (b.offset() + idx)];
    }

    @Override
    public void upload(Buf dst, float[] src) {
        System.arraycopy(src, 0, f(dst), o(dst), src.length);
    }

    @Override
    public void upload(Buf dst, int[] src) {
        System.arraycopy(src, 0, (int[]) dst.base(), o(dst), src.length);
    }

    @Override
    public void upload(Buf dst, double[] src) {
        System.arraycopy(src, 0, (double[]) dst.base(), o(dst), src.length);
    }

    @Override
    public void upload(Buf dst, long[] src) {
        System.arraycopy(src, 0, (long[]) dst.base(), o(dst), src.length);
    }

    @Override
    public void uploadRaw(Buf dst, ByteBuffer src, long bytes) {
        ByteBuffer b = src.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        b.position(0);
        int n = (int) (bytes / dst.elem().bytes);
        for (int k = 0; k < n; k++) {
            if (dst.elem() == Buf.Elem.BF16) {
                ((short[]) dst.base())[o(dst) + k] = b.getShort(2 * k);
            } else {
                f(dst)[o(dst) + k] = b.getFloat(4 * k);
            }
        }
    }

    @Override
    public float[] downloadF32(Buf src, int length) {
        float[] out = new float[length];
        System.arraycopy(f(src), o(src), out, 0, length);
        return out;
    }

    @Override
    public int[] downloadI32(Buf src, int length) {
        int[] out = new int[length];
        System.arraycopy((int[]) src.base(), o(src), out, 0, length);
        return out;
    }

    @Override
    public void synchronize() {}

    @Override
    public void copy(Buf dst, Buf src, long elems) {
        System.arraycopy(src.base(), o(src), dst.base(), o(dst), (int) elems);
    }

    @Override
    public void zero(Buf dst, long elems) {
        switch (dst.elem()) {
            case F32 -> java.util.Arrays.fill(f(dst), o(dst), o(dst) + (int) elems, 0f);
            case I32 -> java.util.Arrays.fill((int[]) dst.base(), o(dst), o(dst) + (int) elems, 0);
            default -> throw new IllegalArgumentException("zero of " + dst.elem());
        }
    }

    @Override
    public void embeddingGather(Buf out, Buf table, Buf ids, int numTokens, int vocab, int hidden) {
        for (int t = 0; t < numTokens; t++) {
            int id = i(ids)[o(ids) + t];
            for (int c = 0; c < hidden; c++) {
                f(out)[o(out) + t * hidden + c] = id < 0 || id >= vocab ? Float.NaN : w(table, (long) id * hidden + c);
            }
        }
    }

    @Override
    public void gatherRows(Buf out, Buf x, Buf rows, int numRows, int cols) {
        float[] src = f(x).clone(); // out may alias x's allocation
        for (int r = 0; r < numRows; r++) {
            System.arraycopy(src, o(x) + i(rows)[o(rows) + r] * cols, f(out), o(out) + r * cols, cols);
        }
    }

    @Override
    public void rmsnormZc(Buf out, int ldo, Buf x, int ldx, Buf wt, int rows, int cols, float eps) {
        for (int r = 0; r < rows; r++) {
            float ss = 0;
            for (int c = 0; c < cols; c++) {
                float v = f(x)[o(x) + r * ldx + c];
                ss += v * v;
            }
            float inv = (float) (1.0 / Math.sqrt(ss / cols + eps));
            float[] row = new float[cols];
            for (int c = 0; c < cols; c++) {
                row[c] = f(x)[o(x) + r * ldx + c] * inv * (1f + f(wt)[o(wt) + c]);
            }
            System.arraycopy(row, 0, f(out), o(out) + r * ldo, cols);
        }
    }

    @Override
    public void rmsnormGated(Buf out, Buf x, Buf z, int ldz, Buf wt, int numTokens, int numHeads, int headDim, float eps) {
        for (int t = 0; t < numTokens; t++) {
            for (int h = 0; h < numHeads; h++) {
                int xb = o(x) + (t * numHeads + h) * headDim;
                float ss = 0;
                for (int d = 0; d < headDim; d++) {
                    ss += f(x)[xb + d] * f(x)[xb + d];
                }
                float inv = (float) (1.0 / Math.sqrt(ss / headDim + eps));
                for (int d = 0; d < headDim; d++) {
                    float zv = f(z)[o(z) + t * ldz + h * headDim + d];
                    f(out)[o(out) + (t * numHeads + h) * headDim + d] = f(x)[xb + d] * inv * f(wt)[o(wt) + d] * silu(zv);
                }
            }
        }
    }

    static float silu(float v) {
        return (float) (v / (1.0 + Math.exp(-v)));
    }

    static float sigmoid(float v) {
        return (float) (1.0 / (1.0 + Math.exp(-v)));
    }

    @Override
    public void matmul(Buf y, int ldy, Buf x, int ldx, Buf wt, int m, int n, int k, boolean accumulate, Precision p) {
        boolean roundX = MatmulLauncher.kernelFor(wt, m, k, p).equals("matmul_mma_bf16");
        float[] xr = new float[k];
        for (int r = 0; r < m; r++) {
            for (int c = 0; c < k; c++) {
                float v = f(x)[o(x) + r * ldx + c];
                xr[c] = roundX ? Bf16.toFloat(Bf16.fromFloat(v)) : v;
            }
            for (int j = 0; j < n; j++) {
                float acc = 0;
                for (int c = 0; c < k; c++) {
                    acc += xr[c] * w(wt, (long) j * k + c);
                }
                int dst = o(y) + r * ldy + j;
                f(y)[dst] = accumulate ? f(y)[dst] + acc : acc;
            }
        }
    }

    @Override
    public void qkNormRope(Buf qOut, Buf y, int ldy, int kOff, Buf positions, Buf invFreq, Buf qNorm, Buf kNorm,
                           int numTokens, int numHeads, int numKvHeads, int headDim, int rotaryDim, float eps) {
        double[] inv = (double[]) invFreq.base();
        for (int t = 0; t < numTokens; t++) {
            double pos = i(positions)[o(positions) + t];
            for (int h = 0; h < numHeads + numKvHeads; h++) {
                boolean isQ = h < numHeads;
                int src = o(y) + t * ldy + (isQ ? h * 2 * headDim : kOff + (h - numHeads) * headDim);
                float[] dstArr = isQ ? f(qOut) : f(y);
                int dst = isQ ? o(qOut) + (t * numHeads + h) * headDim : src;
                Buf nw = isQ ? qNorm : kNorm;
                float ss = 0;
                for (int d = 0; d < headDim; d++) {
                    ss += f(y)[src + d] * f(y)[src + d];
                }
                float in = (float) (1.0 / Math.sqrt(ss / headDim + eps));
                float[] nrm = new float[headDim];
                for (int d = 0; d < headDim; d++) {
                    nrm[d] = f(y)[src + d] * in * (1f + f(nw)[o(nw) + d]);
                }
                int half = rotaryDim / 2;
                for (int d = 0; d < headDim; d++) {
                    float out = nrm[d];
                    if (d < rotaryDim) {
                        int ii = d < half ? d : d - half;
                        double th = pos * inv[o(invFreq) + ii];
                        float rot = d < half ? -nrm[d + half] : nrm[d - half];
                        out = nrm[d] * (float) Math.cos(th) + rot * (float) Math.sin(th);
                    }
                    dstArr[dst + d] = out;
                }
            }
        }
    }

    private static int kvRow(StepMeta m, int chunk, int p, int blockSize, int numKvHeads, int kvh, int headDim) {
        int blk = m.host(10, m.host(6, chunk) + p / blockSize);
        return ((blk * blockSize + p % blockSize) * numKvHeads + kvh) * headDim;
    }

    @Override
    public void kvCacheWrite(Buf kCache, Buf vCache, Buf k, Buf v, int ldy, StepMeta m, int blockSize, int numKvHeads,
                             int headDim) {
        int kvDim = numKvHeads * headDim;
        for (int t = 0; t < m.numTokens; t++) {
            int base = kvRow(m, m.host(2, t), m.host(1, t), blockSize, numKvHeads, 0, headDim);
            System.arraycopy(f(k), o(k) + t * ldy, f(kCache), o(kCache) + base, kvDim);
            System.arraycopy(f(v), o(v) + t * ldy, f(vCache), o(vCache) + base, kvDim);
        }
    }

    @Override
    public void attentionDecode(Buf o, Buf q, Buf kCache, Buf vCache, StepMeta m, int blockSize, int numHeads,
                                int numKvHeads, int headDim, float scale) {
        for (int t = 0; t < m.numTokens; t++) {
            int chunk = m.host(2, t), last = m.host(1, t);
            for (int h = 0; h < numHeads; h++) {
                int kvh = h / (numHeads / numKvHeads);
                int qb = o(q) + (t * numHeads + h) * headDim;
                float[] sc = new float[last + 1];
                float mx = Float.NEGATIVE_INFINITY;
                for (int s = 0; s <= last; s++) {
                    int row = o(kCache) + kvRow(m, chunk, s, blockSize, numKvHeads, kvh, headDim);
                    float dot = 0;
                    for (int d = 0; d < headDim; d++) {
                        dot += f(q)[qb + d] * f(kCache)[row + d];
                    }
                    sc[s] = dot * scale;
                    mx = Math.max(mx, sc[s]);
                }
                float sum = 0;
                float[] acc = new float[headDim];
                for (int s = 0; s <= last; s++) {
                    float p = (float) Math.exp(sc[s] - mx);
                    sum += p;
                    int row = o(vCache) + kvRow(m, chunk, s, blockSize, numKvHeads, kvh, headDim);
                    for (int d = 0; d < headDim; d++) {
                        acc[d] += p * f(vCache)[row + d];
                    }
                }
                for (int d = 0; d < headDim; d++) {
                    f(o)[o(o) + (t * numHeads + h) * headDim + d] = acc[d] / sum;
                }
            }
        }
    }

    @Override
    public void attentionPrefill(Buf o, Buf q, Buf kCache, Buf vCache, StepMeta m, int blockSize, int numHeads,
                                 int numKvHeads, int headDim, float scale) {
        attentionDecode(o, q, kCache, vCache, m, blockSize, numHeads, numKvHeads, headDim, scale); // same math
    }

    @Override
    public void sigmoidGateMul(Buf o, Buf gate, int ldg, int headStride, int numTokens, int numHeads, int headDim) {
        for (int t = 0; t < numTokens; t++) {
            for (int h = 0; h < numHeads; h++) {
                for (int d = 0; d < headDim; d++) {
                    int idx = o(o) + (t * numHeads + h) * headDim + d;
                    f(o)[idx] *= sigmoid(f(gate)[o(gate) + t * ldg + h * headStride + d]);
                }
            }
        }
    }

    @Override
    public void causalConv1d(Buf out, Buf x, int ldx, Buf wt, Buf state, long slotStride, StepMeta m, int convDim, int k) {
        for (int chunk = 0; chunk < m.numChunks; chunk++) {
            int st = o(state) + (int) (m.host(5, chunk) * slotStride);
            int t0 = m.host(3, chunk), n = m.host(4, chunk);
            for (int c = 0; c < convDim; c++) {
                float[] win = new float[Math.max(0, k - 1)];
                for (int j = 0; j < k - 1; j++) {
                    win[j] = f(state)[st + j * convDim + c];
                }
                for (int t = t0; t < t0 + n; t++) {
                    float xt = f(x)[o(x) + t * ldx + c];
                    float acc = f(wt)[o(wt) + c * k + k - 1] * xt;
                    for (int j = 0; j < k - 1; j++) {
                        acc += f(wt)[o(wt) + c * k + j] * win[j];
                    }
                    f(out)[o(out) + t * convDim + c] = silu(acc);
                    if (k >= 2) {
                        System.arraycopy(win, 1, win, 0, k - 2);
                        win[k - 2] = xt;
                    }
                }
                for (int j = 0; j < k - 1; j++) {
                    f(state)[st + j * convDim + c] = win[j];
                }
            }
        }
    }

    @Override
    public void gdnGates(Buf beta, Buf g, Buf b, Buf a, int ld, Buf aLog, Buf dtBias, int numTokens, int numValueHeads) {
        for (int t = 0; t < numTokens; t++) {
            for (int h = 0; h < numValueHeads; h++) {
                float av = f(a)[o(a) + t * ld + h] + f(dtBias)[o(dtBias) + h];
                float sp = av > 20f ? av : (float) Math.log1p(Math.exp(av));
                f(beta)[o(beta) + t * numValueHeads + h] = sigmoid(f(b)[o(b) + t * ld + h]);
                f(g)[o(g) + t * numValueHeads + h] = (float) -Math.exp(f(aLog)[o(aLog) + h]) * sp;
            }
        }
    }

    @Override
    public void gdnRecurrent(Buf core, Buf conv, Buf beta, Buf g, Buf state, long slotStride, StepMeta m,
                             int numKeyHeads, int numValueHeads, int dk, int dv) {
        int convDim = 2 * numKeyHeads * dk + numValueHeads * dv;
        float[] c = f(conv);
        for (int chunk = 0; chunk < m.numChunks; chunk++) {
            for (int h = 0; h < numValueHeads; h++) {
                int kh = h / (numValueHeads / numKeyHeads);
                int sb = o(state) + (int) (m.host(5, chunk) * slotStride) + h * dk * dv;
                float[] s = f(state);
                for (int t = m.host(3, chunk); t < m.host(3, chunk) + m.host(4, chunk); t++) {
                    int row = o(conv) + t * convDim;
                    float sq = 0, sk = 0;
                    for (int i2 = 0; i2 < dk; i2++) {
                        sq += c[row + kh * dk + i2] * c[row + kh * dk + i2];
                        sk += c[row + numKeyHeads * dk + kh * dk + i2] * c[row + numKeyHeads * dk + kh * dk + i2];
                    }
                    float qn = (float) (1.0 / Math.sqrt(sq + 1e-6f) / Math.sqrt(dk)), kn = (float) (1.0 / Math.sqrt(sk + 1e-6f));
                    float decay = (float) Math.exp(f(g)[o(g) + t * numValueHeads + h]);
                    float bt = f(beta)[o(beta) + t * numValueHeads + h];
                    for (int j = 0; j < dv; j++) {
                        float v = c[row + 2 * numKeyHeads * dk + h * dv + j];
                        float kv = 0;
                        for (int i2 = 0; i2 < dk; i2++) {
                            s[sb + i2 * dv + j] *= decay;
                            kv += s[sb + i2 * dv + j] * c[row + numKeyHeads * dk + kh * dk + i2];
                        }
                        float delta = (v - kv * kn) * bt;
                        float out = 0;
                        for (int i2 = 0; i2 < dk; i2++) {
                            s[sb + i2 * dv + j] += c[row + numKeyHeads * dk + kh * dk + i2] * kn * delta;
                            out += s[sb + i2 * dv + j] * c[row + kh * dk + i2];
                        }
                        f(core)[o(core) + (t * numValueHeads + h) * dv + j] = out * qn;
                    }
                }
            }
        }
    }

    @Override
    public void swiglu(Buf out, Buf gu, int ldgu, int numTokens, int intermediate) {
        for (int t = 0; t < numTokens; t++) {
            for (int j = 0; j < intermediate; j++) {
                f(out)[o(out) + t * intermediate + j] = silu(f(gu)[o(gu) + t * ldgu + j]) * f(gu)[o(gu) + t * ldgu + intermediate + j];
            }
        }
    }

    @Override
    public void stateCopy(Buf pool, long slotElems, Buf src, Buf dst, int numPairs) {
        for (int p = 0; p < numPairs; p++) {
            System.arraycopy(f(pool), o(pool) + (int) (i(src)[o(src) + p] * slotElems), f(pool),
                    o(pool) + (int) (i(dst)[o(dst) + p] * slotElems), (int) slotElems);
        }
    }

    @Override
    public void stateZero(Buf pool, long slotElems, Buf slots, int numSlots) {
        for (int p = 0; p < numSlots; p++) {
            int b = o(pool) + (int) (i(slots)[o(slots) + p] * slotElems);
            java.util.Arrays.fill(f(pool), b, b + (int) slotElems, 0f);
        }
    }

    @Override
    public void initHash(Buf wt, long n, long seed, float scale, float offset) {
        for (long k = 0; k < n; k++) {
            float v = scale * HashInit.uniform(seed, k) + offset;
            if (wt.elem() == Buf.Elem.BF16) {
                ((short[]) wt.base())[o(wt) + (int) k] = Bf16.fromFloat(v);
            } else {
                f(wt)[o(wt) + (int) k] = v;
            }
        }
    }

    @Override
    public void sampleRows(Buf outToken, Buf outLogprob, Buf logits, int numRows, int vocab, SamplingBatch b) {
        SamplingTwin.sample(outToken, outLogprob, logits, numRows, vocab, b);
    }

    @Override
    public void close() {}
}
