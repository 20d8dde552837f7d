package io.streamlm.tokenizer;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a Qwen-style byte-level BPE tokenizer (tokenizer.json + tokenizer_config.json) for random-weight
 * checkpoints, whose vocabulary covers exactly {@code vocabSize} ids: the 256 byte tokens (ids 0..255), then
 * merges (learned from a small English/code corpus, then filled up with concatenations of existing tokens),
 * then the added tokens {@link #SPECIAL_TOKENS} at the top ids. Any text round-trips (byte-level BPE is
 * lossless). The pre-tokenizer, normaliser, decoder and chat template are Qwen3.5's.
 */
public final class SyntheticTokenizer {
    /** Added tokens at ids vocabSize - 5 .. vocabSize - 1, in this order; the first three are special. */
    public static final List<String> SPECIAL_TOKENS =
            List.of("<|endoftext|>", "<|im_start|>", "<|im_end|>", "<think>", "</think>");
    /** Qwen3.5/3.6's split: Qwen3's with combining marks (\p{M}) kept inside words. */
    static final String QWEN_SPLIT_REGEX = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?[\\p{L}\\p{M}]+|\\p{N}"
            + "| ?[^\\s\\p{L}\\p{M}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    private static final int NUM_SPECIAL_SPECIAL = 3;
    private static final ObjectMapper JSON = new ObjectMapper();

    private SyntheticTokenizer() {}

    /** Smallest vocabulary: the byte tokens plus the added tokens. */
    public static int minVocabSize() {
        return 256 + SPECIAL_TOKENS.size();
    }

    /** Writes tokenizer.json and tokenizer_config.json into {@code dir} (created if missing). */
    public static void write(int vocabSize, Path dir) {
        if (vocabSize < minVocabSize()) {
            throw new IllegalArgumentException("vocab size " + vocabSize + " is too small for a byte-level tokenizer: "
                    + "need at least " + minVocabSize() + " (256 byte tokens + " + SPECIAL_TOKENS.size() + " added tokens)");
        }
        try {
            Files.createDirectories(dir);
            List<String[]> merges = SyntheticMerges.build(vocabSize - minVocabSize(), readResource("synthetic-corpus.txt"));
            writeTokenizerJson(vocabSize, merges, dir.resolve("tokenizer.json"));
            writeConfig(vocabSize, dir.resolve("tokenizer_config.json"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write synthetic tokenizer into " + dir + ": " + e.getMessage(), e);
        }
    }

    private static void writeTokenizerJson(int vocabSize, List<String[]> merges, Path file) throws IOException {
        try (JsonGenerator g = JSON.getFactory().createGenerator(file.toFile(), JsonEncoding.UTF8)) {
            g.writeStartObject();
            g.writeStringField("version", "1.0");
            g.writeNullField("truncation");
            g.writeNullField("padding");
            g.writeArrayFieldStart("added_tokens");
            for (int i = 0; i < SPECIAL_TOKENS.size(); i++) {
                g.writeStartObject();
                g.writeNumberField("id", vocabSize - SPECIAL_TOKENS.size() + i);
                g.writeStringField("content", SPECIAL_TOKENS.get(i));
                g.writeBooleanField("single_word", false);
                g.writeBooleanField("lstrip", false);
                g.writeBooleanField("rstrip", false);
                g.writeBooleanField("normalized", false);
                g.writeBooleanField("special", i < NUM_SPECIAL_SPECIAL);
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeObjectField("normalizer", Map.of("type", "NFC"));
            g.writeObjectField("pre_tokenizer", Map.of("type", "Sequence", "pretokenizers", List.of(
                    Map.of("type", "Split", "pattern", Map.of("Regex", QWEN_SPLIT_REGEX), "behavior", "Isolated", "invert", false),
                    byteLevel())));
            g.writeObjectField("post_processor", byteLevel());
            g.writeObjectField("decoder", byteLevel());
            g.writeObjectFieldStart("model");
            g.writeStringField("type", "BPE");
            g.writeNullField("dropout");
            g.writeNullField("unk_token");
            g.writeStringField("continuing_subword_prefix", "");
            g.writeStringField("end_of_word_suffix", "");
            g.writeBooleanField("fuse_unk", false);
            g.writeBooleanField("byte_fallback", false);
            g.writeBooleanField("ignore_merges", false);
            g.writeObjectFieldStart("vocab");
            for (int b = 0; b < 256; b++) {
                g.writeNumberField(String.valueOf(ByteLevel.charOf(b)), b);
            }
            for (int i = 0; i < merges.size(); i++) {
                g.writeNumberField(merges.get(i)[0] + merges.get(i)[1], 256 + i);
            }
            g.writeEndObject();
            g.writeArrayFieldStart("merges");
            for (String[] m : merges) {
                g.writeStartArray();
                g.writeString(m[0]);
                g.writeString(m[1]);
                g.writeEndArray();
            }
            g.writeEndArray();
            g.writeEndObject();
            g.writeEndObject();
        }
    }

    private static Map<String, Object> byteLevel() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", "ByteLevel");
        m.put("add_prefix_space", false);
        m.put("trim_offsets", false);
        m.put("use_regex", false);
        return m;
    }

    private static void writeConfig(int vocabSize, Path file) throws IOException {
        Map<String, Object> decoder = new LinkedHashMap<>();
        for (int i = 0; i < SPECIAL_TOKENS.size(); i++) {
            decoder.put(String.valueOf(vocabSize - SPECIAL_TOKENS.size() + i), Map.of("content", SPECIAL_TOKENS.get(i),
                    "lstrip", false, "normalized", false, "rstrip", false, "single_word", false, "special", i < NUM_SPECIAL_SPECIAL));
        }
        Map<String, Object> cfg = new LinkedHashMap<>();
        cfg.put("add_bos_token", false);
        cfg.put("add_prefix_space", false);
        cfg.put("added_tokens_decoder", decoder);
        cfg.put("additional_special_tokens", List.of("<|im_start|>", "<|im_end|>"));
        cfg.put("bos_token", null);
        cfg.put("chat_template", readResource("qwen35-chat-template.jinja"));
        cfg.put("clean_up_tokenization_spaces", false);
        cfg.put("eos_token", "<|im_end|>");
        cfg.put("errors", "replace");
        cfg.put("model_max_length", 262144);
        cfg.put("pad_token", "<|endoftext|>");
        cfg.put("split_special_tokens", false);
        cfg.put("tokenizer_class", "Qwen2Tokenizer");
        cfg.put("unk_token", null);
        JSON.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), cfg);
    }

    static String readResource(String name) throws IOException {
        try (InputStream in = SyntheticTokenizer.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IOException("resource io/streamlm/tokenizer/" + name + " is missing from the classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

}
