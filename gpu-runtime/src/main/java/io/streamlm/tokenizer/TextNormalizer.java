package io.streamlm.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;

/** tokenizer.json's normalizer: none, or Unicode normal forms (Qwen uses NFC), possibly in a Sequence. */
final class TextNormalizer {
    private final List<Normalizer.Form> forms;

    private TextNormalizer(List<Normalizer.Form> forms) {
        this.forms = List.copyOf(forms);
    }

    static TextNormalizer fromJson(JsonNode node, String where) {
        List<Normalizer.Form> forms = new ArrayList<>();
        collect(node, where, forms);
        return new TextNormalizer(forms);
    }

    private static void collect(JsonNode node, String where, List<Normalizer.Form> forms) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return;
        }
        String type = node.path("type").asText();
        switch (type) {
            case "NFC" -> forms.add(Normalizer.Form.NFC);
            case "NFD" -> forms.add(Normalizer.Form.NFD);
            case "NFKC" -> forms.add(Normalizer.Form.NFKC);
            case "NFKD" -> forms.add(Normalizer.Form.NFKD);
            case "Sequence" -> node.path("normalizers").forEach(n -> collect(n, where, forms));
            default -> throw new IllegalArgumentException(where + ": unsupported normalizer type '" + type
                    + "' (supported: NFC, NFD, NFKC, NFKD, Sequence)");
        }
    }

    String apply(String text) {
        String out = text;
        for (Normalizer.Form form : forms) {
            if (!Normalizer.isNormalized(out, form)) {
                out = Normalizer.normalize(out, form);
            }
        }
        return out;
    }
}
