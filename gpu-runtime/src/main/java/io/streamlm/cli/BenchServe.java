package io.streamlm.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamlm.backend.cpu.CpuBackend;
import io.streamlm.engine.EngineStats;
import io.streamlm.engine.GenerationRequest;
import io.streamlm.engine.GenerationResult;
import io.streamlm.engine.LlmEngine;
import io.streamlm.engine.Prompt;
import io.streamlm.engine.RequestHandle;
import io.streamlm.engine.SamplingParams;
import io.streamlm.model.ModelLoader;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Random;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * {@code ./streamlm bench serve}: a closed-loop serving benchmark through the engine. {@code --concurrency}
 * requests are kept in flight; each has a prompt of {@code --prefix-tokens} + {@code --suffix-tokens} random
 * tokens and generates exactly {@code --max-tokens} greedy tokens. In the shared-prefix workload every
 * request starts with the same prefix and declares it ({@code sharedPrefixTokens}); in the random workload
 * nothing is shared. Progress goes to stderr; the last stdout line is one JSON object.
 */
final class BenchServe {
    static final String USAGE = String.join("\n",
            "usage: ./streamlm bench serve --model DIR [--workload shared-prefix|random] [--requests N]",
            "         [--prefix-tokens P] [--suffix-tokens S] [--max-tokens M] [--concurrency C]",
            "         [--no-prefix-cache] [--max-batch B] [--threads T] [--block-size N] [--kv-cache-mb N]",
            "         [--state-cache-mb N] [--snapshot-interval N] [--seed N]",
            "",
            "  --model DIR            Hugging Face checkpoint directory",
            "  --workload W           shared-prefix (one prefix of P tokens, declared, + S unique tokens) or",
            "                         random (P + S unique tokens) (default shared-prefix)",
            "  --requests N           requests in total (default 64)",
            "  --prefix-tokens P      shared prefix length (default 1000)",
            "  --suffix-tokens S      unique suffix length (default 50)",
            "  --max-tokens M         tokens generated per request, no early stop (default 32)",
            "  --concurrency C        requests in flight (default 8)",
            "  --no-prefix-cache      disable prefix caching (KV blocks and state snapshots)",
            "  --max-batch B          tokens per engine step, the chunked-prefill size (default 512)",
            "  --threads T            compute threads (default: available processors)",
            "  --block-size N         tokens per KV block (default 16)",
            "  --kv-cache-mb N        KV cache memory (default: enough for C full requests plus the prefix, x2)",
            "  --state-cache-mb N     prefix-snapshot memory for the recurrent state (default 512)",
            "  --snapshot-interval N  tokens between aligned state snapshots (default 256)",
            "  --seed N               seed of the random tokens (default 1)",
            "",
            "The last stdout line is JSON: requests, prompt_tokens_computed, prompt_tokens_cached, output_tokens,",
            "wall_seconds, output_tokens_per_s, total_tokens_per_s, ttft_p50_ms, ttft_p99_ms, itl_p50_ms,",
            "itl_p99_ms, prefix_hit_rate, preemptions, and the settings.");

    private BenchServe() {}

