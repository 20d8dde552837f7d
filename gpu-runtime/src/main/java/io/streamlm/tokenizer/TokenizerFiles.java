package io.streamlm.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Reads tokenizer.json and tokenizer_config.json into the parts {@link BpeTokenizer} is built from. */
final class TokenizerFiles {
    private static final ObjectMapper JSON = new ObjectMapper();

    record Parsed(TextNormalizer normalizer, PreTokenizer preTokenizer, Bpe bpe, List<AddedTokens.Entry> addedTokens,
                  byte[][] tokenBytes, Map<String, Integer> tokenIds, Optional<ChatTemplate.Flavor> chatFlavor,
                  List<Integer> eosTokenIds) {}

    private TokenizerFiles() {}

    static Parsed read(Path modelDir) throws IOException {
        Path file = modelDir.resolve("tokenizer.json");
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("no tokenizer.json in " + modelDir);
        }
        String where = file.toString();
        RawJson raw = RawJson.read(file);
        JsonNode root = raw.rest();
        JsonNode model = root.path("model");
        checkModel(model, raw, where);

        Map<String, Integer> vocab = raw.vocab();
        List<AddedTokens.Entry> added = readAddedTokens(root.path("added_tokens"), where);
        int vocabSize = 0;
        for (int id : vocab.values()) {
            vocabSize = Math.max(vocabSize, id + 1);
        }
        for (AddedTokens.Entry e : added) {
            vocabSize = Math.max(vocabSize, e.id() + 1);
        }
        byte[][] tokenBytes = new byte[vocabSize][];
        vocab.forEach((token, id) -> tokenBytes[id] = ByteLevel.decodeToken(token));
        boolean ignoreMerges = model.path("ignore_merges").asBoolean(false);
        Bpe bpe = new Bpe(byteTokenIds(vocab, where), readMerges(raw.merges(), vocab, where),
                ignoreMerges ? Map.copyOf(vocab) : Map.of(), ignoreMerges);
        Map<String, Integer> tokenIds = vocab; // from here on also holds the added tokens (no 150k-entry copy)
        for (AddedTokens.Entry e : added) {
            tokenBytes[e.id()] = e.content().getBytes(StandardCharsets.UTF_8);
            tokenIds.put(e.content(), e.id());
        }
        checkDecoder(root.path("decoder"), where);

