package io.streamlm.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The JSON files of a random checkpoint: {@code config.json} in either layout, keys sorted and indented as
 * transformers' {@code save_pretrained} writes them, and {@code generation_config.json}.
 */
final class ConfigJsonWriter {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TRANSFORMERS_VERSION = "5.0.0";

    private ConfigJsonWriter() {}

    /**
     * @param endOfTextId the tokenizer's {@code <|endoftext|>} id: the text config's eos_token_id (as
     *                    Qwen3.5 ships 248044 = {@code <|endoftext|>})
     */
    static String config(ModelPreset p, CheckpointLayout layout, DType dtype, int endOfTextId) {
        Map<String, Object> text = textConfig(p, dtype, endOfTextId);
        Map<String, Object> root = new TreeMap<>();
        if (layout == CheckpointLayout.CAUSAL) {
            root.putAll(text);
            root.put("architectures", List.of("Qwen3_5ForCausalLM"));
            root.put("transformers_version", TRANSFORMERS_VERSION);
            return pretty(JSON.valueToTree(root));
        }
        root.put("architectures", List.of("Qwen3_5ForConditionalGeneration"));
        root.put("image_token_id", 248_056);
        root.put("model_type", "qwen3_5");
        root.put("text_config", text);
        root.put("tie_word_embeddings", p.tieWordEmbeddings);
        root.put("transformers_version", TRANSFORMERS_VERSION);
        root.put("video_token_id", 248_057);
        root.put("vision_config", visionConfig(p));
        root.put("vision_end_token_id", 248_054);
        root.put("vision_start_token_id", 248_053);
        return pretty(JSON.valueToTree(root));
    }

    private static Map<String, Object> textConfig(ModelPreset p, DType dtype, int endOfTextId) {
        Map<String, Object> t = new TreeMap<>();
        t.put("attention_bias", false);
        t.put("attention_dropout", 0.0);
        t.put("attn_output_gate", true);
        t.put("bos_token_id", null);
        t.put("dtype", dtype == DType.F32 ? "float32" : dtype == DType.F16 ? "float16" : "bfloat16");
        t.put("eos_token_id", endOfTextId);
        t.put("full_attention_interval", p.fullAttentionInterval);
        t.put("head_dim", p.headDim);
        t.put("hidden_act", "silu");
        t.put("hidden_size", p.hiddenSize);
        t.put("initializer_range", 0.02);
        t.put("intermediate_size", p.intermediateSize);
        List<String> types = new ArrayList<>();
        for (LayerType lt : p.layerTypes()) {
            types.add(lt.configName());
        }
        t.put("layer_types", types);
        t.put("linear_conv_kernel_dim", p.linearConvKernelDim);
        t.put("linear_key_head_dim", p.linearKeyHeadDim);
        t.put("linear_num_key_heads", p.linearNumKeyHeads);
        t.put("linear_num_value_heads", p.linearNumValueHeads);
        t.put("linear_value_head_dim", p.linearValueHeadDim);
        t.put("mamba_ssm_dtype", "float32");
        t.put("max_position_embeddings", ModelPreset.MAX_POSITION_EMBEDDINGS);
        t.put("mlp_only_layers", List.of());
        t.put("model_type", "qwen3_5_text");
        t.put("mtp_num_hidden_layers", 1);
        t.put("mtp_use_dedicated_embeddings", false);
        t.put("num_attention_heads", p.numAttentionHeads);
        t.put("num_hidden_layers", p.numLayers);
        t.put("num_key_value_heads", p.numKeyValueHeads);
        if (p != ModelPreset.QWEN35_0_8B) {
            t.put("output_gate_type", "swish"); // Qwen3.6 configs carry it, Qwen3.5 configs do not
        }
        t.put("pad_token_id", null);
        t.put("partial_rotary_factor", ModelPreset.PARTIAL_ROTARY_FACTOR);
        t.put("rms_norm_eps", ModelPreset.RMS_NORM_EPS);
        Map<String, Object> rope = new LinkedHashMap<>();
        rope.put("mrope_interleaved", true);
        rope.put("mrope_section", mropeSection(p.rotaryDim()));
        rope.put("partial_rotary_factor", ModelPreset.PARTIAL_ROTARY_FACTOR);
        rope.put("rope_theta", ModelPreset.ROPE_THETA);
        rope.put("rope_type", "default");
        t.put("rope_parameters", rope);
        t.put("tie_word_embeddings", p.tieWordEmbeddings);
        t.put("use_cache", true);
        t.put("vocab_size", p.vocabSize);
        return t;
    }

    /** rotary_dim / 2 frequencies split over (t, h, w) as the real [11, 11, 10] splits 32. */
    private static List<Integer> mropeSection(int rotaryDim) {
        int half = rotaryDim / 2;
        int base = half / 3;
        int rem = half % 3;
        return List.of(base + (rem > 0 ? 1 : 0), base + (rem > 1 ? 1 : 0), base);
    }

    /** The published vision tower's config; the checkpoint carries no vision tensors. */
    private static Map<String, Object> visionConfig(ModelPreset p) {
        boolean real = p.visionDepth > 0;
        Map<String, Object> v = new TreeMap<>();
        v.put("deepstack_visual_indexes", List.of());
        v.put("depth", p.visionDepth);
        v.put("hidden_act", "gelu_pytorch_tanh");
        v.put("hidden_size", real ? p.visionHiddenSize : 16);
        v.put("in_channels", 3);
        v.put("initializer_range", 0.02);
        v.put("intermediate_size", real ? p.visionIntermediateSize : 32);
        v.put("model_type", "qwen3_5");
        v.put("num_heads", real ? p.visionNumHeads : 2);
        v.put("num_position_embeddings", 2304);
        v.put("out_hidden_size", p.hiddenSize);
        v.put("patch_size", 16);
        v.put("spatial_merge_size", 2);
        v.put("temporal_patch_size", 2);
        return v;
    }

    /**
     * Sampling defaults in the style of Qwen's generation_config.json (values as Qwen3 ships them; the
     * Qwen3.5 file itself was not verified). The eos ids are this checkpoint's tokenizer's.
     */
    static String generationConfig(int imEndId, int endOfTextId) {
        Map<String, Object> g = new TreeMap<>();
        g.put("bos_token_id", endOfTextId);
        g.put("do_sample", true);
        g.put("eos_token_id", List.of(imEndId, endOfTextId));
        g.put("pad_token_id", endOfTextId);
        g.put("temperature", 0.6);
        g.put("top_k", 20);
        g.put("top_p", 0.95);
        g.put("transformers_version", TRANSFORMERS_VERSION);
        return pretty(JSON.valueToTree(g));
    }

    /** Two-space indent, {@code "key": value}, one array element per line, like Python's json.dumps. */
    static String pretty(JsonNode node) {
        DefaultPrettyPrinter pp = new DefaultPrettyPrinter().withSeparators(Separators.createDefaultInstance()
                .withObjectFieldValueSpacing(Separators.Spacing.AFTER)
                .withArrayEmptySeparator("")
                .withObjectEmptySeparator(""));
        pp.indentArraysWith(DefaultIndenter.SYSTEM_LINEFEED_INSTANCE.withLinefeed("\n"));
        pp.indentObjectsWith(DefaultIndenter.SYSTEM_LINEFEED_INSTANCE.withLinefeed("\n"));
        try {
            return JSON.writer(pp).writeValueAsString(node) + "\n";
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
