package io.streamlm.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamlm.backend.Backend;
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
import org.junit.jupiter.api.Test;

/**
 * The GPU forward orchestration ({@link ForwardPass}: fused projections, strides, paged KV, state-slot
 * layout, attention dispatch) run on the kernels' CPU twins, against the CPU backend and the conformance
 * fixtures. Runs everywhere; the GPU tests then compare each kernel with its twin.
 */
class TwinForwardTest {

    static CudaBackend twin(ModelWeights w, Precision p) {
        TwinOps ops = new TwinOps();
        return new CudaBackend(ops, DeviceModel.upload(ops, w, p), p, "cpu twin");
    }

    /** Qwen3.5-shaped small hybrid: grouped value heads, GQA, partial RoPE, head dim not a multiple of 32. */
    static ModelConfig smallConfig() {
        return new ModelConfig(CheckpointLayout.CAUSAL, 64, 96, 131,
                List.of(LayerType.LINEAR_ATTENTION, LayerType.FULL_ATTENTION, LayerType.LINEAR_ATTENTION,
                        LayerType.FULL_ATTENTION),
                4, 2, 40, 10, 10000.0, 1e-6, 2, 4, 16, 24, 4, false, 4096);
    }

    @Test
    void tinyAMatchesGoldenInF32Mode() throws Exception {
        Path dir = SharedFixtures.sharedDir().resolve("conformance/tiny-a");
        try (CudaBackend b = twin(SharedFixtures.load(dir), Precision.F32)) {
            double d = Golden.check(b, dir, 1e-3);
            System.out.printf("twin f32 mode vs tiny-a golden: max |logit diff| %.3g%n", d);
        }
    }

    @Test
    void batchedChunksMatchCpuBackend() {
        ModelWeights w = SharedFixtures.random(smallConfig(), DType.BF16, 11);
        try (CudaBackend gpu = twin(w, Precision.F32); CpuBackend cpu = CpuBackend.create(w, 1)) {
            double worst = Scenarios.mixedBatches(gpu, cpu, 5);
            System.out.printf("twin f32 mode vs CPU backend: relative logits difference %.3g%n", worst);
            assertTrue(worst < 1e-4, "relative logits difference vs CPU backend " + worst);
        }
    }

    @Test
    void bf16FastPathStaysCloseToF32() {
        ModelWeights w = SharedFixtures.random(smallConfig(), DType.BF16, 12);
        try (CudaBackend fast = twin(w, Precision.BF16); CudaBackend exact = twin(w, Precision.F32)) {
            double worst = Scenarios.mixedBatches(fast, exact, 5);
            System.out.printf("twin bf16 fast path vs f32 mode: relative logits difference %.3g%n", worst);
            assertTrue(worst < 5e-2, "bf16 path relative logits difference " + worst);
            assertTrue(worst > 0, "the bf16 path must actually round (prefill chunks exceed 8 rows)");
        }
    }

    @Test
    void copyAndResetStateAreSnapshots() {
        ModelWeights w = SharedFixtures.random(smallConfig(), DType.BF16, 13);
        try (CudaBackend b = twin(w, Precision.F32)) {
            b.allocateCaches(new CacheLayout(8, 16, 3));
            int[] table = {0, 1};
            int[] prompt = {5, 9, 3, 77, 12};
            b.forward(List.of(new SeqChunk(prompt, 0, table, 0, false)));
            b.copyState(0, 1);
            float[] a = b.forward(List.of(new SeqChunk(new int[] {42}, 5, table, 0, true)))[0];
            float[] again = b.forward(List.of(new SeqChunk(new int[] {42}, 5, table, 1, true)))[0];
            assertArrayEquals(a, again, 0f, "a copied slot continues exactly like its source");
            b.resetState(1);
            b.forward(List.of(new SeqChunk(prompt, 0, table, 1, false)));
            float[] fresh = b.forward(List.of(new SeqChunk(new int[] {42}, 5, table, 1, true)))[0];
            assertArrayEquals(a, fresh, 0f, "a reset slot recomputed from position 0 gives the same logits");
            assertEquals(b.kvBlockBytes(16), 2L * 2 * 16 * 2 * 40 * 4);
        }
    }

    static double relDiff(float[] a, float[] b) {
        double num = 0, den = 1e-30;
        for (int i = 0; i < a.length; i++) {
            if (Float.isNaN(a[i]) || Float.isNaN(b[i])) {
                return Double.POSITIVE_INFINITY;
            }
            num = Math.max(num, Math.abs(a[i] - b[i]));
            den = Math.max(den, Math.abs(b[i]));
        }
        return num / den;
    }

    static void assertSameBackends(Backend a, Backend b) {
        assertEquals(a.config(), b.config());
    }
}
