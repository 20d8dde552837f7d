package io.streamlm.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Parses a Hugging Face {@code config.json} of a Qwen3.5 / Qwen3.6 checkpoint into a {@link ModelConfig}.
 * Defaults and precedence follow transformers' {@code Qwen3_5TextConfig} exactly as the conformance reference
 * ({@code qwen35_ref.py TextConfig}) ports them: {@code layer_types} wins over {@code full_attention_interval},
 * {@code rope_parameters} over {@code rope_scaling} over flat keys, {@code head_dim} falls back to
 * hidden / heads. Anything the runtime would silently compute differently from Hugging Face is rejected.
 */
final class ConfigJson {
    static final String FILE_NAME = "config.json";
    private static final Set<String> CONDITIONAL_ARCHS = Set.of("Qwen3_5ForConditionalGeneration");
    private static final Set<String> CAUSAL_ARCHS = Set.of("Qwen3_5ForCausalLM");
    /** transformers' Qwen3_5TextConfig default. */
    private static final int DEFAULT_MAX_POSITIONS = 32768;

    private final Path file;
    /** Key prefix for messages: "text_config." in the nested layout. */
    private final String keyPrefix;
    private final JsonNode tc;

    private ConfigJson(Path file, String keyPrefix, JsonNode tc) {
        this.file = file;
        this.keyPrefix = keyPrefix;
        this.tc = tc;
    }

    static ModelConfig load(Path dir) {
        Path file = dir.resolve(FILE_NAME);
        if (!Files.isRegularFile(file)) {
            throw new CheckpointException(file + ": missing (a checkpoint directory needs config.json)");
        }
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(file.toFile());
        } catch (JsonProcessingException e) {
            throw new CheckpointException(file + ": not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new CheckpointException(file + ": cannot read: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new CheckpointException(file + ": expected a JSON object at the top level");
        }
        boolean nested = root.has("text_config");
        CheckpointLayout layout = nested ? CheckpointLayout.CONDITIONAL : CheckpointLayout.CAUSAL;
        checkArchitectures(file, root, layout);
        JsonNode tc = nested ? root.get("text_config") : root;
        if (!tc.isObject()) {
            throw new CheckpointException(file + ": text_config must be a JSON object");
        }
        ConfigJson c = new ConfigJson(file, nested ? "text_config." : "", tc);
        return c.parse(layout, c.tieWordEmbeddings(root, nested));
    }

    private static void checkArchitectures(Path file, JsonNode root, CheckpointLayout layout) {
        Set<String> supported = layout == CheckpointLayout.CONDITIONAL ? CONDITIONAL_ARCHS : CAUSAL_ARCHS;
        String shape = layout == CheckpointLayout.CONDITIONAL ? "nested text_config" : "flat (no text_config)";
        JsonNode archs = root.get("architectures");
        if (archs == null || archs.isNull()) {
            return; // HF then goes by model_type; the layout alone decides the tensor names
        }
        List<String> names = new ArrayList<>();
        archs.forEach(a -> names.add(a.asText()));
        if (names.stream().noneMatch(supported::contains)) {
            Set<String> other = layout == CheckpointLayout.CONDITIONAL ? CAUSAL_ARCHS : CONDITIONAL_ARCHS;
            String why = names.stream().anyMatch(other::contains)
                    ? " does not match the " + shape + " layout of the file"
                    : " is not supported";
            throw new CheckpointException(file + ": architectures " + names + why + " (supported: "
                    + supported.iterator().next() + " with a " + shape + " config)");
        }
    }

