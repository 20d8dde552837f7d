package io.streamlm.tokenizer;

import java.util.ArrayList;
import java.util.List;

/** A corpus of strings that break naive tokenizers: scripts, emoji, digits, whitespace, code, special tokens. */
final class HardStrings {
    private HardStrings() {}

    static List<String> corpus() {
        List<String> c = new ArrayList<>(List.of(
                "",
                "Hello, world!",
                " leading space", "trailing space ", "  two leading", "\ttab\tseparated\t",
                "你好，世界！这是一个测试。", "日本語のテキストとカタカナ、ひらがな", "한국어 문장입니다.",
                "Mixed 中文 and English 混合 text 123。",
                "👋🏽 wave with skin tone", "👨‍👩‍👧‍👦 family ZWJ", "🏳️‍🌈 flag ZWJ", "🇯🇵🇺🇸🇩🇪 regional flags",
                "🧑🏿‍🚀 astronaut", "😀😃😄😁😆😅🤣😂", "❤️‍🔥 heart on fire",
                "e\u0301 combining acute (not NFC)", "é precomposed", "Å vs A\u030a vs \u212b (angstrom)",
                "ñ n\u0303 Z\u0351\u0348\u0324a\u0334\u0359l\u0337go",
                "العربية: مرحبا بالعالم", "עברית: שלום עולם", "हिन्दी: नमस्ते दुनिया", "ไทย: สวัสดีชาวโลก",
                "ελληνικά και кириллица", "Tiếng Việt có dấu",
                "1234567890123456789012345678901234567890", "3.14159265358979 and 2,718,281", "٣٤٥ Arabic digits ४५६",
                "x" + " ".repeat(40) + "y", " ".repeat(17), "\n\n\n\n", "a\r\nb\rc\nd", " \t \n \t\n  \n",
                "line1\n    indented\n\tindented tab\n\n\nend",
                "public final class Foo {\n    private int x = 42;\n\n    int get() { return x; }\n}\n",
                "def f(a, b=2):\n    if a:\n        return [i ** 2 for i in range(b)]\n    return None\n",
                "https://example.com/path/to?query=1&x=%20y#frag", "user@example.org, C:\\Windows\\System32",
                "<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n", "text<|endoftext|>more<|endoftext|>",
                "<think>\nreasoning\n</think>\n\nanswer", "<|im_start|<|im_end|>>", "<|im_end", "|im_end|>",
                "<tool_call>{\"name\": \"f\"}</tool_call>",
                "don't I'll we've they're she'd it's DON'T WE'LL", "'s 's's ''''",
                "\u0000\u0001\u001f control chars \u007f", "\u200b zero width \u200d joiner \ufeff bom",
                "\u00a0nbsp\u2003em space\u3000ideographic space", "unpaired-looking \ufffd replacement",
                "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 math 𝟙𝟚𝟛", "𠀀𠀁 CJK ext B", "!!!???...,,,;;;:::", "—–-‐ dashes “quotes” «guillemets»",
                "$$$ %%% ^^^ &&& *** ((( )))", "ABCDEFGHIJKLMNOPQRSTUVWXYZ abcdefghijklmnopqrstuvwxyz"));
        c.add(longText());
        return c;
    }

    /**
     * Java strings UTF-8 cannot express. Not compared with DJL: it hands the surrogate's 3 raw bytes to Rust
     * (JNI modified UTF-8), a binding artefact that does not even round-trip; we encode U+FFFD instead.
     */
    static List<String> loneSurrogates() {
        return List.of("lone \ud800 high", "lone \udc00 low", "\ud83c", "reversed \udc00\ud800 pair", "end\ud83d");
    }

    /** About 10k chars of mixed text, far past the 512-token default truncation of some bindings. */
    static String longText() {
        StringBuilder sb = new StringBuilder();
        String[] parts = {"The quick brown fox jumps over the lazy dog. ", "敏捷的棕色狐狸跳过了懒狗。", "12345 ",
                "emoji 🎉🚀 ", "\n    code(x) { return x * 2; }\n", "العربية ", "  \t "};
        for (int i = 0; sb.length() < 10_000; i++) {
            sb.append(parts[i % parts.length]).append(i);
        }
        return sb.toString();
    }
}