    static int run(Args args, PrintStream out, PrintStream err) throws Exception {
        Path model = args.requirePath("model");
        String workload = args.string("workload").orElse("shared-prefix");
        int numRequests = args.integer("requests", 64, 1, 1_000_000);
        int prefixTokens = args.integer("prefix-tokens", 1000, 0, 1 << 20);
        int suffixTokens = args.integer("suffix-tokens", 50, 0, 1 << 20);
        int maxTokens = args.integer("max-tokens", 32, 1, 1 << 20);
        int concurrency = args.integer("concurrency", 8, 1, 4096);
        boolean noPrefixCache = args.flag("no-prefix-cache");
        int maxBatch = args.integer("max-batch", 512, 1, 1 << 20);
        int threads = args.integer("threads", Runtime.getRuntime().availableProcessors(), 1, 1024);
        int blockSize = args.integer("block-size", 16, 1, 4096);
        Optional<Integer> kvCacheMb = args.integer("kv-cache-mb");
        int stateCacheMb = args.integer("state-cache-mb", 512, 0, 1 << 20);
        int snapshotInterval = args.integer("snapshot-interval", 256, 1, 1 << 20);
        long seed = args.longValue("seed").orElse(1L);
        args.finish();
        if (!workload.equals("shared-prefix") && !workload.equals("random")) {
            throw new UsageException("--workload must be shared-prefix or random, got '" + workload + "'");
        }
        if (prefixTokens + suffixTokens < 1) {
            throw new UsageException("--prefix-tokens + --suffix-tokens must be at least 1");
        }
        if (!Files.isDirectory(model)) {
            throw new UsageException("--model " + model + " is not a directory");
        }
        long loadStart = System.nanoTime();
        try (CpuBackend backend = CpuBackend.create(ModelLoader.load(model), threads)) {
            err.printf("loaded %s in %.1f s (%d threads)%n", model, (System.nanoTime() - loadStart) / 1e9, threads);
            int tokensPerRequest = prefixTokens + suffixTokens + maxTokens;
            long kvBytes = kvCacheMb.map(mb -> (long) mb << 20).orElseGet(() ->
                    2L * backend.kvBlockBytes(blockSize) * ((long) (concurrency + 1) * tokensPerRequest / blockSize + concurrency + 1));
            try (LlmEngine engine = LlmEngine.builder().backend(backend).maxBatchedTokens(maxBatch)
                    .maxRunningRequests(concurrency).blockSize(blockSize).kvCacheBytes(kvBytes)
                    .stateCacheBytes((long) stateCacheMb << 20).snapshotInterval(snapshotInterval)
                    .enablePrefixCache(!noPrefixCache).modelId(model.toString()).build()) {
                warmUp(engine, backend.config().vocabSize(), err);
                EngineStats before = engine.stats();
                List<GenerationRequest> requests = workload(workload, numRequests, prefixTokens, suffixTokens, maxTokens,
                        backend.config().vocabSize(), seed);
                long t0 = System.nanoTime();
                List<GenerationResult> results = closedLoop(engine, requests, concurrency, err);
                double wallS = (System.nanoTime() - t0) / 1e9;
                Map<String, Object> json = report(results, wallS, before, engine.stats());
                json.put("workload", workload);
                json.put("prefix_cache", !noPrefixCache);
                json.put("concurrency", concurrency);
                json.put("max_batch", maxBatch);
                json.put("threads", threads);
                json.put("backend", backend.name());
                json.put("kv_cache_bytes", kvBytes);
                out.println(new ObjectMapper().writeValueAsString(json));
            }
        }
        return 0;
    }

