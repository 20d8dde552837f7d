package io.streamlm.backend.cuda;

import java.nio.ByteBuffer;
import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;

/** {@link DeviceOps} on a GPU: device memory through {@link Driver}, kernels through the family launchers. */
final class CudaOps implements DeviceOps {
    final CudaDevice device;
    private final EmbeddingLauncher embedding;
    private final RmsNormLauncher rmsnorm;
    private final MatmulLauncher matmul;
    private final RopeLauncher rope;
    private final AttentionLauncher attention;
    private final GateLauncher gate;
    private final Conv1dLauncher conv1d;
    private final DeltaRuleLauncher deltaRule;
    private final SwigluLauncher swiglu;
    private final StateLauncher state;
    private final InitLauncher init;
    private final SamplingLauncher sampling;

    CudaOps(CudaDevice device) {
        this.device = device;
        boundThread = Thread.currentThread(); // CudaDevice.open made the context current here
        embedding = new EmbeddingLauncher(device);
        rmsnorm = new RmsNormLauncher(device);
        matmul = new MatmulLauncher(device);
        rope = new RopeLauncher(device);
        attention = new AttentionLauncher(device);
        gate = new GateLauncher(device);
        conv1d = new Conv1dLauncher(device);
        deltaRule = new DeltaRuleLauncher(device);
        swiglu = new SwigluLauncher(device);
        state = new StateLauncher(device);
        init = new InitLauncher(device);
        sampling = new SamplingLauncher(device);
    }

    private volatile Thread boundThread; // the thread the context was last made current on

    @Override
    public void bindThread() {
        Thread t = Thread.currentThread();
        if (t != boundThread) {
            device.makeCurrent();
            boundThread = t;
        }
    }

    @Override
    public Buf alloc(Buf.Elem elem, long length, String what) {
        return new Buf(Driver.alloc(length * elem.bytes, what), elem, 0, length);
    }

    @Override
    public void free(Buf buf) {
        if (buf.offset() != 0) {
            throw new IllegalArgumentException("free a whole allocation, not a view");
        }
        Driver.free((CUdeviceptr) buf.base());
    }

    private void checkFits(Buf dst, long n) {
        if (n > dst.length()) {
            throw new IllegalArgumentException(n + " elements do not fit a " + dst.length() + "-element buffer");
        }
    }

    // Host arrays are copied synchronously: the Java array may move or die once the call returns.
    @Override
    public void upload(Buf dst, float[] src) {
        checkFits(dst, src.length);
        Driver.copyHtoD(KernelArgs.ptr(dst), Pointer.to(src), 4L * src.length, device.stream);
        synchronize();
    }

    @Override
    public void upload(Buf dst, int[] src) {
        checkFits(dst, src.length);
        Driver.copyHtoD(KernelArgs.ptr(dst), Pointer.to(src), 4L * src.length, device.stream);
        synchronize();
    }

    @Override
    public void upload(Buf dst, double[] src) {
        checkFits(dst, src.length);
        Driver.copyHtoD(KernelArgs.ptr(dst), Pointer.to(src), 8L * src.length, device.stream);
        synchronize();
    }

    @Override
    public void upload(Buf dst, long[] src) {
        checkFits(dst, src.length);
        Driver.copyHtoD(KernelArgs.ptr(dst), Pointer.to(src), 8L * src.length, device.stream);
        synchronize();
    }

    @Override
    public void uploadRaw(Buf dst, ByteBuffer src, long bytes) {
        if (bytes > dst.bytes()) {
            throw new IllegalArgumentException(bytes + " bytes do not fit a " + dst.bytes() + "-byte buffer");
        }
        Driver.copyHtoD(KernelArgs.ptr(dst), Pointer.to(src.duplicate().position(0)), bytes, device.stream);
        synchronize();
    }

    @Override
    public float[] downloadF32(Buf src, int length) {
        float[] out = new float[length];
        Driver.copyDtoH(Pointer.to(out), KernelArgs.ptr(src), 4L * length, device.stream);
        synchronize();
        return out;
    }

    @Override
    public int[] downloadI32(Buf src, int length) {
        int[] out = new int[length];
        Driver.copyDtoH(Pointer.to(out), KernelArgs.ptr(src), 4L * length, device.stream);
        synchronize();
        return out;
    }

    @Override
    public void synchronize() {
        Driver.synchronize(device.stream);
    }

    @Override
    public void copy(Buf dst, Buf src, long elems) {
        Driver.copyDtoD(KernelArgs.ptr(dst), KernelArgs.ptr(src), elems * src.elem().bytes, device.stream);
    }

    @Override
    public void zero(Buf dst, long elems) {
        long bytes = elems * dst.elem().bytes;
        if (bytes % 4 != 0) {
            throw new IllegalArgumentException("zero() needs a multiple of 4 bytes, got " + bytes);
        }
        Driver.fill32(KernelArgs.ptr(dst), 0, bytes / 4, device.stream);
    }

