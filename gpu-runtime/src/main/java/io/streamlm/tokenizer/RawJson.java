package io.streamlm.tokenizer;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * tokenizer.json read in one streaming pass: model.vocab and model.merges (hundreds of thousands of entries)
 * go straight into a map and a list, everything else (small) becomes a JSON tree. About 3x faster to load
 * than a full tree and without its garbage.
 */
record RawJson(Map<String, Integer> vocab, List<String[]> merges, JsonNode rest) {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** No field-name interning: 150k+ one-off vocab keys would flood Jackson's symbol table (2-3x slower). */
    private static final JsonFactory FACTORY = JsonFactory.builder()
            .disable(JsonFactory.Feature.INTERN_FIELD_NAMES)
            .disable(JsonFactory.Feature.CANONICALIZE_FIELD_NAMES)
            .build()
            .setCodec(JSON);

    static RawJson read(Path file) throws IOException {
        Map<String, Integer> vocab = new HashMap<>();
        List<String[]> merges = new ArrayList<>();
        ObjectNode rest = JSON.createObjectNode();
        try (JsonParser p = FACTORY.createParser(file.toFile())) {
            expect(p.nextToken(), JsonToken.START_OBJECT, "top level", file);
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                p.nextToken();
                if (field.equals("model") && p.currentToken() == JsonToken.START_OBJECT) {
                    rest.set("model", readModel(p, vocab, merges, file));
                } else {
                    rest.set(field, p.readValueAsTree());
                }
            }
        }
        return new RawJson(vocab, merges, rest);
    }

    private static ObjectNode readModel(JsonParser p, Map<String, Integer> vocab, List<String[]> merges, Path file) throws IOException {
        ObjectNode model = JSON.createObjectNode();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken t = p.nextToken();
            if (field.equals("vocab")) {
                expect(t, JsonToken.START_OBJECT, "model.vocab", file);
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String token = p.currentName();
                    if (p.nextToken() != JsonToken.VALUE_NUMBER_INT || p.getIntValue() < 0) {
                        throw new IllegalArgumentException(file + ": model.vocab['" + token + "'] must be a non-negative integer id");
                    }
                    vocab.put(token, p.getIntValue());
                }
            } else if (field.equals("merges")) {
                expect(t, JsonToken.START_ARRAY, "model.merges", file);
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    merges.add(readMerge(p, merges.size(), file));
                }
            } else {
                model.set(field, p.readValueAsTree());
            }
        }
        return model;
    }

    private static String[] readMerge(JsonParser p, int index, Path file) throws IOException {
        if (p.currentToken() == JsonToken.VALUE_STRING) {
            String s = p.getText();
            int space = s.indexOf(' ', 1);
            if (space > 0) {
                return new String[] {s.substring(0, space), s.substring(space + 1)};
            }
        } else if (p.currentToken() == JsonToken.START_ARRAY && p.nextToken() == JsonToken.VALUE_STRING) {
            String left = p.getText();
            if (p.nextToken() == JsonToken.VALUE_STRING) {
                String right = p.getText();
                if (p.nextToken() == JsonToken.END_ARRAY) {
                    return new String[] {left, right};
                }
            }
        }
        throw new IllegalArgumentException(file + ": model.merges[" + index + "] is not \"a b\" or [\"a\", \"b\"]");
    }

    private static void expect(JsonToken actual, JsonToken expected, String what, Path file) {
        if (actual != expected) {
            throw new IllegalArgumentException(file + ": " + what + " must be " + (expected == JsonToken.START_OBJECT
                    ? "an object" : "an array") + ", found " + actual);
        }
    }
}
