package io.streamlm.tokenizer;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Measures the pure-Java tokenizer against the DJL binding of the Rust HF tokenizers on the real Qwen3
 * tokenizer.json and on a synthetic 248,320-token one: load time, heap and RSS growth, encode and decode
 * throughput on a long mixed text, synthetic write time. Prints one JSON object as its last line. Run:
 * <pre>
 * mvn -q -o -pl gpu-runtime test-compile exec:exec -Dexec.executable=java -Dexec.classpathScope=test \
 *   -Dexec.args="--add-modules jdk.incubator.vector -cp %classpath io.streamlm.tokenizer.TokenizerBenchmark"
 * </pre>
 */
public final class TokenizerBenchmark {
    private TokenizerBenchmark() {}

    public static void main(String[] args) throws Exception {
        Map<String, Object> out = new LinkedHashMap<>();
        Path synthetic = Files.createTempDirectory("synthetic-tokenizer");
        long t0 = System.nanoTime();
        SyntheticTokenizer.write(248_320, synthetic);
        out.put("synthetic_write_248320_ms", (System.nanoTime() - t0) / 1e6);
        t0 = System.nanoTime();
        SyntheticTokenizer.write(4096, Files.createTempDirectory("synthetic-small"));
        out.put("synthetic_write_4096_ms", (System.nanoTime() - t0) / 1e6);

        String text = longText(1 << 20);
        out.put("text_chars", text.length());
        out.put("qwen3", compare(QwenTokenizerFixture.modelDir(), text));
        out.put("synthetic_248320", compare(synthetic, text));
        System.out.println(new ObjectMapper().writeValueAsString(out));
    }

    private static Map<String, Object> compare(Path dir, String text) throws Exception {
        Map<String, Object> r = new LinkedHashMap<>();
        long heap0 = usedHeap();
        long rss0 = rssBytes();
        long t0 = System.nanoTime();
        Tokenizer java = Tokenizer.load(dir);
        r.put("java_load_ms", (System.nanoTime() - t0) / 1e6);
        r.put("java_heap_mb", (usedHeap() - heap0) / 1e6);
        int[] ids = java.encode(text);
        r.put("num_tokens", ids.length);
        r.put("java_encode_tokens_per_s", encodeRate(() -> java.encode(text).length));
        r.put("java_decode_tokens_per_s", rate(ids.length, () -> java.decode(ids).length()));

        long rss1 = rssBytes();
        t0 = System.nanoTime();
        try (HuggingFaceTokenizer djl = HuggingFaceTokenizer.newInstance(dir.resolve("tokenizer.json"),
                Map.of("truncation", "false", "padding", "false", "addSpecialTokens", "false"))) {
            r.put("djl_load_ms", (System.nanoTime() - t0) / 1e6);
            r.put("djl_rss_mb", (rssBytes() - rss1) / 1e6);
            long[] djlIds = djl.encode(text, false, false).getIds();
            r.put("ids_equal", Arrays.equals(Arrays.stream(djlIds).mapToInt(v -> (int) v).toArray(), ids));
            r.put("djl_encode_tokens_per_s", encodeRate(() -> djl.encode(text, false, false).getIds().length));
            r.put("djl_decode_tokens_per_s", rate(ids.length, () -> djl.decode(djlIds, false).length()));
        }
        r.put("rss_growth_total_mb", (rssBytes() - rss0) / 1e6);
        return r;
    }

    /** Median of 5 timed runs after 2 warm-ups, in tokens per second. */
    private static double encodeRate(java.util.function.IntSupplier encode) {
        int numTokens = encode.getAsInt();
        return rate(numTokens, encode);
    }

    private static double rate(int numTokens, java.util.function.IntSupplier work) {
        for (int i = 0; i < 2; i++) {
            work.getAsInt();
        }
        double[] rates = new double[5];
        for (int i = 0; i < rates.length; i++) {
            long t0 = System.nanoTime();
            work.getAsInt();
            rates[i] = numTokens / ((System.nanoTime() - t0) / 1e9);
        }
        Arrays.sort(rates);
        return Math.round(rates[2]);
    }

    private static String longText(int numChars) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; sb.length() < numChars; i++) {
            for (String s : HardStrings.corpus()) {
                sb.append(s).append(' ').append(i).append('\n');
            }
        }
        return sb.toString();
    }

    private static long usedHeap() {
        Runtime rt = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return rt.totalMemory() - rt.freeMemory();
    }

    private static long rssBytes() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        return -1;
    }
}
