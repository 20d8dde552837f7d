package io.streamlm.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamlm.backend.cpu.SharedFixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;

/** Small hand-made checkpoints (flat Qwen3_5ForCausalLM layout) for loader tests; no python involved. */
final class LoaderFixtures {
    static final ObjectMapper JSON = new ObjectMapper();

    private LoaderFixtures() {}

    /** A 2-layer (linear, full) config with every size different, so a swapped dimension shows. */
    static ObjectNode causalConfig() {
        ObjectNode c = JSON.createObjectNode();
        c.putArray("architectures").add("Qwen3_5ForCausalLM");
        c.put("model_type", "qwen3_5_text");
        c.put("hidden_size", 16);
        c.put("intermediate_size", 24);
        c.put("vocab_size", 40);
        c.put("num_hidden_layers", 2);
        c.put("full_attention_interval", 2);
        c.put("num_attention_heads", 2);
        c.put("num_key_value_heads", 1);
        c.put("head_dim", 12);
        c.put("linear_num_key_heads", 2);
        c.put("linear_num_value_heads", 4);
        c.put("linear_key_head_dim", 4);
        c.put("linear_value_head_dim", 6);
        c.put("linear_conv_kernel_dim", 3);
        c.put("rope_theta", 10000);
        c.put("partial_rotary_factor", 0.5);
        c.put("rms_norm_eps", 1e-6);
        c.put("tie_word_embeddings", false);
        return c;
    }

    static void writeConfig(Path dir, ObjectNode config) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("config.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(config));
    }

    /** Every tensor the config implies, random values of {@code dtype}, named for the config's layout. */
    static SafetensorsWriter tensorsFor(ModelConfig config, DType dtype, long seed) {
        Random rnd = new Random(seed);
        SafetensorsWriter w = new SafetensorsWriter();
        for (Map.Entry<String, long[]> e : ExpectedTensors.of(config).entrySet()) {
            String name = e.getKey().equals(ExpectedTensors.LM_HEAD) ? e.getKey()
                    : config.layout().tensorPrefix() + e.getKey();
            w.random(name, dtype, e.getValue(), rnd);
        }
        return w;
    }

    /** Writes config.json and a matching model.safetensors; returns the writer for further edits. */
    static SafetensorsWriter writeCheckpoint(Path dir, ObjectNode config, DType dtype) throws IOException {
        writeConfig(dir, config);
        SafetensorsWriter w = tensorsFor(ModelConfig.load(dir), dtype, 7);
        w.write(dir.resolve("model.safetensors"));
        return w;
    }

    /** The shared fixtures directory (see {@link SharedFixtures#sharedDir}). */
    static Path sharedDir() {
        return SharedFixtures.sharedDir();
    }
}
