package io.streamlm.engine;

import io.streamlm.backend.cpu.CpuBackend;
import io.streamlm.backend.cpu.SharedFixtures;
import io.streamlm.model.ModelLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/** A real small checkpoint (generated once into target/) and helpers to run requests through an engine. */
final class EngineTestSupport {
    private EngineTestSupport() {}

    static final int VOCAB = 256;

    /** 4 layers (2 Gated DeltaNet + 2 gated attention), hidden 64, vocab 256, F32 weights. */
    static synchronized Path checkpoint() throws IOException, InterruptedException {
        Path dir = Path.of("target", "engine-test-checkpoint").toAbsolutePath();
        if (Files.exists(dir.resolve("model.safetensors"))) {
            return dir;
        }
        Path script = sharedDir().resolve("conformance/reference/make_checkpoint.py");
        Process p = new ProcessBuilder("python3", script.toString(), "--out", dir.toString(), "--layout", "causal",
                "--dtype", "F32", "--num-layers", "4", "--full-attention-interval", "2", "--vocab-size",
                String.valueOf(VOCAB), "--seed", "7").redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(2, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IllegalStateException("make_checkpoint.py failed: " + log);
        }
        return dir;
    }

    /** The shared fixtures directory (see {@link SharedFixtures#sharedDir}). */
    static Path sharedDir() {
        return SharedFixtures.sharedDir();
    }

    /** Like {@link #checkpoint()} with vocab 512 and a synthetic byte-level BPE tokenizer of that size. */
    static synchronized Path checkpointWithTokenizer() throws IOException, InterruptedException {
        Path dir = Path.of("target", "engine-test-checkpoint-tok").toAbsolutePath();
        if (Files.exists(dir.resolve("tokenizer.json"))) {
            return dir;
        }
        Path script = sharedDir().resolve("conformance/reference/make_checkpoint.py");
        Process p = new ProcessBuilder("python3", script.toString(), "--out", dir.toString(), "--layout", "causal",
                "--dtype", "F32", "--num-layers", "4", "--full-attention-interval", "2", "--vocab-size", "512",
                "--seed", "5").redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(2, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IllegalStateException("make_checkpoint.py failed: " + log);
        }
        io.streamlm.tokenizer.SyntheticTokenizer.write(512, dir);
        return dir;
    }

    static CpuBackend backend() throws Exception {
        return CpuBackend.create(ModelLoader.load(checkpoint()), 1); // one thread: no spinning worker on a shared machine
    }

    /** A builder over a fresh real backend with small defaults. */
    static LlmEngineBuilder builder() throws Exception {
        return LlmEngine.builder().backend(backend()).blockSize(16).numKvBlocks(512).maxRunningRequests(32)
                .maxBatchedTokens(256).snapshotInterval(32)
                .stateCacheBytes(1 << 20);
    }

    static int[] randomTokens(Random rnd, int n) {
        int[] t = new int[n];
        for (int i = 0; i < n; i++) {
            t[i] = rnd.nextInt(VOCAB);
        }
        return t;
    }

    static int[] concat(int[] a, int[] b) {
        int[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    static GenerationRequest greedy(String id, int[] prompt, int maxTokens) {
        return GenerationRequest.of(id, new Prompt.Tokens(prompt), SamplingParams.greedy(maxTokens));
    }

    /** Runs every request in one engine concurrently and returns the results in order. */
    static List<GenerationResult> runAll(LlmEngine engine, List<GenerationRequest> requests) throws Exception {
        List<RequestHandle> handles = new ArrayList<>();
        for (GenerationRequest r : requests) {
            handles.add(engine.submit(r));
        }
        List<GenerationResult> out = new ArrayList<>();
        for (RequestHandle h : handles) {
            out.add(h.result().get(2, TimeUnit.MINUTES));
        }
        return out;
    }

    /** Runs the requests one after another (each finished before the next is submitted); results in order. */
    static List<GenerationResult> runOneByOne(LlmEngine engine, List<GenerationRequest> requests) throws Exception {
        List<GenerationResult> out = new ArrayList<>();
        for (GenerationRequest r : requests) {
            out.add(engine.submit(r).result().get(1, TimeUnit.MINUTES));
        }
        return out;
    }

    /** Each request alone in a fresh engine without prefix cache, whole prompt in one step: the reference. */
    static List<int[]> reference(List<GenerationRequest> requests) throws Exception {
        List<int[]> out = new ArrayList<>();
        try (LlmEngine engine = builder().enablePrefixCache(false).maxBatchedTokens(4096).build()) {
            for (GenerationRequest r : requests) {
                out.add(engine.submit(r).result().get(2, TimeUnit.MINUTES).tokenIds());
            }
        }
        return out;
    }
}