    private ModelConfig parse(CheckpointLayout layout, boolean tie) {
        int hidden = positiveInt("hidden_size");
        int numHeads = positiveInt("num_attention_heads");
        int numKvHeads = positiveInt("num_key_value_heads");
        int numLayers = positiveInt("num_hidden_layers");
        int headDim = optInt("head_dim").filter(v -> v != 0).orElse(hidden / numHeads);
        requirePositive("head_dim", headDim);
        int linearKeyHeads = optPositiveInt("linear_num_key_heads", 16);
        int linearValueHeads = optPositiveInt("linear_num_value_heads", 32);
        if (numHeads % numKvHeads != 0) {
            throw error("num_attention_heads (" + numHeads + ") must be a multiple of num_key_value_heads ("
                    + numKvHeads + ")");
        }
        if (linearValueHeads % linearKeyHeads != 0) {
            throw error("linear_num_value_heads (" + linearValueHeads + ") must be a multiple of "
                    + "linear_num_key_heads (" + linearKeyHeads + ")");
        }
        checkUnsupported();
        Rope rope = rope(headDim);
        return new ModelConfig(layout, hidden, positiveInt("intermediate_size"), positiveInt("vocab_size"),
                layerTypes(numLayers), numHeads, numKvHeads, headDim, rope.rotaryDim, rope.theta,
                optDouble("rms_norm_eps", 1e-6), linearKeyHeads, linearValueHeads,
                optPositiveInt("linear_key_head_dim", 128), optPositiveInt("linear_value_head_dim", 128),
                optPositiveInt("linear_conv_kernel_dim", 4), tie,
                optPositiveInt("max_position_embeddings", DEFAULT_MAX_POSITIONS));
    }

    /** Keys whose non-default values Hugging Face's Qwen3.5 would compute with but this runtime does not. */
    private void checkUnsupported() {
        String act = optText(tc, "hidden_act").orElse("silu");
        if (!act.equals("silu")) {
            throw error("hidden_act '" + act + "' is not supported (only silu)");
        }
        String gate = optText(tc, "output_gate_type").orElse("swish");
        if (!gate.equals("swish") && !gate.equals("silu")) {
            // HF hard-wires silu in the gated norm while vLLM would honour the key: ambiguous, so refuse
            throw error("output_gate_type '" + gate + "' is not supported (only swish / silu)");
        }
        JsonNode bias = tc.get("attention_bias");
        if (bias != null && bias.asBoolean(false)) {
            throw error("attention_bias=true is not supported (no Qwen3.5/3.6 checkpoint uses it)");
        }
    }

    private List<LayerType> layerTypes(int numLayers) {
        JsonNode lt = tc.get("layer_types");
        List<LayerType> out = new ArrayList<>();
        if (lt != null && !lt.isNull()) {
            if (!lt.isArray()) {
                throw error("layer_types must be a list");
            }
            for (JsonNode n : lt) {
                out.add(layerType(n.asText()));
            }
            if (out.size() != numLayers) {
                throw error("layer_types has " + out.size() + " entries but num_hidden_layers is " + numLayers);
            }
            return out;
        }
        int interval = optPositiveInt("full_attention_interval", 4);
        for (int i = 0; i < numLayers; i++) {
            out.add((i + 1) % interval != 0 ? LayerType.LINEAR_ATTENTION : LayerType.FULL_ATTENTION);
        }
        return out;
    }

    private LayerType layerType(String name) {
        for (LayerType t : LayerType.values()) {
            if (t.configName().equals(name)) {
                return t;
            }
        }
        throw error("layer_types: unknown layer type '" + name + "' (expected linear_attention or full_attention)");
    }

    private record Rope(double theta, int rotaryDim) {}

