package io.streamlm.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamlm.backend.CacheLayout;
import io.streamlm.backend.SeqChunk;
import io.streamlm.backend.cpu.CpuBackend;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * {@code ./streamlm bench decode}: prefill and batch-1 decode speed of the CPU backend on a checkpoint, with
 * seeded random prompt tokens. Human-readable lines go to stderr; the last stdout line is one JSON object.
 */
final class BenchDecodeCommand implements Command {
    private static final int BLOCK_SIZE = 16;
    private static final int WARMUP_DECODE_STEPS = 8;
    /** C2 compiles the big kernels during the first round; the second runs them compiled. */
    private static final int WARMUP_ROUNDS = 2;
    private final PrintStream out;
    private final PrintStream err;

    BenchDecodeCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    @Override
    public String name() {
        return "bench";
    }

    @Override
    public String summary() {
        return "benchmarks: 'bench decode' (prefill and decode tokens/s), 'bench serve' (the engine under load)";
    }

    @Override
    public String usage() {
        return String.join("\n",
                "usage: ./streamlm bench decode --model DIR [--prompt-tokens N] [--new-tokens N] [--batch B] [--threads N] [--seed N]",
                "       ./streamlm bench serve --model DIR ...   (flags below)",
                "",
                "  --model DIR          Hugging Face checkpoint directory (config.json + safetensors)",
                "  --prompt-tokens N    prompt length, random token ids (default 128)",
                "  --new-tokens N       decode steps after the prompt, greedy (default 32)",
                "  --batch B            sequences prefilled and decoded together, each step one token each (default 1)",
                "  --threads N          compute threads (default: available processors)",
                "  --seed N             seed of the random prompt (default 1)",
                "",
                "Prints progress to stderr and, as the last stdout line, one JSON object with prefill_tokens_per_s,",
                "decode_tokens_per_s (all B sequences), weight_bytes (read once per decode step) and the per-operation",
                "decode profile.",
                "",
                BenchServe.USAGE);
    }

    @Override
    public int run(List<String> argv, PrintStream out, PrintStream err) throws Exception {
        if (!argv.isEmpty() && argv.get(0).equals("serve")) {
            return BenchServe.run(new Args(argv.subList(1, argv.size()), java.util.Set.of("no-prefix-cache"), out, err), out, err);
        }
        if (argv.isEmpty() || !argv.get(0).equals("decode")) {
            throw new UsageException("expected a benchmark name: ./streamlm bench decode|serve ...");
        }
        return run(new Args(argv.subList(1, argv.size()), switches(), out, err));
    }

    /** {@code bench decode}, with the benchmark name already taken off the arguments. */
    @Override
    public int run(Args args) throws Exception {
        Path model = args.requirePath("model");
        int promptTokens = args.integer("prompt-tokens", 128, 1, 1 << 20);
        int newTokens = args.integer("new-tokens", 32, 1, 1 << 20);
        int batch = args.integer("batch", 1, 1, 4096);
        int threads = args.integer("threads", Runtime.getRuntime().availableProcessors(), 1, 1024);
        long seed = args.longValue("seed").orElse(1L);
        args.finish();
        if (!Files.isDirectory(model)) {
            throw new UsageException("--model " + model + " is not a directory");
        }
        long loadStart = System.nanoTime();
        try (CpuBackend backend = CpuBackend.load(model, threads)) {
            double loadS = (System.nanoTime() - loadStart) / 1e9;
            err.printf("loaded %s in %.1f s: %d layers, hidden %d, vocab %d, %.2f GB of weights read per decode step%n",
                    model, loadS, backend.config().numLayers(), backend.config().hiddenSize(),
                    backend.config().vocabSize(), backend.weightBytes() / 1e9);
            Map<String, Object> result = measure(backend, promptTokens, newTokens, batch, seed, err);
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("benchmark", "decode");
            json.put("model", model.toString());
            json.put("backend", backend.name());
            json.put("threads", threads);
            json.put("load_s", round(loadS));
            json.putAll(result);
            peakRssBytes().ifPresent(b -> json.put("peak_rss_bytes", b));
            out.println(new ObjectMapper().writeValueAsString(json));
        }
        return 0;
    }

    static Map<String, Object> measure(CpuBackend backend, int promptTokens, int newTokens, long seed,
                                       PrintStream err) {
        return measure(backend, promptTokens, newTokens, 1, seed, err);
    }

