package io.streamlm.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamlm.backend.CacheLayout;
import io.streamlm.backend.SeqChunk;
import io.streamlm.backend.cpu.CpuBackend;
import io.streamlm.backend.cpu.SharedFixtures;
import io.streamlm.model.CheckpointLayout;
import io.streamlm.model.DType;
import io.streamlm.model.LayerType;
import io.streamlm.model.ModelConfig;
import io.streamlm.model.ModelWeights;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

/**
 * Whole-backend checks, run on a GPU by {@link CudaBackendGpuTest} (and with the twin in the GPU's seat by
 * {@link BackendChecksTwinTest}, so the checks themselves are exercised everywhere): the f32 mode passes the conformance fixtures like the CPU backend and matches
 * it on engine-like batches; the bf16 fast path stays within a stated relative error of the f32 mode, with
 * greedy agreement measured over many prompts; device-made dummy weights equal the twin's.
 */
final class BackendChecks {
    /** Builds the backend under test: the GPU, or the twin standing in for it. */
    interface Maker {
        CudaBackend create(ModelWeights w, Precision p);

        CudaBackend dummy(ModelConfig c, long seed);
    }

    static final Maker GPU = new Maker() {
        @Override
        public CudaBackend create(ModelWeights w, Precision p) {
            return CudaBackend.create(w, p);
        }

        @Override
        public CudaBackend dummy(ModelConfig c, long seed) {
            return CudaBackend.dummy(c, seed);
        }
    };

    static final Maker TWIN = new Maker() {
        @Override
        public CudaBackend create(ModelWeights w, Precision p) {
            return TwinForwardTest.twin(w, p);
        }

        @Override
        public CudaBackend dummy(ModelConfig c, long seed) {
            TwinOps ops = new TwinOps();
            return new CudaBackend(ops, DeviceModel.dummy(ops, c, seed), Precision.BF16, "twin");
        }
    };

    private BackendChecks() {}

    /** Larger than the twin test's model: real Qwen head sizes so every kernel runs its production geometry. */
    static ModelConfig mediumConfig() {
        return new ModelConfig(CheckpointLayout.CAUSAL, 512, 1024, 4099,
                List.of(LayerType.LINEAR_ATTENTION, LayerType.LINEAR_ATTENTION, LayerType.LINEAR_ATTENTION,
                        LayerType.FULL_ATTENTION),
                4, 2, 256, 64, 1e7, 1e-6, 2, 4, 128, 128, 4, false, 262144);
    }

    static void conformanceFixturesInF32Mode(Maker maker) throws Exception {
        Path root = SharedFixtures.sharedDir().resolve("conformance");
        try (java.util.stream.Stream<Path> dirs = java.nio.file.Files.list(root)) {
            for (Path dir : dirs.filter(d -> java.nio.file.Files.exists(d.resolve("golden.json"))).toList()) {
                try (CudaBackend b = maker.create(SharedFixtures.load(dir), Precision.F32)) {
                    double d = Golden.check(b, dir, 1e-3);
                    System.out.printf("gpu f32 mode vs %s golden: max |logit diff| %.3g%n", dir.getFileName(), d);
                }
            }
        }
    }

    static void f32ModeMatchesCpuBackend(Maker maker, List<ModelConfig> configs) {
        for (ModelConfig c : configs) {
            ModelWeights w = SharedFixtures.random(c, DType.BF16, 21);
            try (CudaBackend gpu = maker.create(w, Precision.F32); CpuBackend cpu = CpuBackend.create(w, 2)) {
                double worst = Scenarios.mixedBatches(gpu, cpu, 6);
                System.out.printf("gpu f32 mode vs CPU backend (hidden %d): relative logits difference %.3g%n",
                        c.hiddenSize(), worst);
                assertTrue(worst < 1e-4, "relative difference " + worst);
            }
        }
    }

