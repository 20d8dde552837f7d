package io.streamlm.model;

import static io.streamlm.model.LayerType.FULL_ATTENTION;
import static io.streamlm.model.LayerType.LINEAR_ATTENTION;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelConfigTest {
    @TempDir
    Path dir;

    @Test
    void tinyANestedLayout() {
        ModelConfig c = ModelConfig.load(LoaderFixtures.sharedDir().resolve("conformance/tiny-a"));
        assertEquals(CheckpointLayout.CONDITIONAL, c.layout());
        assertEquals(64, c.hiddenSize());
        assertEquals(128, c.intermediateSize());
        assertEquals(512, c.vocabSize());
        assertEquals(List.of(LINEAR_ATTENTION, LINEAR_ATTENTION, LINEAR_ATTENTION, FULL_ATTENTION), c.layerTypes());
        assertEquals(4, c.numAttentionHeads());
        assertEquals(2, c.numKeyValueHeads());
        assertEquals(32, c.headDim());
        assertEquals(8, c.rotaryDim());
        assertEquals(1e7, c.ropeTheta());
        assertEquals(1e-6, c.rmsNormEps());
        assertEquals(4, c.linearNumKeyHeads());
        assertEquals(4, c.linearNumValueHeads());
        assertEquals(16, c.linearKeyHeadDim());
        assertEquals(16, c.linearValueHeadDim());
        assertEquals(4, c.linearConvKernelDim());
        assertFalse(c.tieWordEmbeddings());
        assertEquals(262144, c.maxPositionEmbeddings());
    }

    @Test
    void flatLayoutWithFlatRopeKeys() throws IOException {
        ModelConfig c = load(LoaderFixtures.causalConfig());
        assertEquals(CheckpointLayout.CAUSAL, c.layout());
        assertEquals(List.of(LINEAR_ATTENTION, FULL_ATTENTION), c.layerTypes());
        assertEquals(6, c.rotaryDim()); // int(12 * 0.5)
        assertEquals(10000.0, c.ropeTheta());
        assertEquals(3, c.linearConvKernelDim());
        assertEquals(32768, c.maxPositionEmbeddings());
    }

    @Test
    void defaultsFollowHuggingFace() throws IOException {
        ObjectNode cfg = LoaderFixtures.causalConfig();
        cfg.remove(List.of("head_dim", "partial_rotary_factor", "linear_num_key_heads", "linear_num_value_heads",
                "linear_key_head_dim", "linear_value_head_dim", "linear_conv_kernel_dim", "rms_norm_eps",
                "full_attention_interval", "tie_word_embeddings"));
        cfg.put("num_hidden_layers", 8);
        ModelConfig c = load(cfg);
        assertEquals(8, c.headDim()); // hidden 16 / 2 heads
        assertEquals(2, c.rotaryDim()); // int(8 * 0.25)
        assertEquals(16, c.linearNumKeyHeads());
        assertEquals(32, c.linearNumValueHeads());
        assertEquals(128, c.linearKeyHeadDim());
        assertEquals(128, c.linearValueHeadDim());
        assertEquals(4, c.linearConvKernelDim());
        assertEquals(1e-6, c.rmsNormEps());
        assertFalse(c.tieWordEmbeddings());
        // interval 4: every 4th layer is full attention
        assertEquals(List.of(LINEAR_ATTENTION, LINEAR_ATTENTION, LINEAR_ATTENTION, FULL_ATTENTION,
                LINEAR_ATTENTION, LINEAR_ATTENTION, LINEAR_ATTENTION, FULL_ATTENTION), c.layerTypes());
    }

    @Test
    void layerTypesWinOverInterval() throws IOException {
        ObjectNode cfg = LoaderFixtures.causalConfig();
        cfg.putArray("layer_types").add("full_attention").add("linear_attention");
        assertEquals(List.of(FULL_ATTENTION, LINEAR_ATTENTION), load(cfg).layerTypes());
    }

    @Test
    void ropeParametersWinOverRopeScalingAndFlatKeys() throws IOException {
        ObjectNode cfg = LoaderFixtures.causalConfig();
        cfg.putObject("rope_scaling").put("rope_type", "default").put("rope_theta", 5).put("partial_rotary_factor", 1.0);
        ModelConfig viaScaling = load(cfg);
        assertEquals(5.0, viaScaling.ropeTheta());
        assertEquals(12, viaScaling.rotaryDim());
        cfg.putObject("rope_parameters").put("rope_type", "default").put("rope_theta", 1000000)
                .put("partial_rotary_factor", 0.5);
        ModelConfig viaParams = load(cfg);
        assertEquals(1e6, viaParams.ropeTheta());
        assertEquals(6, viaParams.rotaryDim());
    }

    @Test
    void tieWordEmbeddingsResolution() throws IOException {
        ObjectNode cfg = nested();
        ((ObjectNode) cfg.get("text_config")).put("tie_word_embeddings", true);
        cfg.remove("tie_word_embeddings");
        assertTrue(load(cfg).tieWordEmbeddings(), "text_config value used when the top level has none");
        cfg.put("tie_word_embeddings", true);
        assertTrue(load(cfg).tieWordEmbeddings());
        cfg.put("tie_word_embeddings", false);
        assertError(cfg, "tie_word_embeddings");
    }

    @Test
    void rejectsUnsupportedConfigs() throws IOException {
        assertError(edit(c -> c.putArray("architectures").add("LlamaForCausalLM")), "LlamaForCausalLM");
        assertError(edit(c -> c.putArray("architectures").add("Qwen3_5ForConditionalGeneration")),
                "Qwen3_5ForConditionalGeneration");
        assertError(edit(c -> c.putObject("rope_parameters").put("rope_type", "yarn").put("rope_theta", 1)), "yarn");
        assertError(edit(c -> c.put("hidden_act", "gelu")), "hidden_act");
        assertError(edit(c -> c.put("output_gate_type", "sigmoid")), "output_gate_type");
        assertError(edit(c -> c.put("attention_bias", true)), "attention_bias");
        assertError(edit(c -> c.put("num_key_value_heads", 3)), "num_key_value_heads");
        assertError(edit(c -> c.put("linear_num_value_heads", 5)), "linear_num_value_heads");
        assertError(edit(c -> c.putArray("layer_types").add("linear_attention").add("mamba")), "mamba");
        assertError(edit(c -> c.putArray("layer_types").add("linear_attention")), "layer_types");
        assertError(edit(c -> c.remove("hidden_size")), "hidden_size");
        assertError(edit(c -> c.put("vocab_size", "many")), "vocab_size");
        assertError(edit(c -> c.remove("rope_theta")), "rope_theta");
        assertError(edit(c -> c.put("partial_rotary_factor", 0.75)), "partial_rotary_factor"); // 9: odd
    }

    @Test
    void nestedErrorsSayTextConfig() throws IOException {
        ObjectNode cfg = nested();
        ((ObjectNode) cfg.get("text_config")).put("hidden_act", "relu");
        CheckpointException e = assertError(cfg, "hidden_act");
        assertTrue(e.getMessage().contains("text_config"), e.getMessage());
    }

    @Test
    void missingOrMalformedFile() throws IOException {
        CheckpointException missing = assertThrows(CheckpointException.class, () -> ModelConfig.load(dir));
        assertTrue(missing.getMessage().contains("config.json"), missing.getMessage());
        Files.writeString(dir.resolve("config.json"), "{\"hidden_size\": 16,");
        CheckpointException bad = assertThrows(CheckpointException.class, () -> ModelConfig.load(dir));
        assertTrue(bad.getMessage().contains("config.json") && bad.getMessage().contains("JSON"), bad.getMessage());
    }

    private ObjectNode nested() {
        ObjectNode root = LoaderFixtures.JSON.createObjectNode();
        root.putArray("architectures").add("Qwen3_5ForConditionalGeneration");
        ObjectNode tc = LoaderFixtures.causalConfig();
        tc.remove("architectures");
        root.set("text_config", tc);
        return root;
    }

    private ObjectNode edit(Consumer<ObjectNode> e) {
        ObjectNode cfg = LoaderFixtures.causalConfig();
        e.accept(cfg);
        return cfg;
    }

    private ModelConfig load(ObjectNode cfg) throws IOException {
        LoaderFixtures.writeConfig(dir, cfg);
        return ModelConfig.load(dir);
    }

    private CheckpointException assertError(ObjectNode cfg, String mentions) throws IOException {
        LoaderFixtures.writeConfig(dir, cfg);
        CheckpointException e = assertThrows(CheckpointException.class, () -> ModelConfig.load(dir));
        assertTrue(e.getMessage().contains(mentions), "message should name " + mentions + ": " + e.getMessage());
        assertTrue(e.getMessage().contains("config.json"), "message should name the file: " + e.getMessage());
        return e;
    }
}