    static Map<String, Object> measure(CpuBackend backend, int promptTokens, int newTokens, int batch, long seed,
                                       PrintStream err) {
        int vocab = backend.config().vocabSize();
        int numBlocks = (promptTokens + Math.max(newTokens, WARMUP_DECODE_STEPS) + BLOCK_SIZE - 1) / BLOCK_SIZE + 1;
        long setupStart = System.nanoTime();
        backend.allocateCaches(new CacheLayout(numBlocks * batch, BLOCK_SIZE, batch));
        double setupS = (System.nanoTime() - setupStart) / 1e9;
        err.printf("caches allocated and %.2f GB of weights repacked for the batched kernels in %.1f s%n",
                backend.packedWeightBytes() / 1e9, setupS);
        int[][] tables = new int[batch][numBlocks]; // [batch][numBlocks] each sequence's own blocks
        for (int b = 0; b < batch; b++) {
            int first = b * numBlocks;
            Arrays.setAll(tables[b], i -> first + i);
        }
        Random rnd = new Random(seed);
        int[][] prompts = new int[batch][promptTokens]; // [batch][promptTokens] a different prompt per sequence
        for (int[] prompt : prompts) {
            Arrays.setAll(prompt, i -> rnd.nextInt(vocab));
        }

        // warm-up: compiles the prefill and decode paths (the JIT needs a few calls of each kernel)
        long w0 = System.nanoTime();
        for (int round = 0; round < WARMUP_ROUNDS; round++) {
            runOnce(backend, prompts, tables, WARMUP_DECODE_STEPS, new long[WARMUP_DECODE_STEPS], new LinkedHashMap<>());
        }
        err.printf("warm-up (%d x prefill %d + %d decode steps) %.1f s%n", WARMUP_ROUNDS, promptTokens, WARMUP_DECODE_STEPS,
                (System.nanoTime() - w0) / 1e9);

        long[] stepNanos = new long[newTokens];
        Map<String, Long> prefillProfile = new LinkedHashMap<>();
        long prefillNanos = runOnce(backend, prompts, tables, newTokens, stepNanos, prefillProfile);
        Map<String, Long> profile = backend.profileNanos();
        long decodeNanos = Arrays.stream(stepNanos).sum();
        double prefillTps = (double) promptTokens * batch / (prefillNanos / 1e9);
        double decodeTps = (double) newTokens * batch / (decodeNanos / 1e9);
        long[] sorted = stepNanos.clone();
        Arrays.sort(sorted);
        double medianMs = sorted[sorted.length / 2] / 1e6;
        long weightBytes = backend.weightBytes();
        err.printf("prefill: %d x %d tokens in %.3f s = %.1f tokens/s%n", batch, promptTokens, prefillNanos / 1e9, prefillTps);
        err.printf("decode:  %d tokens in %.3f s = %.2f tokens/s (median step %.1f ms; %.1f GB/s of weights;"
                        + " floor at 31 GB/s: %.1f tokens/s)%n", newTokens * batch, decodeNanos / 1e9, decodeTps, medianMs,
                weightBytes * decodeTps / batch / 1e9, 31e9 * batch / weightBytes);

        Map<String, Object> json = new LinkedHashMap<>();
        json.put("setup_s", round(setupS));
        json.put("packed_weight_bytes", backend.packedWeightBytes());
        json.put("prompt_tokens", promptTokens);
        json.put("new_tokens", newTokens);
        json.put("batch", batch);
        json.put("prefill_s", round(prefillNanos / 1e9));
        json.put("prefill_tokens_per_s", round(prefillTps));
        json.put("decode_tokens_per_s", round(decodeTps));
        json.put("decode_step_ms_median", round(medianMs));
        json.put("weight_bytes", weightBytes);
        json.put("weight_bytes_per_step", weightBytes);
        json.put("decode_weight_gb_per_s", round(weightBytes * decodeTps / batch / 1e9));
        Map<String, Object> pre = new LinkedHashMap<>();
        prefillProfile.forEach((op, ns) -> pre.put(op, round(ns / 1e6)));
        json.put("prefill_profile_ms", pre);
        Map<String, Object> dec = new LinkedHashMap<>();
        profile.forEach((op, ns) -> dec.put(op, round(ns / 1e6 / newTokens)));
        json.put("decode_profile_ms_per_step", dec);
        err.println("prefill profile (ms): " + pre);
        err.println("decode profile (ms per step): " + dec);
        return json;
    }

    /**
     * Prefill of the prompt from an empty slot, then greedy decode steps; returns the prefill nanoseconds.
     * Leaves the prefill's per-op profile in {@code prefillProfile} and the decode steps' in the backend.
     */
    private static long runOnce(CpuBackend backend, int[][] prompts, int[][] tables, int steps, long[] stepNanos,
                                Map<String, Long> prefillProfile) {
        int batch = prompts.length;
        int promptTokens = prompts[0].length;
        List<SeqChunk> chunks = new java.util.ArrayList<>(batch); // all prompts in one forward, then B decodes per step
        for (int b = 0; b < batch; b++) {
            backend.resetState(b);
            chunks.add(new SeqChunk(prompts[b], 0, tables[b], b, true));
        }
        backend.resetProfile();
        long t0 = System.nanoTime();
        float[][] logits = backend.forward(chunks);
        long prefill = System.nanoTime() - t0;
        prefillProfile.putAll(backend.profileNanos());
        backend.resetProfile();
        for (int i = 0; i < steps; i++) {
            long s0 = System.nanoTime();
            chunks.clear();
            for (int b = 0; b < batch; b++) {
                chunks.add(new SeqChunk(new int[] {argmax(logits[b])}, promptTokens + i, tables[b], b, true));
            }
            logits = backend.forward(chunks);
            stepNanos[i] = System.nanoTime() - s0;
        }
        return prefill;
    }

    /** VmHWM of this process (Linux), which counts the touched pages of the memory-mapped weights. */
    private static java.util.Optional<Long> peakRssBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return java.util.Optional.of(Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024);
                }
            }
        } catch (java.io.IOException | NumberFormatException e) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.empty();
    }

    private static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}
