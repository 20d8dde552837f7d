package io.streamlm.backend.cuda;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamlm.backend.CacheLayout;
import io.streamlm.backend.SeqChunk;
import io.streamlm.engine.GenerationRequest;
import io.streamlm.engine.GenerationResult;
import io.streamlm.engine.LlmEngine;
import io.streamlm.engine.Prompt;
import io.streamlm.engine.RequestHandle;
import io.streamlm.engine.SamplingParams;
import io.streamlm.engine.TokenListener;
import io.streamlm.model.ModelConfig;
import io.streamlm.model.ModelPreset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The GPU benchmark of gpu-check.sh: {@code GpuBench OUTDIR [PRESET]}. Writes one JSON file per part under
 * OUTDIR (and prints each as a line): ceilings (device-to-device copy GB/s, our bf16 matmul TFLOP/s), decode
 * (step time at batch 1/16/64/256 against the floor weight bytes / copy bandwidth), prefill (2,048-token
 * prompt tokens/s against the matmul ceiling) and serve (the engine, 128 in / 128 out at 16 concurrent).
 * Dummy bf16 weights are generated on the device. A part that fails records its error and the next runs.
 */
public final class GpuBench {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path outDir;
    private final Map<String, Object> ceilings = new LinkedHashMap<>();

    private GpuBench(Path outDir) {
        this.outDir = outDir;
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: GpuBench OUTDIR [preset: " + ModelPreset.cliNames() + ", default qwen3.6-27b]\n"
                    + "       GpuBench --probe OUTDIR   (writes probe.json; exit 0 with a GPU, 3 without)");
            System.exit(2);
        }
        if (args[0].equals("--probe")) {
            Path out = Path.of(args[1]);
            Files.createDirectories(out);
            System.exit(new GpuBench(out).probe() ? 0 : 3);
        }
        Path out = Path.of(args[0]);
        Files.createDirectories(out);
        ModelPreset preset = ModelPreset.fromCliName(args.length > 1 ? args[1] : "qwen3.6-27b")
                .orElseThrow(() -> new IllegalArgumentException("unknown preset " + args[1] + ", expected " + ModelPreset.cliNames()));
        GpuBench b = new GpuBench(out);
        if (!CudaProbe.available()) {
            b.write("gpu", Map.of("available", false, "reason", CudaProbe.reason().orElse("")));
            System.exit(3);
        }
        boolean ok = b.part("ceilings", b::ceilings);
        try (CudaBackend backend = CudaBackend.dummy(preset.toConfig(), 1234)) {
            ok &= b.part("decode", () -> b.decode(backend, preset));
            ok &= b.part("prefill", () -> b.prefill(backend, preset));
            ok &= b.part("serve", () -> b.serve(backend, preset));
        }
        System.exit(ok ? 0 : 1);
    }

    /** The probe's answer plus, with a GPU, the device and the kernel file it would load. */
    private boolean probe() {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("available", CudaProbe.available());
        r.put("reason", CudaProbe.reason().orElse(""));
        r.put("kernels_in_jar", KernelFiles.manifest().map(Object::toString).orElse(KernelFiles.NO_NVCC));
        if (CudaProbe.available()) {
            try {
                CudaDevice d = CudaDevice.open();
                r.put("device", d.describe());
                r.put("driver_version", Driver.driverVersion());
                r.put("memory_free_total_bytes", Driver.memInfo());
                d.function("swiglu", "swiglu"); // loads one module: proves the cubin/PTX choice works here
                r.put("kernel_file_example", d.loadedFiles());
            } catch (Throwable t) {
                r.put("error", t.getClass().getSimpleName() + ": " + t.getMessage());
                write("probe", r);
                return false;
            }
        }
        write("probe", r);
        return CudaProbe.available();
    }

    interface Part {
        Map<String, Object> run() throws Exception;
    }

    private boolean part(String name, Part p) {
        Map<String, Object> result;
        boolean ok = true;
        try {
            result = p.run();
        } catch (Throwable t) {
            result = new LinkedHashMap<>();
            result.put("error", t.getClass().getSimpleName() + ": " + t.getMessage());
            t.printStackTrace();
            ok = false;
        }
        write(name, result);
        return ok;
    }

    private void write(String name, Map<String, Object> result) {
        try {
            String line = JSON.writeValueAsString(Map.of(name, result));
            Files.writeString(outDir.resolve(name + ".json"), line + "\n");
            System.out.println(line);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private Map<String, Object> ceilings() {
        CudaDevice d = CudaDevice.open();
        CudaOps ops = new CudaOps(d);
        Map<String, Object> r = ceilings;
        r.put("device", d.describe());
        r.put("driver_version", Driver.driverVersion());
        long bytes = 4L << 30;
        Buf a = ops.alloc(Buf.Elem.F32, bytes / 4, "copy src"), b = ops.alloc(Buf.Elem.F32, bytes / 4, "copy dst");
        ops.zero(a, a.length());
        double ms = timeMillis(ops, 10, () -> ops.copy(b, a, a.length()));
        r.put("copy_bytes", bytes);
        r.put("copy_gbps", 2.0 * bytes / (ms * 1e6)); // read + write
        ops.free(a);
        ops.free(b);
        for (int[] mnk : new int[][] {{8192, 8192, 8192}, {2048, 34816, 5120}}) {
            int m = mnk[0], n = mnk[1], k = mnk[2];
            Buf x = ops.alloc(Buf.Elem.F32, (long) m * k, "x"), w = ops.alloc(Buf.Elem.BF16, (long) n * k, "w");
            Buf y = ops.alloc(Buf.Elem.F32, (long) m * n, "y");
            ops.initHash(x, x.length(), 1, 1, 0);
            ops.initHash(w, w.length(), 2, 0.02f, 0);
            double mms = timeMillis(ops, 5, () -> ops.matmul(y, n, x, k, w, m, n, k, false, Precision.BF16));
            r.put("matmul_bf16_tflops_" + m + "x" + n + "x" + k, 2.0 * m * n * k / (mms * 1e9));
            ops.free(x);
            ops.free(w);
            ops.free(y);
        }
        r.put("kernel_files", d.loadedFiles());
        return r;
    }

    private static double timeMillis(CudaOps ops, int reps, Runnable op) {
        op.run(); // warm-up (module load, clocks)
        ops.synchronize();
        var start = Driver.event();
        var end = Driver.event();
        Driver.record(start, ops.device.stream);
        for (int i = 0; i < reps; i++) {
            op.run();
        }
        Driver.record(end, ops.device.stream);
        return Driver.elapsedMillis(start, end) / reps;
    }

    private Map<String, Object> decode(CudaBackend backend, ModelPreset preset) {
        int context = 128, steps = 12, blockSize = 16;
        int blocksPerSeq = (context + steps + 2 + blockSize - 1) / blockSize;
        int maxBatch = 256;
        backend.allocateCaches(new CacheLayout(maxBatch * blocksPerSeq, blockSize, maxBatch));
        double gbps = ((Number) ceilings.getOrDefault("copy_gbps", Double.NaN)).doubleValue();
        long weightBytes = backend.weightBytesPerStep();
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("model", preset.cliName());
        r.put("weight_bytes_per_step", weightBytes);
        r.put("floor_ms", weightBytes / (gbps * 1e6));
        r.put("context_tokens", context);
        for (int batch : new int[] {1, 16, 64, 256}) {
            double[] ms = new double[steps];
            for (int s = 0; s < steps; s++) {
                List<SeqChunk> chunks = new ArrayList<>();
                List<SampleRow> rows = new ArrayList<>();
                for (int q = 0; q < batch; q++) {
                    int[] table = new int[blocksPerSeq];
                    for (int j = 0; j < table.length; j++) {
                        table[j] = q * blocksPerSeq + j;
                    }
                    chunks.add(new SeqChunk(new int[] {(q * 31 + s) % 1000}, context + s, table, q, true));
                    rows.add(SampleRow.greedy());
                }
                long t0 = System.nanoTime();
                backend.forwardSample(chunks, rows);
                ms[s] = (System.nanoTime() - t0) / 1e6;
            }
            double med = median(Arrays.copyOfRange(ms, 2, steps));
            Map<String, Object> b = new LinkedHashMap<>();
            b.put("step_ms_median", med);
            b.put("vs_floor", med / (weightBytes / (gbps * 1e6)));
            b.put("tokens_per_s", batch * 1000.0 / med);
            r.put("batch_" + batch, b);
            if (batch == 64) {
                int at = context + steps;
                List<SeqChunk> one = new ArrayList<>();
                for (int q = 0; q < batch; q++) {
                    int[] table = new int[blocksPerSeq];
                    for (int j = 0; j < table.length; j++) {
                        table[j] = q * blocksPerSeq + j;
                    }
                    one.add(new SeqChunk(new int[] {q}, at, table, q, true));
                }
                List<SampleRow> greedy = java.util.Collections.nCopies(batch, SampleRow.greedy());
                r.put("profile_batch_64_ms", summarize(backend.profile(() -> backend.forwardSample(one, greedy))));
            }
        }
        return r;
    }

    private Map<String, Object> prefill(CudaBackend backend, ModelPreset preset) {
        int promptTokens = 2048, blockSize = 16;
        backend.allocateCaches(new CacheLayout(promptTokens / blockSize + 1, blockSize, 1));
        int[] table = java.util.stream.IntStream.range(0, promptTokens / blockSize + 1).toArray();
        int[] prompt = java.util.stream.IntStream.range(0, promptTokens).map(i -> (i * 7919) % 100_000).toArray();
        double[] ms = new double[4];
        for (int i = 0; i < ms.length; i++) {
            backend.resetState(0);
            long t0 = System.nanoTime();
            backend.forwardSample(List.of(new SeqChunk(prompt, 0, table, 0, true)), List.of(SampleRow.greedy()));
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        double med = median(Arrays.copyOfRange(ms, 1, ms.length));
        backend.resetState(0);
        Map<String, Object> profile = summarize(backend.profile(() -> backend.forwardSample(
                List.of(new SeqChunk(prompt, 0, table, 0, true)), List.of(SampleRow.greedy()))));
        ModelConfig c = preset.toConfig();
        double flopsPerToken = 2.0 * (backend.weightBytesPerStep() / 2.0 - (double) c.vocabSize() * c.hiddenSize());
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("prompt_tokens", promptTokens);
        r.put("ms_median", med);
        r.put("tokens_per_s", promptTokens * 1000.0 / med);
        r.put("matmul_flops_per_token", flopsPerToken);
        r.put("profile_ms", profile);
        Object ceiling = ceilings.get("matmul_bf16_tflops_2048x34816x5120");
        if (ceiling instanceof Number tf) {
            double ceilingTokS = tf.doubleValue() * 1e12 / flopsPerToken;
            r.put("matmul_ceiling_tokens_per_s", ceilingTokS);
            r.put("fraction_of_ceiling", promptTokens * 1000.0 / med / ceilingTokS);
        }
        return r;
    }

    private Map<String, Object> serve(CudaBackend backend, ModelPreset preset) throws Exception {
        int numRequests = 64, concurrency = 16, in = 128, out = 128;
        try (LlmEngine engine = LlmEngine.builder().backend(backend).maxRunningRequests(concurrency)
                .maxBatchedTokens(2048).blockSize(16).kvCacheBytes(8L << 30).stateCacheBytes(0).build()) {
            java.util.concurrent.Semaphore slots = new java.util.concurrent.Semaphore(concurrency);
            List<RequestHandle> handles = new ArrayList<>();
            long t0 = System.nanoTime();
            for (int i = 0; i < numRequests; i++) {
                slots.acquire();
                int seed = i;
                int[] prompt = java.util.stream.IntStream.range(0, in).map(j -> (seed * 131 + j * 17) % 200_000).toArray();
                RequestHandle h = engine.submit(GenerationRequest.of("r" + i, new Prompt.Tokens(prompt),
                        SamplingParams.greedy(out)), (id, text) -> { });
                h.result().whenComplete((res, err) -> slots.release());
                handles.add(h);
            }
            List<GenerationResult> results = new ArrayList<>();
            for (RequestHandle h : handles) {
                results.add(h.result().get());
            }
            double wallS = (System.nanoTime() - t0) / 1e9;
            long outTokens = results.stream().mapToLong(g -> g.tokenIds().length).sum();
            double[] ttft = results.stream().mapToDouble(g -> g.timings().timeToFirstTokenNanos() / 1e6).toArray();
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("requests", numRequests);
            r.put("concurrency", concurrency);
            r.put("input_tokens", in);
            r.put("output_tokens_per_request", out);
            r.put("output_tokens", outTokens);
            r.put("wall_s", wallS);
            r.put("output_tokens_per_s", outTokens / wallS);
            r.put("ttft_ms_median", median(ttft));
            r.put("vllm_h100_bf16_anchor_tokens_per_s", 439);
            return r;
        }
    }

    /** kernel -> "total ms over n launches", largest first. */
    private static Map<String, Object> summarize(Map<String, double[]> p) {
        Map<String, Object> out = new LinkedHashMap<>();
        p.entrySet().stream().sorted((a, b) -> Double.compare(b.getValue()[0], a.getValue()[0]))
                .forEach(e -> out.put(e.getKey(), String.format("%.3f ms / %d", e.getValue()[0], (long) e.getValue()[1])));
        return out;
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length == 0 ? Double.NaN : s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