    private Rope rope(int headDim) {
        JsonNode rp = firstNonEmpty(tc.get("rope_parameters"), tc.get("rope_scaling"));
        String rpKey = tc.get("rope_parameters") == rp ? "rope_parameters." : "rope_scaling.";
        String type = optText(rp, "rope_type").or(() -> optText(rp, "type")).orElse("default");
        if (!type.equals("default")) {
            throw error(rpKey + "rope_type '" + type + "' is not supported (only default RoPE)");
        }
        double theta = number(rp, "rope_theta").or(() -> number(tc, "rope_theta"))
                .orElseThrow(() -> error("rope_theta is missing (neither rope_parameters nor the config has it)"));
        if (!(theta > 0)) {
            throw error("rope_theta must be positive, got " + theta);
        }
        double factor = number(rp, "partial_rotary_factor").or(() -> number(tc, "partial_rotary_factor"))
                .orElse(0.25);
        int rotaryDim = (int) (headDim * factor); // int() truncation, as HF
        if (rotaryDim < 0 || rotaryDim > headDim || rotaryDim % 2 != 0) {
            throw error("partial_rotary_factor " + factor + " gives rotary dim " + rotaryDim + " for head_dim "
                    + headDim + " (must be even and between 0 and head_dim)");
        }
        return new Rope(theta, rotaryDim);
    }

    private boolean tieWordEmbeddings(JsonNode root, boolean nested) {
        Optional<Boolean> inText = bool(tc, "tie_word_embeddings");
        if (!nested) {
            return inText.orElse(false);
        }
        Optional<Boolean> top = bool(root, "tie_word_embeddings");
        if (top.isPresent() && inText.isPresent() && !top.get().equals(inText.get())) {
            throw new CheckpointException(file + ": tie_word_embeddings is " + top.get() + " at the top level but "
                    + inText.get() + " in text_config");
        }
        return top.or(() -> inText).orElse(false); // HF default: untied
    }

    // ---------------------------------------------------------------- typed getters

    private CheckpointException error(String message) {
        String msg = message;
        if (!keyPrefix.isEmpty()) {
            msg = "text_config: " + message;
        }
        return new CheckpointException(file + ": " + msg);
    }

    private int positiveInt(String key) {
        int v = optInt(key).orElseThrow(() -> error("required key " + key + " is missing"));
        requirePositive(key, v);
        return v;
    }

    private int optPositiveInt(String key, int defaultValue) {
        int v = optInt(key).orElse(defaultValue);
        requirePositive(key, v);
        return v;
    }

    private void requirePositive(String key, int v) {
        if (v <= 0) {
            throw error(key + " must be a positive integer, got " + v);
        }
    }

    private Optional<Integer> optInt(String key) {
        JsonNode n = tc.get(key);
        if (n == null || n.isNull()) {
            return Optional.empty();
        }
        if (!n.isNumber() || !n.canConvertToExactIntegral() || !n.canConvertToInt()) {
            throw error(key + " must be an integer, got " + n);
        }
        return Optional.of(n.asInt());
    }

    private double optDouble(String key, double defaultValue) {
        return number(tc, key).orElse(defaultValue);
    }

    private Optional<Double> number(JsonNode obj, String key) {
        JsonNode n = obj == null ? null : obj.get(key);
        if (n == null || n.isNull()) {
            return Optional.empty();
        }
        if (!n.isNumber()) {
            throw error(key + " must be a number, got " + n);
        }
        return Optional.of(n.asDouble());
    }

    private Optional<Boolean> bool(JsonNode obj, String key) {
        JsonNode n = obj.get(key);
        if (n == null || n.isNull()) {
            return Optional.empty();
        }
        if (!n.isBoolean()) {
            throw new CheckpointException(file + ": " + key + " must be true or false, got " + n);
        }
        return Optional.of(n.asBoolean());
    }

    private static Optional<String> optText(JsonNode obj, String key) {
        JsonNode n = obj == null ? null : obj.get(key);
        return n == null || n.isNull() ? Optional.empty() : Optional.of(n.asText());
    }

    /** Python's {@code a or b or {}}: the first node that is an object with at least one key. */
    private static JsonNode firstNonEmpty(JsonNode a, JsonNode b) {
        if (a != null && a.isObject() && a.size() > 0) {
            return a;
        }
        if (b != null && b.isObject() && b.size() > 0) {
            return b;
        }
        return null;
    }
}
