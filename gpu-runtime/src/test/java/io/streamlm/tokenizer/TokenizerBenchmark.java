package io.streamlm.tokenizer;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Measures the pure-Java tokenizer against the DJL binding of the Rust HF tokenizers on the real Qwen3
 * tokenizer.json and on a synthetic 248,320-token one: load time, heap / RSS growth, encode (cold and warm
 * word cache) and decode throughput on a long mixed text (the hard-string corpus repeated with counters,
 * about 1M chars), synthetic write time. Prints one JSON object as its last line. Run from gpu-runtime/:
 * <pre>
 * mvn -q -pl gpu-runtime test-compile dependency:build-classpath -Dmdep.outputFile=target/test-classpath.txt -Dmdep.includeScope=test
 * cd gpu-runtime && java -cp target/test-classes:target/classes:$(cat target/test-classpath.txt) io.streamlm.tokenizer.TokenizerBenchmark
 * </pre>
 */
public final class TokenizerBenchmark {
    private static final int NUM_ROUNDS = 5;

    private TokenizerBenchmark() {}

    public static void main(String[] args) throws Exception {
        Map<String, Object> out = new LinkedHashMap<>();
        Path synthetic = Files.createTempDirectory("synthetic-tokenizer");
        double[] writeMs = new double[NUM_ROUNDS];
        for (int i = 0; i < NUM_ROUNDS; i++) {
            long t0 = System.nanoTime();
            SyntheticTokenizer.write(248_320, synthetic);
            writeMs[i] = (System.nanoTime() - t0) / 1e6;
        }
        out.put("synthetic_write_248320_ms_first", Math.round(writeMs[0]));
        out.put("synthetic_write_248320_ms_median", median(writeMs));
        String text = longText(1 << 20);
        out.put("text_chars", text.length());
        out.put("qwen3", compare(QwenTokenizerFixture.modelDir(), text));
        out.put("synthetic_248320", compare(synthetic, text));
        System.out.println(new ObjectMapper().writeValueAsString(out));
    }

    /**
     * NUM_ROUNDS rounds, each loading a fresh Java and a fresh DJL tokenizer (interleaved, so machine noise
     * hits both alike): load time, first encode (cold word cache), second encode (warm), decode. Medians.
     */
    private static Map<String, Object> compare(Path dir, String text) throws Exception {
        double[][] java = new double[4][NUM_ROUNDS]; // load ms, cold tok/s, warm tok/s, decode tok/s
        double[][] djl = new double[4][NUM_ROUNDS];
        Map<String, Object> r = new LinkedHashMap<>();
        boolean idsEqual = true;
        int numTokens = 0;
        for (int round = 0; round < NUM_ROUNDS; round++) {
            long heap0 = usedHeap();
            long t0 = System.nanoTime();
            Tokenizer j = Tokenizer.load(dir);
            java[0][round] = (System.nanoTime() - t0) / 1e6;
            if (round == 0) {
                r.put("java_heap_mb", Math.round((usedHeap() - heap0) / 1e5) / 10.0);
            }
            int[] ids = timed(java, 1, round, () -> j.encode(text));
            numTokens = ids.length;
            timed(java, 2, round, () -> j.encode(text));
            t0 = System.nanoTime();
            j.decode(ids);
            java[3][round] = ids.length / ((System.nanoTime() - t0) / 1e9);

            long rss0 = rssBytes();
            t0 = System.nanoTime();
            try (HuggingFaceTokenizer d = HuggingFaceTokenizer.newInstance(dir.resolve("tokenizer.json"),
                    Map.of("truncation", "false", "padding", "false", "addSpecialTokens", "false"))) {
                djl[0][round] = (System.nanoTime() - t0) / 1e6;
                if (round == 0) {
                    r.put("djl_rss_growth_mb", Math.round((rssBytes() - rss0) / 1e5) / 10.0);
                }
                Supplier<int[]> encode = () -> Arrays.stream(d.encode(text, false, false).getIds()).mapToInt(v -> (int) v).toArray();
                int[] djlIds = timed(djl, 1, round, encode);
                timed(djl, 2, round, encode);
                idsEqual &= Arrays.equals(ids, djlIds);
                long[] longIds = Arrays.stream(ids).asLongStream().toArray();
                t0 = System.nanoTime();
                d.decode(longIds, false);
                djl[3][round] = ids.length / ((System.nanoTime() - t0) / 1e9);
            }
        }
        r.put("num_tokens", numTokens);
        r.put("ids_equal", idsEqual);
        String[] names = {"load_ms", "encode_cold_tokens_per_s", "encode_warm_tokens_per_s", "decode_tokens_per_s"};
        for (int k = 0; k < names.length; k++) {
            r.put("java_" + names[k], median(java[k]));
            r.put("djl_" + names[k], median(djl[k]));
        }
        return r;
    }

    /** Runs encode, stores its rate in tokens/s at [metric][round], returns the ids. */
    private static int[] timed(double[][] into, int metric, int round, Supplier<int[]> encode) {
        long t0 = System.nanoTime();
        int[] ids = encode.get();
        into[metric][round] = ids.length / ((System.nanoTime() - t0) / 1e9);
        return ids;
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return Math.round(sorted[sorted.length / 2] * 10) / 10.0;
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
        throw new IllegalStateException("no VmRSS in /proc/self/status");
    }
}
