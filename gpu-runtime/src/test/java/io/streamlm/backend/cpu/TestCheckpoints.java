package io.streamlm.backend.cpu;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamlm.model.CheckpointLayout;
import io.streamlm.model.DType;
import io.streamlm.model.LayerType;
import io.streamlm.model.LayerWeights;
import io.streamlm.model.ModelConfig;
import io.streamlm.model.ModelWeights;
import io.streamlm.model.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A minimal single-file safetensors reader for this package's tests and perf runs, so the forward pass can be
 * checked against the conformance golden files on its own. The project's loader (io.streamlm.model.ModelLoader,
 * owned by the runtime work) is the real one; this handles only what the fixtures use.
 */
final class TestCheckpoints {
    private TestCheckpoints() {}

    static Path sharedDir() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.isDirectory(p.resolve(".ci"))) {
            p = p.getParent();
        }
        if (p == null) {
            throw new IllegalStateException("no .ci directory above " + Path.of("").toAbsolutePath());
        }
        return p.getParent().resolve("shared");
    }

    static ModelWeights load(Path dir) throws IOException {
        ObjectMapper om = new ObjectMapper();
        JsonNode root = om.readTree(dir.resolve("config.json").toFile());
        boolean nested = root.has("text_config");
        JsonNode tc = nested ? root.get("text_config") : root;
        ModelConfig c = config(root, tc, nested);
        Map<String, Tensor> t = tensors(dir.resolve("model.safetensors"), om);
        String pre = c.layout().tensorPrefix();
        List<LayerWeights> layers = new ArrayList<>();
        for (int l = 0; l < c.numLayers(); l++) {
            String p = pre + "layers." + l + ".";
            LayerWeights.Mlp mlp = new LayerWeights.Mlp(t.get(p + "mlp.gate_proj.weight"), t.get(p + "mlp.up_proj.weight"),
                    t.get(p + "mlp.down_proj.weight"));
            float[] in = t.get(p + "input_layernorm.weight").toFloatArray();
            float[] post = t.get(p + "post_attention_layernorm.weight").toFloatArray();
            if (c.layerTypes().get(l) == LayerType.LINEAR_ATTENTION) {
                String q = p + "linear_attn.";
                layers.add(new LayerWeights.LinearAttention(in, post, mlp, t.get(q + "in_proj_qkv.weight"),
                        t.get(q + "in_proj_z.weight"), t.get(q + "in_proj_b.weight"), t.get(q + "in_proj_a.weight"),
                        t.get(q + "conv1d.weight").toFloatArray(), t.get(q + "dt_bias").toFloatArray(),
                        t.get(q + "A_log").toFloatArray(), t.get(q + "norm.weight").toFloatArray(),
                        t.get(q + "out_proj.weight")));
            } else {
                String q = p + "self_attn.";
                layers.add(new LayerWeights.FullAttention(in, post, mlp, t.get(q + "q_proj.weight"),
                        t.get(q + "k_proj.weight"), t.get(q + "v_proj.weight"), t.get(q + "o_proj.weight"),
                        t.get(q + "q_norm.weight").toFloatArray(), t.get(q + "k_norm.weight").toFloatArray()));
            }
        }
        Tensor emb = t.get(pre + "embed_tokens.weight");
        Tensor head = c.tieWordEmbeddings() ? emb : t.get("lm_head.weight");
        return new ModelWeights(c, emb, head, t.get(pre + "norm.weight").toFloatArray(), layers);
    }

    private static ModelConfig config(JsonNode root, JsonNode tc, boolean nested) {
        List<LayerType> types = new ArrayList<>();
        for (JsonNode n : tc.get("layer_types")) {
            types.add(n.asText().equals("full_attention") ? LayerType.FULL_ATTENTION : LayerType.LINEAR_ATTENTION);
        }
        JsonNode rp = tc.get("rope_parameters");
        int headDim = tc.get("head_dim").asInt();
        double prf = rp.get("partial_rotary_factor").asDouble();
        boolean tie = root.path("tie_word_embeddings").asBoolean(tc.path("tie_word_embeddings").asBoolean(false));
        return new ModelConfig(nested ? CheckpointLayout.CONDITIONAL : CheckpointLayout.CAUSAL,
                tc.get("hidden_size").asInt(), tc.get("intermediate_size").asInt(), tc.get("vocab_size").asInt(), types,
                tc.get("num_attention_heads").asInt(), tc.get("num_key_value_heads").asInt(), headDim,
                (int) (headDim * prf), rp.get("rope_theta").asDouble(), tc.get("rms_norm_eps").asDouble(),
                tc.get("linear_num_key_heads").asInt(), tc.get("linear_num_value_heads").asInt(),
                tc.get("linear_key_head_dim").asInt(), tc.get("linear_value_head_dim").asInt(),
                tc.get("linear_conv_kernel_dim").asInt(), tie, tc.get("max_position_embeddings").asInt());
    }

    private static Map<String, Tensor> tensors(Path file, ObjectMapper om) throws IOException {
        Map<String, Tensor> out = new HashMap<>();
        try (FileChannel ch = FileChannel.open(file)) {
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            ch.read(lenBuf, 0);
            long headerLen = lenBuf.getLong(0);
            ByteBuffer hb = ByteBuffer.allocate((int) headerLen);
            ch.read(hb, 8);
            JsonNode header = om.readTree(new String(hb.array(), StandardCharsets.UTF_8));
            long base = 8 + headerLen;
            var it = header.fields();
            while (it.hasNext()) {
                var e = it.next();
                if (e.getKey().equals("__metadata__")) {
                    continue;
                }
                JsonNode info = e.getValue();
                DType dtype = DType.fromSafetensors(info.get("dtype").asText()).orElseThrow();
                long[] shape = new long[info.get("shape").size()];
                for (int i = 0; i < shape.length; i++) {
                    shape[i] = info.get("shape").get(i).asLong();
                }
                long begin = info.get("data_offsets").get(0).asLong();
                long end = info.get("data_offsets").get(1).asLong();
                MappedByteBuffer mb = ch.map(FileChannel.MapMode.READ_ONLY, base + begin, Math.max(1, end - begin));
                int cols = shape.length == 0 ? 1 : (int) shape[shape.length - 1];
                int rpc = Tensor.rowsPerChunk((long) cols * dtype.sizeBytes());
                out.put(e.getKey(), new Tensor(e.getKey(), dtype, shape, new ByteBuffer[] {mb}, rpc));
            }
        }
        return out;
    }
}
