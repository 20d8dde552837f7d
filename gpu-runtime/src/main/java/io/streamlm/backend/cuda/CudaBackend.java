package io.streamlm.backend.cuda;

import io.streamlm.backend.Backend;
import io.streamlm.backend.CacheLayout;
import io.streamlm.backend.SeqChunk;
import io.streamlm.model.ModelConfig;
import io.streamlm.model.ModelWeights;
import java.util.List;
import java.util.Map;

/**
 * The model on an NVIDIA GPU through the CUDA driver API and this jar's own kernels; the same contract as
 * the CPU backend ({@link Backend}). Weights are uploaded once; KV blocks and recurrent-state slots live in
 * device memory. Not thread-safe: one engine thread drives it.
 */
public final class CudaBackend implements Backend {
    private final DeviceOps ops;
    private final DeviceModel model;
    private final ForwardPass pass;
    private final Precision precision;
    private final String deviceName;
    private CacheLayout layout;
    private Buf sampleInts;   // SamplingBatch.packed
    private Buf sampleLongs;  // SamplingBatch.seedStep
    private Buf sampleOut;    // [rows] token ids
    private Buf sampleLogp;   // [rows] logprobs

    CudaBackend(DeviceOps ops, DeviceModel model, Precision precision, String deviceName) {
        this.ops = ops;
        this.model = model;
        this.precision = precision;
        this.deviceName = deviceName;
        this.pass = new ForwardPass(ops, model, precision);
    }

    /** Uploads {@code weights} to GPU 0. Throws {@link CudaException} naming the reason when there is no usable GPU. */
    public static CudaBackend create(ModelWeights weights, Precision precision) {
        CudaDevice d = CudaDevice.open();
        CudaOps ops = new CudaOps(d);
        return new CudaBackend(ops, DeviceModel.upload(ops, weights, precision), precision, d.describe());
    }

    /** Loads a Hugging Face checkpoint directory and uploads it to GPU 0. */
    public static CudaBackend load(java.nio.file.Path dir, Precision precision) {
        CudaProbe.reason().ifPresent(r -> {
            throw new CudaException("the CUDA backend cannot run here: " + r);
        });
        return create(io.streamlm.model.ModelLoader.load(dir), precision);
    }

    /** {@code --load-format dummy}: bf16 hash-random weights at {@code config}'s shapes, made on the GPU. */
    public static CudaBackend dummy(ModelConfig config, long seed) {
        CudaDevice d = CudaDevice.open();
        CudaOps ops = new CudaOps(d);
        return new CudaBackend(ops, DeviceModel.dummy(ops, config, seed), Precision.BF16, d.describe());
    }

    @Override
    public ModelConfig config() {
        return model.config;
    }

    @Override
    public String name() {
        return "cuda";
    }

    /** The GPU, e.g. "NVIDIA H200 (sm_90, 132 SMs)". */
    public String deviceName() {
        return deviceName;
    }

    public Precision precision() {
        return precision;
    }

    /** Bytes of weights one decode step reads (the decode floor is this over the copy bandwidth). */
    public long weightBytesPerStep() {
        return model.weightBytesPerStep();
    }

    @Override
    public void allocateCaches(CacheLayout l) {
        ops.bindThread();
        pass.allocateCaches(l);
        layout = l;
    }

    @Override
    public long kvBlockBytes(int blockSize) {
        return pass.kvBlockBytes(blockSize);
    }

    @Override
    public long stateSlotBytes() {
        return pass.stateSlotBytes();
    }

    @Override
    public float[][] forward(List<SeqChunk> chunks) {
        ops.bindThread();
        StepMeta m = plan(chunks);
        Buf logits = pass.run(chunks, m);
        int v = model.config.vocabSize();
        float[] all = m.numLogitRows == 0 ? new float[0] : ops.downloadF32(logits, m.numLogitRows * v);
        float[][] rows = new float[m.numLogitRows][];
        for (int r = 0; r < rows.length; r++) {
            rows[r] = java.util.Arrays.copyOfRange(all, r * v, (r + 1) * v);
        }
        return rows;
    }