        Config config = readConfig(modelDir.resolve("tokenizer_config.json"), tokenIds);
        return new Parsed(TextNormalizer.fromJson(root.path("normalizer"), where),
                PreTokenizer.fromJson(root.path("pre_tokenizer"), where), bpe, added, tokenBytes,
                Collections.unmodifiableMap(tokenIds), config.flavor(), config.eosTokenIds());
    }

    private static void checkModel(JsonNode model, RawJson raw, String where) {
        String type = model.path("type").asText("BPE");
        if (!type.equals("BPE")) {
            throw new IllegalArgumentException(where + ": model.type is '" + type + "', only BPE is supported");
        }
        if (model.path("byte_fallback").asBoolean(false)) {
            throw new IllegalArgumentException(where + ": model.byte_fallback=true (SentencePiece-style BPE) is not supported");
        }
        if (!model.path("continuing_subword_prefix").asText("").isEmpty()
                || !model.path("end_of_word_suffix").asText("").isEmpty()) {
            throw new IllegalArgumentException(where + ": continuing_subword_prefix / end_of_word_suffix are not supported");
        }
        if (raw.vocab().isEmpty()) {
            throw new IllegalArgumentException(where + ": model must hold a non-empty 'vocab' object");
        }
    }

    private static int[] byteTokenIds(Map<String, Integer> vocab, String where) {
        int[] ids = new int[256];
        for (int b = 0; b < 256; b++) {
            Integer id = vocab.get(String.valueOf(ByteLevel.charOf(b)));
            if (id == null) {
                throw new IllegalArgumentException(where + ": vocab lacks the byte-level token for byte 0x"
                        + Integer.toHexString(b) + " ('" + ByteLevel.charOf(b) + "'); not a byte-level BPE vocabulary");
            }
            ids[b] = id;
        }
        return ids;
    }

    /** merges holds "a b" strings or [a, b] pairs (both forms exist in the wild); rank = position. */
    private static Bpe.LongLongMap readMerges(List<String[]> merges, Map<String, Integer> vocab, String where) {
        Bpe.LongLongMap map = new Bpe.LongLongMap(merges.size());
        for (int rank = 0; rank < merges.size(); rank++) {
            String left = merges.get(rank)[0];
            String right = merges.get(rank)[1];
            Integer l = vocab.get(left);
            Integer r = vocab.get(right);
            Integer merged = vocab.get(left + right);
            if (l == null || r == null || merged == null) {
                throw new IllegalArgumentException(where + ": merges[" + rank + "] = [" + left + ", " + right
                        + "] uses a token missing from the vocab (" + (l == null ? left : r == null ? right : left + right) + ")");
            }
            map.putIfAbsent(Bpe.pairKey(l, r), ((long) rank << 32) | merged); // a repeated pair keeps its first rank
        }
        return map;
    }

    private static List<AddedTokens.Entry> readAddedTokens(JsonNode node, String where) {
        List<AddedTokens.Entry> out = new ArrayList<>();
        for (JsonNode t : node) {
            if (!t.path("id").canConvertToInt() || !t.path("content").isTextual()) {
                throw new IllegalArgumentException(where + ": added_tokens entry " + t + " needs an integer 'id' and a string 'content'");
            }
            out.add(new AddedTokens.Entry(t.get("id").asInt(), t.get("content").asText(), t.path("special").asBoolean(false),
                    t.path("normalized").asBoolean(!t.path("special").asBoolean(false)), t.path("lstrip").asBoolean(false),
                    t.path("rstrip").asBoolean(false), t.path("single_word").asBoolean(false)));
        }
        return out;
    }

    private static void checkDecoder(JsonNode decoder, String where) {
        String type = decoder.path("type").asText("");
        boolean byteLevel = type.equals("ByteLevel")
                || (type.equals("Sequence") && decoder.path("decoders").findValuesAsText("type").contains("ByteLevel"));
        if (!byteLevel) {
            throw new IllegalArgumentException(where + ": decoder is '" + type + "', expected ByteLevel");
        }
    }

    record Config(Optional<ChatTemplate.Flavor> flavor, List<Integer> eosTokenIds) {}

    /** tokenizer_config.json: chat template flavor and eos ids; absent file means the Qwen3.5 defaults. */
    static Config readConfig(Path file, Map<String, Integer> tokenIds) throws IOException {
        String template = null;
        Set<Integer> eos = new LinkedHashSet<>();
        if (Files.isRegularFile(file)) {
            JsonNode cfg = JSON.readTree(file.toFile());
            JsonNode eosNode = cfg.path("eos_token");
            String eosText = eosNode.isTextual() ? eosNode.asText() : eosNode.path("content").asText(null);
            if (eosText != null) {
                Integer id = tokenIds.get(eosText);
                if (id == null) {
                    throw new IllegalArgumentException(file + ": eos_token '" + eosText + "' is not a token of tokenizer.json");
                }
                eos.add(id);
            }
            template = chatTemplateText(cfg.path("chat_template"));
        }
        for (String chatEnd : List.of("<|im_end|>", "<|endoftext|>")) {
            Integer id = tokenIds.get(chatEnd);
            if (id != null) {
                eos.add(id);
            }
        }
        return new Config(ChatTemplate.detect(template), List.copyOf(eos));
    }

    /** chat_template is a string, or a list of {name, template} where "default" is the one to use. */
    private static String chatTemplateText(JsonNode node) {
        if (node.isTextual()) {
            return node.asText();
        }
        if (node.isArray()) {
            for (JsonNode t : node) {
                if (t.path("name").asText().equals("default")) {
                    return t.path("template").asText();
                }
            }
        }
        return null;
    }
}
