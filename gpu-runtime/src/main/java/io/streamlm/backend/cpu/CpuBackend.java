package io.streamlm.backend.cpu;

import io.streamlm.backend.Backend;
import io.streamlm.backend.CacheLayout;
import io.streamlm.backend.SeqChunk;
import io.streamlm.model.LayerType;
import io.streamlm.model.LayerWeights;
import io.streamlm.model.ModelConfig;
import io.streamlm.model.ModelLoader;
import io.streamlm.model.ModelWeights;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The CPU backend: the Qwen3.5 / Qwen3.6 hybrid decoder in f32 on BF16/F32 weights read in place, with
 * Vector API kernels spread over a persistent worker pool. One {@link #forward} is one batched pass over
 * every chunk's tokens, so each weight is read once per step.
 */
public final class CpuBackend implements Backend {
    private final ModelConfig config;
    private final WorkerPool pool;
    private final CpuModel model;
    private final StepBuffers step;
    private CacheMemory cache;
    private long packedBytes;
    private int[] logitRows = new int[0];

    private CpuBackend(ModelWeights weights, int numThreads) {
        this.config = weights.config();
        checkShapes(weights);
        this.pool = new WorkerPool(numThreads);
        this.model = new CpuModel(weights, pool);
        this.step = new StepBuffers(config);
    }

    /** A backend over {@code weights} computing with {@code numThreads} threads (the caller's included). */
    public static CpuBackend create(ModelWeights weights, int numThreads) {
        return new CpuBackend(weights, numThreads);
    }

    /** {@code create(ModelLoader.load(dir), numThreads)}: the checkpoint's tensors stay memory-mapped. */
    public static CpuBackend load(Path dir, int numThreads) {
        return create(ModelLoader.load(dir), numThreads);
    }

    @Override
    public ModelConfig config() {
        return config;
    }

    @Override
    public String name() {
        return "cpu";
    }

    public int numThreads() {
        return pool.numThreads();
    }

    /** Bytes of weights a decode step reads (every layer matrix and the head): the bandwidth floor's numerator. */
    public long weightBytes() {
        return model.weightBytes();
    }

    /** Bytes of BF16 weights repacked onto the heap for the batched kernels (0 before the caches exist). */
    public long packedWeightBytes() {
        return packedBytes;
    }

    @Override
    public void allocateCaches(CacheLayout layout) {
        cache = null; // drop the old pools before allocating the new ones
        cache = new CacheMemory(config, layout);
        packedBytes = model.packWeights(); // once; after the caches so that they always get their heap first
    }

    @Override
    public long kvBlockBytes(int blockSize) {
        return CacheMemory.kvBlockBytes(config, blockSize);
    }

    /** {@link #kvBlockBytes} of a model before any backend exists (to size a job's caches). */
    public static long kvBlockBytesFor(ModelConfig config, int blockSize) {
        return CacheMemory.kvBlockBytes(config, blockSize);
    }

    /** {@link #stateSlotBytes} of a model before any backend exists. */
    public static long stateSlotBytesFor(ModelConfig config) {
        return CacheMemory.stateSlotBytes(config);
    }

    @Override
    public long stateSlotBytes() {
        return CacheMemory.stateSlotBytes(config);
    }

    @Override
    public float[][] forward(List<SeqChunk> chunks) {
        CacheMemory mem = requireCaches();
        if (chunks.isEmpty()) {
            return new float[0][];
        }
        if (logitRows.length < chunks.size()) {
            logitRows = new int[chunks.size()];
        }
        int numLogits = 0;
        int row = 0;
        for (int i = 0; i < chunks.size(); i++) {
            SeqChunk ch = chunks.get(i);
            validate(i, ch, mem);
            row += ch.numTokens();
            if (ch.needLogits()) {
                logitRows[numLogits++] = row - 1;
            }
        }
        step.load(chunks);
        return model.forward(step, mem, logitRows, numLogits);
    }

    private void validate(int i, SeqChunk ch, CacheMemory mem) {
        for (int tok : ch.tokens()) {
            if (tok < 0 || tok >= config.vocabSize()) {
                throw new IllegalArgumentException("chunk " + i + ": token id " + tok + " outside the vocabulary [0, "
                        + config.vocabSize() + ")");
            }
        }
        mem.checkSlot(ch.stateSlot());
        if (config.numFullAttentionLayers() > 0) {
            int lastPos = ch.startPos() + ch.numTokens() - 1;
            int needBlocks = lastPos / mem.blockSize + 1;
            if (ch.blockTable().length < needBlocks) {
                throw new IllegalArgumentException("chunk " + i + ": block table has " + ch.blockTable().length
                        + " blocks but position " + lastPos + " needs " + needBlocks + " of size " + mem.blockSize);
            }
            for (int b = 0; b < needBlocks; b++) {
                mem.checkBlock(ch.blockTable()[b]);
            }
        }
    }

    @Override
    public void copyState(int srcSlot, int dstSlot) {
        requireCaches().copyState(srcSlot, dstSlot);
    }

    @Override
    public boolean canCopyKvBlocks() {
        return true;
    }

    @Override
    public void copyKvBlock(int srcBlock, int dstBlock) {
        requireCaches().copyKvBlock(srcBlock, dstBlock);
    }

    @Override
    public void resetState(int slot) {
        requireCaches().resetState(slot);
    }

    /** Wall nanoseconds per operation summed since the last {@link #resetProfile}, for benchmarks. */
    public Map<String, Long> profileNanos() {
        Map<String, Long> out = new java.util.LinkedHashMap<>();
        model.timer.snapshot().forEach((op, ns) -> out.put(op.name().toLowerCase(java.util.Locale.ROOT), ns));
        return out;
    }

    public void resetProfile() {
        model.timer.reset();
    }

    @Override
    public void close() {
        pool.close();
    }

    private CacheMemory requireCaches() {
        if (cache == null) {
            throw new IllegalStateException("allocateCaches must be called before forward/copyState/resetState");
        }
        return cache;
    }

    private static void checkShapes(ModelWeights w) {
        ModelConfig c = w.config();
        if (c.numAttentionHeads() % c.numKeyValueHeads() != 0) {
            throw new IllegalArgumentException("num_attention_heads " + c.numAttentionHeads()
                    + " is not a multiple of num_key_value_heads " + c.numKeyValueHeads());
        }
        if (c.linearNumValueHeads() % c.linearNumKeyHeads() != 0) {
            throw new IllegalArgumentException("linear_num_value_heads " + c.linearNumValueHeads()
                    + " is not a multiple of linear_num_key_heads " + c.linearNumKeyHeads());
        }
        if (c.rotaryDim() % 2 != 0 || c.rotaryDim() > c.headDim()) {
            throw new IllegalArgumentException("rotary dim " + c.rotaryDim() + " must be even and <= head_dim "
                    + c.headDim());
        }
        for (int l = 0; l < c.numLayers(); l++) {
            LayerWeights lw = w.layers().get(l);
            boolean linear = lw instanceof LayerWeights.LinearAttention;
            if (linear != (c.layerTypes().get(l) == LayerType.LINEAR_ATTENTION)) {
                throw new IllegalArgumentException("layer " + l + " weights are " + (linear ? "linear" : "full")
                        + " attention but the config says " + c.layerTypes().get(l).configName());
            }
        }
    }
}
