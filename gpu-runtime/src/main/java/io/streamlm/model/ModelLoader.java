package io.streamlm.model;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Resolves the text decoder's weights from a checkpoint: names by layout ({@code model.language_model.} or
 * {@code model.}, plus {@code lm_head.weight}), every shape checked against the config, unexpected decoder
 * tensors rejected, the head tied to the embedding when configured. Vision ({@code model.visual.*}) and MTP
 * ({@code mtp.*}) tensors are skipped here, as Hugging Face's text model skips them; they stay addressable
 * through {@link Checkpoint}.
 *
 * <p>Matrices stay memory-mapped. The one exception is F16: it is widened once into off-heap F32 so the
 * kernels only ever read BF16 or F32 (half the checkpoint's dtypes, and F16 checkpoints of this family are
 * rare). Small vectors (norms, A_log, dt_bias, conv1d) become f32 heap arrays.
 */
public final class ModelLoader {
    private static final List<String> SKIPPED_PREFIXES = List.of("mtp.", "model.visual.");

    private final ModelConfig config;
    private final Checkpoint ckpt;
    private final String prefix;

    private ModelLoader(ModelConfig config, Checkpoint ckpt) {
        this.config = config;
        this.ckpt = ckpt;
        this.prefix = config.layout().tensorPrefix();
    }

    /** Loads {@code config.json} and the safetensors of {@code dir}. */
    public static ModelWeights load(Path dir) {
        return load(ModelConfig.load(dir), Checkpoint.open(dir));
    }

    /** The decoder weights of {@code ckpt} for {@code config}; throws {@link CheckpointException} on any mismatch. */
    public static ModelWeights load(ModelConfig config, Checkpoint ckpt) {
        ModelLoader l = new ModelLoader(config, ckpt);
        l.checkNames();
        List<LayerWeights> layers = new ArrayList<>();
        for (int i = 0; i < config.numLayers(); i++) {
            layers.add(l.layer(i));
        }
        Tensor embedding = l.matrix("embed_tokens.weight");
        Tensor head = config.tieWordEmbeddings() ? embedding : l.matrix(ExpectedTensors.LM_HEAD);
        return new ModelWeights(config, embedding, head, l.vector("norm.weight"), layers);
    }

    /** Every expected tensor present with its shape; no decoder tensor the config does not account for. */
    private void checkNames() {
        Map<String, long[]> expected = ExpectedTensors.of(config);
        for (String name : ckpt.names()) {
            if (SKIPPED_PREFIXES.stream().anyMatch(name::startsWith)) {
                continue;
            }
            if (name.equals(ExpectedTensors.LM_HEAD)) {
                continue; // with a tied config HF ignores a stored head and uses the embedding
            }
            if (!name.startsWith(prefix)) {
                throw new CheckpointException(ckpt.fileOf(name) + ": unexpected tensor " + name + " (the "
                        + config.layout().name().toLowerCase() + " layout of config.json names decoder tensors "
                        + prefix + "*)");
            }
            if (!expected.containsKey(name.substring(prefix.length()))) {
                throw new CheckpointException(ckpt.fileOf(name) + ": unexpected tensor " + name + " (not part of a "
                        + config.numLayers() + "-layer decoder with layer types " + layerTypeNames() + ")");
            }
        }
        for (Map.Entry<String, long[]> e : expected.entrySet()) {
            String name = fullName(e.getKey());
            if (!ckpt.contains(name)) {
                throw new CheckpointException(ckpt.dir() + ": checkpoint has no tensor " + name + " (config.json implies "
                        + "shape " + Arrays.toString(e.getValue()) + ")");
            }
            long[] have = ckpt.shape(name);
            if (!Arrays.equals(have, e.getValue())) {
                throw new CheckpointException(ckpt.fileOf(name) + ": tensor " + name + " has shape "
                        + Arrays.toString(have) + " but config.json implies " + Arrays.toString(e.getValue()));
            }
        }
    }

    private List<String> layerTypeNames() {
        return config.layerTypes().stream().map(LayerType::configName).toList();
    }

    private String fullName(String relative) {
        return relative.equals(ExpectedTensors.LM_HEAD) ? relative : prefix + relative;
    }

    private LayerWeights layer(int i) {
        String p = "layers." + i + ".";
        float[] inputNorm = vector(p + "input_layernorm.weight");
        float[] postNorm = vector(p + "post_attention_layernorm.weight");
        LayerWeights.Mlp mlp = new LayerWeights.Mlp(matrix(p + "mlp.gate_proj.weight"),
                matrix(p + "mlp.up_proj.weight"), matrix(p + "mlp.down_proj.weight"));
        if (config.layerTypes().get(i) == LayerType.LINEAR_ATTENTION) {
            String q = p + "linear_attn.";
            return new LayerWeights.LinearAttention(inputNorm, postNorm, mlp, matrix(q + "in_proj_qkv.weight"),
                    matrix(q + "in_proj_z.weight"), matrix(q + "in_proj_b.weight"), matrix(q + "in_proj_a.weight"),
                    vector(q + "conv1d.weight"), vector(q + "dt_bias"), vector(q + "A_log"), vector(q + "norm.weight"),
                    matrix(q + "out_proj.weight"));
        }
        String q = p + "self_attn.";
        return new LayerWeights.FullAttention(inputNorm, postNorm, mlp, matrix(q + "q_proj.weight"),
                matrix(q + "k_proj.weight"), matrix(q + "v_proj.weight"), matrix(q + "o_proj.weight"),
                vector(q + "q_norm.weight"), vector(q + "k_norm.weight"));
    }

    private Tensor matrix(String relative) {
        Tensor t = ckpt.tensor(fullName(relative));
        return t.dtype() == DType.F16 ? widenF16(t) : t;
    }

    private float[] vector(String relative) {
        return ckpt.tensor(fullName(relative)).toFloatArray();
    }

    /** F16 -> F32 into direct buffers, chunk by chunk of whole rows (never a whole-tensor heap copy). */
    static Tensor widenF16(Tensor t) {
        return widenF16(t, Tensor.MAX_CHUNK_BYTES);
    }

    static Tensor widenF16(Tensor t, long maxChunkBytes) {
        int cols = t.cols();
        long rowBytes = (long) cols * DType.F32.sizeBytes();
        int rowsPerChunk = (int) Math.min(Integer.MAX_VALUE,
                rowBytes == 0 ? Math.max(1, t.rows()) : Math.max(1, maxChunkBytes / rowBytes));
        int numChunks = (int) Math.max(1, (t.rows() + rowsPerChunk - 1) / rowsPerChunk);
        ByteBuffer[] chunks = new ByteBuffer[numChunks]; // [numChunks], rowsPerChunk * cols f32 (last shorter)
        float[] row = new float[cols];
        for (int c = 0; c < numChunks; c++) {
            long first = (long) c * rowsPerChunk;
            int numRows = (int) Math.min(rowsPerChunk, t.rows() - first);
            ByteBuffer b = ByteBuffer.allocateDirect(Math.toIntExact(numRows * rowBytes)).order(ByteOrder.LITTLE_ENDIAN);
            for (int r = 0; r < numRows; r++) {
                t.readRow(first + r, row, 0);
                for (float v : row) {
                    b.putFloat(v);
                }
            }
            b.flip();
            chunks[c] = b;
        }
        return new Tensor(t.name(), DType.F32, t.shape(), chunks, rowsPerChunk);
    }
}