    private static void warmUp(LlmEngine engine, int vocab, PrintStream err) throws Exception {
        long t0 = System.nanoTime();
        Random rnd = new Random(-1);
        List<RequestHandle> handles = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            int[] prompt = new int[64];
            Arrays.setAll(prompt, k -> rnd.nextInt(vocab));
            handles.add(engine.submit(new GenerationRequest("warmup-" + i, new Prompt.Tokens(prompt), SamplingParams.greedy(8),
                    0, Optional.empty(), "warmup", OptionalInt.empty())));
        }
        for (RequestHandle h : handles) {
            h.result().get(10, TimeUnit.MINUTES);
        }
        err.printf("warm-up %.1f s%n", (System.nanoTime() - t0) / 1e9);
    }

    static List<GenerationRequest> workload(String workload, int n, int prefixTokens, int suffixTokens, int maxTokens,
                                            int vocab, long seed) {
        Random rnd = new Random(seed);
        int[] prefix = new int[prefixTokens];
        Arrays.setAll(prefix, i -> rnd.nextInt(vocab));
        boolean shared = workload.equals("shared-prefix");
        List<GenerationRequest> out = new ArrayList<>(n);
        for (int r = 0; r < n; r++) {
            int[] prompt = new int[prefixTokens + suffixTokens];
            for (int i = 0; i < prompt.length; i++) {
                prompt[i] = shared && i < prefixTokens ? prefix[i] : rnd.nextInt(vocab);
            }
            out.add(new GenerationRequest("bench-" + r, new Prompt.Tokens(prompt), SamplingParams.greedy(maxTokens), 0,
                    Optional.empty(), "bench", shared && prefixTokens > 0 ? OptionalInt.of(prefixTokens) : OptionalInt.empty()));
        }
        return out;
    }

    private static List<GenerationResult> closedLoop(LlmEngine engine, List<GenerationRequest> requests, int concurrency,
                                                     PrintStream err) throws Exception {
        Semaphore inFlight = new Semaphore(concurrency);
        List<RequestHandle> handles = new ArrayList<>();
        long t0 = System.nanoTime();
        for (GenerationRequest r : requests) {
            inFlight.acquire();
            RequestHandle h = engine.submit(r);
            h.result().whenComplete((res, e) -> inFlight.release());
            handles.add(h);
            if (handles.size() % Math.max(1, requests.size() / 8) == 0) {
                err.printf("%.1f s: submitted %d/%d%n", (System.nanoTime() - t0) / 1e9, handles.size(), requests.size());
            }
        }
        List<GenerationResult> results = new ArrayList<>();
        for (RequestHandle h : handles) {
            GenerationResult res = h.result().get(1, TimeUnit.HOURS);
            if (res.error().isPresent()) {
                throw new IllegalStateException("request " + res.id() + " failed: " + res.error().get());
            }
            results.add(res);
        }
        return results;
    }

    static Map<String, Object> report(List<GenerationResult> results, double wallS, EngineStats before, EngineStats after) {
        long promptTokens = 0;
        long cached = 0;
        long output = 0;
        double[] ttftMs = new double[results.size()];
        List<Double> itl = new ArrayList<>();
        for (int i = 0; i < results.size(); i++) {
            GenerationResult r = results.get(i);
            promptTokens += r.usage().promptTokens();
            cached += r.usage().cachedPromptTokens();
            output += r.usage().generatedTokens();
            ttftMs[i] = r.timings().timeToFirstTokenNanos() / 1e6;
            for (long gap : r.timings().interTokenNanos()) {
                itl.add(gap / 1e6);
            }
        }
        double[] itlMs = itl.stream().mapToDouble(Double::doubleValue).toArray();
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("requests", results.size());
        json.put("prompt_tokens_computed", after.promptTokensComputed() - before.promptTokensComputed());
        json.put("prompt_tokens_cached", cached);
        json.put("output_tokens", output);
        json.put("wall_seconds", round(wallS));
        json.put("output_tokens_per_s", round(output / wallS));
        json.put("total_tokens_per_s", round((promptTokens + output) / wallS));
        json.put("ttft_p50_ms", round(percentile(ttftMs, 50)));
        json.put("ttft_p99_ms", round(percentile(ttftMs, 99)));
        json.put("itl_p50_ms", round(percentile(itlMs, 50)));
        json.put("itl_p99_ms", round(percentile(itlMs, 99)));
        json.put("prefix_hit_rate", round(promptTokens == 0 ? 0 : (double) cached / promptTokens));
        json.put("preemptions", after.numPreemptions() - before.numPreemptions());
        json.put("prompt_tokens", promptTokens);
        return json;
    }

    /** Nearest-rank percentile; 0 for no samples. */
    static double percentile(double[] v, double p) {
        if (v.length == 0) {
            return 0;
        }
        double[] s = v.clone();
        Arrays.sort(s);
        int rank = (int) Math.ceil(p / 100.0 * s.length);
        return s[Math.max(0, Math.min(s.length - 1, rank - 1))];
    }

    static double round(double x) {
        return Math.round(x * 1000) / 1000.0;
    }
}