    /** Stated bound: relative logits error of the bf16 path <= 3e-2; greedy first-token agreement >= 90%. */
    static void bf16FastPathErrorAndGreedyAgreement(Maker maker, ModelConfig c, int prompts) {
        ModelWeights w = SharedFixtures.random(c, DType.BF16, 22);
        try (CudaBackend fast = maker.create(w, Precision.BF16); CudaBackend exact = maker.create(w, Precision.F32)) {
            double worst = Scenarios.mixedBatches(fast, exact, 7);
            CacheLayout layout = new CacheLayout(64, 16, 2);
            fast.allocateCaches(layout);
            exact.allocateCaches(layout);
            Random rnd = new Random(23);
            int firstSame = 0, tokensSame = 0, tokens = 0;
            int[] table = java.util.stream.IntStream.range(0, 64).toArray();
            for (int p = 0; p < prompts; p++) {
                int[] prompt = rnd.ints(24 + rnd.nextInt(40), 0, c.vocabSize()).toArray();
                int[] a = greedy(fast, prompt, table, 8), b = greedy(exact, prompt, table, 8);
                firstSame += a[0] == b[0] ? 1 : 0;
                int k = 0;
                while (k < a.length && a[k] == b[k]) {
                    k++;
                }
                tokensSame += k;
                tokens += a.length;
            }
            System.out.printf("gpu bf16 vs f32: relative logits error %.3g; greedy first token agrees on %d/%d prompts, "
                    + "%d/%d continuation tokens before the first divergence%n", worst, firstSame, prompts, tokensSame, tokens);
            assertTrue(worst <= 3e-2, "bf16 relative logits error " + worst);
            assertTrue(firstSame >= 0.9 * prompts, "greedy first-token agreement " + firstSame + "/" + prompts);
        }
    }

    private static int[] greedy(CudaBackend b, int[] prompt, int[] table, int n) {
        b.resetState(0);
        int[] out = new int[n];
        float[] logits = b.forward(List.of(new SeqChunk(prompt, 0, table, 0, true)))[0];
        for (int i = 0; i < n; i++) {
            out[i] = Golden.argmax(logits);
            logits = b.forward(List.of(new SeqChunk(new int[] {out[i]}, prompt.length + i, table, 0, true)))[0];
        }
        return out;
    }

    static void dummyWeightsAndDeviceSamplingMatchTheTwin(Maker maker, ModelConfig c) {
        try (CudaBackend gpu = maker.dummy(c, 5)) {
            TwinOps ops = new TwinOps();
            try (CudaBackend twin = new CudaBackend(ops, DeviceModel.dummy(ops, c, 5), Precision.BF16, "twin")) {
                double worst = Scenarios.mixedBatches(gpu, twin, 8);
                System.out.printf("gpu dummy bf16 model vs twin: relative logits difference %.3g%n", worst);
                assertTrue(worst < 2e-2, "relative difference " + worst);
                int[] table = {0, 1, 2, 3};
                List<SeqChunk> step = List.of(new SeqChunk(new int[] {1, 2, 3}, 0, table, 0, true));
                gpu.resetState(0);
                twin.resetState(0);
                Sampled g = gpu.forwardSample(step, List.of(SampleRow.greedy()))[0];
                gpu.resetState(0);
                float[] logits = gpu.forward(step)[0];
                assertTrue(g.tokenId() == Golden.argmax(logits), "device greedy " + g + " vs host argmax " + Golden.argmax(logits));
            }
        }
    }

    static void stateSnapshotsOnTheDevice(Maker maker, ModelConfig c) {
        ModelWeights w = SharedFixtures.random(c, DType.BF16, 24);
        try (CudaBackend b = maker.create(w, Precision.F32)) {
            b.allocateCaches(new CacheLayout(8, 16, 3));
            int[] table = {0, 1};
            b.forward(List.of(new SeqChunk(new int[] {5, 9, 3, 77, 12}, 0, table, 0, false)));
            b.copyState(0, 2);
            float[] a = b.forward(List.of(new SeqChunk(new int[] {42}, 5, table, 0, true)))[0];
            float[] resumed = b.forward(List.of(new SeqChunk(new int[] {42}, 5, table, 2, true)))[0];
            assertArrayEquals(a, resumed, 0f);
        }
    }
}