    /**
     * A forward step that also samples on the device, so only token ids cross the bus: one {@link SampleRow}
     * per chunk with {@code needLogits}, in chunk order.
     */
    public Sampled[] forwardSample(List<SeqChunk> chunks, List<SampleRow> rows) {
        ops.bindThread();
        StepMeta m = plan(chunks);
        if (rows.size() != m.numLogitRows) {
            throw new IllegalArgumentException(rows.size() + " sampling rows for " + m.numLogitRows + " chunks that need logits");
        }
        Buf logits = pass.run(chunks, m);
        if (rows.isEmpty()) {
            return new Sampled[0];
        }
        SamplingBatch b = new SamplingBatch(rows, model.config.vocabSize());
        ensureSampleBuffers(b);
        ops.upload(sampleInts, b.packed);
        ops.upload(sampleLongs, b.seedStep);
        b.bind(sampleInts, sampleLongs);
        ops.sampleRows(sampleOut, sampleLogp, logits, rows.size(), model.config.vocabSize(), b);
        int[] ids = ops.downloadI32(sampleOut, rows.size());
        float[] lp = ops.downloadF32(sampleLogp, rows.size());
        Sampled[] out = new Sampled[ids.length];
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0) {
                throw new CudaException("row " + i + ": no token could be sampled (logits are NaN)");
            }
            out[i] = new Sampled(ids[i], lp[i]);
        }
        return out;
    }

    private void ensureSampleBuffers(SamplingBatch b) {
        if (sampleInts == null || sampleInts.length() < b.packed.length || sampleOut.length() < b.numRows) {
            freeSampleBuffers();
            sampleInts = ops.alloc(Buf.Elem.I32, Math.max(4096, 2L * b.packed.length), "sampling params");
            sampleLongs = ops.alloc(Buf.Elem.U64, Math.max(1024, 2L * b.seedStep.length), "sampling seeds");
            sampleOut = ops.alloc(Buf.Elem.I32, Math.max(512, b.numRows), "sampled ids");
            sampleLogp = ops.alloc(Buf.Elem.F32, Math.max(512, b.numRows), "sampled logprobs");
        }
    }

    private void freeSampleBuffers() {
        for (Buf b : new Buf[] {sampleInts, sampleLongs, sampleOut, sampleLogp}) {
            if (b != null) {
                ops.free(b);
            }
        }
        sampleInts = sampleLongs = sampleOut = sampleLogp = null;
    }

    private StepMeta plan(List<SeqChunk> chunks) {
        if (layout == null) {
            throw new IllegalStateException("allocateCaches must be called before forward");
        }
        return StepMeta.plan(chunks, layout.blockSize(), layout.numKvBlocks(), layout.numStateSlots());
    }

    @Override
    public void copyState(int srcSlot, int dstSlot) {
        ops.bindThread();
        pass.copyState(srcSlot, dstSlot);
    }

    @Override
    public boolean canCopyKvBlocks() {
        return true;
    }

    @Override
    public void copyKvBlock(int srcBlock, int dstBlock) {
        ops.bindThread();
        pass.copyKvBlock(srcBlock, dstBlock);
    }

    @Override
    public void resetState(int slot) {
        ops.bindThread();
        pass.resetState(slot);
    }

    /**
     * Runs {@code step} with every kernel launch timed (synchronised); returns kernel -> {total ms, launches}.
     * Diagnosis only: the synchronisation makes the step slower than a real one.
     */
    public Map<String, double[]> profile(Runnable step) {
        if (!(ops instanceof CudaOps cuda)) {
            throw new IllegalStateException("profiling needs the GPU");
        }
        cuda.device.startProfile();
        try {
            step.run();
        } finally {
            cuda.synchronize();
        }
        return cuda.device.stopProfile();
    }

    /** Waits until every queued device operation has finished (benchmarks). */
    public void synchronize() {
        ops.bindThread();
        ops.synchronize();
    }

    @Override
    public void close() {
        ops.bindThread();
        freeSampleBuffers();
        pass.close();
        model.close();
        ops.close();
    }
}