    @Override
    public void embeddingGather(Buf out, Buf table, Buf ids, int numTokens, int vocab, int hidden) {
        embedding.gather(out, table, ids, numTokens, vocab, hidden);
    }

    @Override
    public void gatherRows(Buf out, Buf x, Buf rows, int numRows, int cols) {
        embedding.gatherRows(out, x, rows, numRows, cols);
    }

    @Override
    public void rmsnormZc(Buf out, int ldo, Buf x, int ldx, Buf w, int rows, int cols, float eps) {
        rmsnorm.zeroCentred(out, ldo, x, ldx, w, rows, cols, eps);
    }

    @Override
    public void rmsnormGated(Buf out, Buf x, Buf z, int ldz, Buf w, int numTokens, int numHeads, int headDim, float eps) {
        rmsnorm.gated(out, x, z, ldz, w, numTokens, numHeads, headDim, eps);
    }

    @Override
    public void matmul(Buf y, int ldy, Buf x, int ldx, Buf w, int m, int n, int k, boolean accumulate, Precision p) {
        int splits = MatmulLauncher.splitK(MatmulLauncher.kernelFor(w, m, k, p), m, n, k, ldy, device.numSms);
        if (splits > 1 && !accumulate) {
            zero(y, (long) m * n); // split-K partial sums are added atomically into a zeroed output
        }
        matmul.run(y, ldy, x, ldx, w, m, n, k, accumulate, p, splits);
    }

    @Override
    public void qkNormRope(Buf qOut, Buf y, int ldy, int kOff, Buf positions, Buf invFreq, Buf qNorm, Buf kNorm,
                           int numTokens, int numHeads, int numKvHeads, int headDim, int rotaryDim, float eps) {
        rope.qkNormRope(qOut, y, ldy, kOff, positions, invFreq, qNorm, kNorm, numTokens, numHeads, numKvHeads, headDim,
                rotaryDim, eps);
    }

    @Override
    public void kvCacheWrite(Buf kCache, Buf vCache, Buf k, Buf v, int ldy, StepMeta meta, int blockSize,
                             int numKvHeads, int headDim) {
        attention.write(kCache, vCache, k, v, ldy, meta, blockSize, numKvHeads, headDim);
    }

    @Override
    public void attentionDecode(Buf o, Buf q, Buf kCache, Buf vCache, StepMeta meta, int blockSize, int numHeads,
                                int numKvHeads, int headDim, float scale) {
        attention.decode(o, q, kCache, vCache, meta, blockSize, numHeads, numKvHeads, headDim, scale);
    }

    @Override
    public void attentionPrefill(Buf o, Buf q, Buf kCache, Buf vCache, StepMeta meta, int blockSize, int numHeads,
                                 int numKvHeads, int headDim, float scale) {
        attention.prefill(o, q, kCache, vCache, meta, blockSize, numHeads, numKvHeads, headDim, scale);
    }

    @Override
    public void sigmoidGateMul(Buf o, Buf g, int ldg, int headStride, int numTokens, int numHeads, int headDim) {
        gate.sigmoidMul(o, g, ldg, headStride, numTokens, numHeads, headDim);
    }

    @Override
    public void causalConv1d(Buf out, Buf x, int ldx, Buf w, Buf st, long slotStride, StepMeta meta, int convDim, int k) {
        conv1d.run(out, x, ldx, w, st, slotStride, meta, convDim, k);
    }

    @Override
    public void gdnGates(Buf beta, Buf g, Buf b, Buf a, int ld, Buf aLog, Buf dtBias, int numTokens, int numValueHeads) {
        deltaRule.gates(beta, g, b, a, ld, aLog, dtBias, numTokens, numValueHeads);
    }

    @Override
    public void gdnRecurrent(Buf core, Buf conv, Buf beta, Buf g, Buf st, long slotStride, StepMeta meta,
                             int numKeyHeads, int numValueHeads, int dk, int dv) {
        deltaRule.recurrent(core, conv, beta, g, st, slotStride, meta, numKeyHeads, numValueHeads, dk, dv);
    }

    @Override
    public void swiglu(Buf out, Buf gu, int ldgu, int numTokens, int intermediate) {
        swiglu.run(out, gu, ldgu, numTokens, intermediate);
    }

    @Override
    public void stateCopy(Buf pool, long slotElems, Buf src, Buf dst, int numPairs) {
        state.copy(pool, slotElems, src, dst, numPairs);
    }

    @Override
    public void stateZero(Buf pool, long slotElems, Buf slots, int numSlots) {
        state.zero(pool, slotElems, slots, numSlots);
    }

    @Override
    public void initHash(Buf w, long n, long seed, float scale, float offset) {
        init.fill(w, n, seed, scale, offset);
    }

    @Override
    public void sampleRows(Buf outToken, Buf outLogprob, Buf logits, int numRows, int vocab, SamplingBatch batch) {
        sampling.sample(outToken, outLogprob, logits, numRows, vocab, batch);
    }

    @Override
    public void close() {
        synchronize();
    }
}
