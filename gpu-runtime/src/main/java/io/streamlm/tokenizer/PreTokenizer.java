package io.streamlm.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The pre-tokenizer of a byte-level BPE tokenizer.json: a chain of regex splits (Split with behaviour
 * Isolated, or ByteLevel with use_regex) applied to raw text; the byte-level mapping itself happens in
 * {@link Bpe}. Patterns use Unicode classes so {@code \s}, {@code \p{L}} mean what they mean in the Rust
 * library's Oniguruma regexes.
 */
final class PreTokenizer {
    /** The GPT-2 split that ByteLevel applies when use_regex is true. */
    static final String GPT2_PATTERN =
            "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";

    private final List<Pattern> splits;
    private final boolean addPrefixSpace;

    private PreTokenizer(List<Pattern> splits, boolean addPrefixSpace) {
        this.splits = List.copyOf(splits);
        this.addPrefixSpace = addPrefixSpace;
    }

    static PreTokenizer fromJson(JsonNode node, String where) {
        List<Pattern> splits = new ArrayList<>();
        boolean[] byteLevel = {false};
        boolean[] prefixSpace = {false};
        collect(node, where, splits, byteLevel, prefixSpace);
        if (!byteLevel[0]) {
            throw new IllegalArgumentException(where + ": pre_tokenizer has no ByteLevel step; only byte-level BPE "
                    + "tokenizers (GPT-2 / Qwen style) are supported");
        }
        return new PreTokenizer(splits, prefixSpace[0]);
    }

    private static void collect(JsonNode node, String where, List<Pattern> splits, boolean[] byteLevel,
                                boolean[] prefixSpace) {
        if (node == null || node.isNull()) {
            return;
        }
        String type = node.path("type").asText();
        switch (type) {
            case "Sequence" -> {
                for (JsonNode child : node.path("pretokenizers")) {
                    collect(child, where, splits, byteLevel, prefixSpace);
                }
            }
            case "ByteLevel" -> {
                byteLevel[0] = true;
                prefixSpace[0] = node.path("add_prefix_space").asBoolean(false);
                if (node.path("use_regex").asBoolean(true)) {
                    splits.add(compile(GPT2_PATTERN, where));
                }
            }
            case "Split" -> splits.add(splitPattern(node, where));
            default -> throw new IllegalArgumentException(where + ": unsupported pre_tokenizer type '" + type
                    + "' (supported: Sequence, Split, ByteLevel)");
        }
    }

    private static Pattern splitPattern(JsonNode node, String where) {
        String behavior = node.path("behavior").asText();
        if (!behavior.equals("Isolated")) {
            throw new IllegalArgumentException(where + ": Split behavior '" + behavior + "' is not supported (only Isolated)");
        }
        if (node.path("invert").asBoolean(false)) {
            throw new IllegalArgumentException(where + ": Split with invert=true is not supported");
        }
        JsonNode pattern = node.path("pattern");
        if (pattern.has("Regex")) {
            return compile(pattern.get("Regex").asText(), where);
        }
        if (pattern.has("String")) {
            return Pattern.compile(Pattern.quote(pattern.get("String").asText()));
        }
        throw new IllegalArgumentException(where + ": Split pattern must hold 'Regex' or 'String', got " + pattern);
    }

    private static Pattern compile(String regex, String where) {
        try {
            return Pattern.compile(regex, Pattern.UNICODE_CHARACTER_CLASS);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException(where + ": pre_tokenizer regex does not compile in Java: " + e.getMessage(), e);
        }
    }

    /** Calls {@code sink} with each piece of {@code text}, in order; the pieces concatenate to the input. */
    void split(String text, Consumer<String> sink) {
        if (text.isEmpty()) {
            return;
        }
        String input = addPrefixSpace && !text.startsWith(" ") ? " " + text : text;
        splitFrom(0, input, sink);
    }

    private void splitFrom(int stage, String piece, Consumer<String> sink) {
        if (stage == splits.size()) {
            sink.accept(piece);
            return;
        }
        Matcher m = splits.get(stage).matcher(piece);
        int last = 0;
        while (m.find()) {
            if (m.end() == m.start()) {
                continue; // an empty match splits nothing
            }
            if (m.start() > last) {
                splitFrom(stage + 1, piece.substring(last, m.start()), sink);
            }
            splitFrom(stage + 1, piece.substring(m.start(), m.end()), sink);
            last = m.end();
        }
        if (last < piece.length()) {
            splitFrom(stage + 1, piece.substring(last), sink);
        }
    }
}
