package io.streamlm.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamlm.backend.CacheLayout;
import io.streamlm.backend.SeqChunk;
import io.streamlm.backend.cpu.CpuBackend;
import io.streamlm.tokenizer.Tokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RandomCheckpointWriterTest {

    private static ModelConfig configOnly(ModelPreset p, CheckpointLayout layout, Path dir) throws IOException {
        Files.writeString(dir.resolve("config.json"), ConfigJsonWriter.config(p, layout, DType.BF16, p.vocabSize - 5));
        return ModelConfig.load(dir);
    }

    @Test
    void qwen35SmallConfigRoundTripsWithThePublishedValues(@TempDir Path dir) throws IOException {
        // expected numbers: the published Qwen/Qwen3.5-0.8B config.json, not this code's constants
        ModelConfig c = configOnly(ModelPreset.QWEN35_0_8B, CheckpointLayout.CONDITIONAL, dir);
        assertEquals(CheckpointLayout.CONDITIONAL, c.layout());
        assertEquals(1024, c.hiddenSize());
        assertEquals(3584, c.intermediateSize());
        assertEquals(248_320, c.vocabSize());
        assertEquals(24, c.numLayers());
        assertEquals(6, c.numFullAttentionLayers());
        assertEquals(LayerType.FULL_ATTENTION, c.layerTypes().get(3));
        assertEquals(LayerType.LINEAR_ATTENTION, c.layerTypes().get(4));
        assertEquals(8, c.numAttentionHeads());
        assertEquals(2, c.numKeyValueHeads());
        assertEquals(256, c.headDim());
        assertEquals(64, c.rotaryDim());
        assertEquals(1e7, c.ropeTheta());
        assertEquals(16, c.linearNumKeyHeads());
        assertEquals(16, c.linearNumValueHeads());
        assertEquals(128, c.linearKeyHeadDim());
        assertEquals(128, c.linearValueHeadDim());
        assertEquals(4, c.linearConvKernelDim());
        assertTrue(c.tieWordEmbeddings());
        assertEquals(262_144, c.maxPositionEmbeddings());
    }

    @Test
    void qwen36LargeConfigRoundTripsWithThePublishedValues(@TempDir Path dir) throws IOException {
        ModelConfig c = configOnly(ModelPreset.QWEN36_27B, CheckpointLayout.CONDITIONAL, dir);
        assertEquals(5120, c.hiddenSize());
        assertEquals(17408, c.intermediateSize());
        assertEquals(64, c.numLayers());
        assertEquals(16, c.numFullAttentionLayers());
        assertEquals(24, c.numAttentionHeads());
        assertEquals(4, c.numKeyValueHeads());
        assertEquals(256, c.headDim());
        assertEquals(16, c.linearNumKeyHeads());
        assertEquals(48, c.linearNumValueHeads());
        assertFalse(c.tieWordEmbeddings());
        JsonNode root = new ObjectMapper().readTree(dir.resolve("config.json").toFile());
        assertEquals("Qwen3_5ForConditionalGeneration", root.get("architectures").get(0).asText());
        JsonNode rope = root.get("text_config").get("rope_parameters");
        assertEquals("[11,11,10]", rope.get("mrope_section").toString());
        assertEquals(1, root.get("text_config").get("mtp_num_hidden_layers").asInt());
        assertEquals(27, root.get("vision_config").get("depth").asInt());
    }

    @Test
    void everyPresetRoundTripsInBothLayouts(@TempDir Path dir) throws IOException {
        for (ModelPreset p : ModelPreset.values()) {
            for (CheckpointLayout layout : CheckpointLayout.values()) {
                ModelConfig c = configOnly(p, layout, dir);
                String what = p + " " + layout;
                assertEquals(layout, c.layout(), what);
                assertEquals(p.hiddenSize, c.hiddenSize(), what);
                assertEquals(p.layerTypes(), c.layerTypes(), what);
                assertEquals(p.vocabSize, c.vocabSize(), what);
                assertEquals(p.tieWordEmbeddings, c.tieWordEmbeddings(), what);
                assertEquals(p.rotaryDim(), c.rotaryDim(), what);
                assertEquals(p.linearNumValueHeads, c.linearNumValueHeads(), what);
            }
        }
    }

    @Test
    void qwen36PlanIsShardedLikeHuggingFace() {
        RandomCheckpointWriter.Plan plan =
                RandomCheckpointWriter.plan(ModelPreset.QWEN36_27B, CheckpointLayout.CONDITIONAL, DType.BF16);
        // 2 bytes per parameter (A_log and the gated norm weights are F32: a few kB more); ~27B + the MTP layer
        long extra = plan.tensorBytes() - 2 * plan.numParameters();
        assertTrue(extra > 0 && extra < 100_000, "bytes beyond 2 per parameter: " + extra);
        assertTrue(plan.numParameters() > 26_500_000_000L && plan.numParameters() < 28_000_000_000L,
                "parameters " + plan.numParameters());
        int n = plan.weightFiles().size();
        assertTrue(n >= 11, "shards " + n);
        assertEquals(String.format("model-00001-of-%05d.safetensors", n), plan.weightFiles().get(0));
        List<SafetensorsLayout.Shard> shards = SafetensorsLayout.plan(
                RandomTensorPlan.build(ModelPreset.QWEN36_27B, CheckpointLayout.CONDITIONAL, DType.BF16),
                SafetensorsLayout.MAX_SHARD_BYTES);
        for (SafetensorsLayout.Shard s : shards) {
            assertTrue(s.fileBytes() <= SafetensorsLayout.MAX_SHARD_BYTES + s.headerBytes().length, s.fileName());
        }
    }

    @Test
    void qwen35SmallPlanIsOneFileOfAboutOnePointFiveGigabytes() {
        RandomCheckpointWriter.Plan plan =
                RandomCheckpointWriter.plan(ModelPreset.QWEN35_0_8B, CheckpointLayout.CONDITIONAL, DType.BF16);
        assertEquals(List.of("model.safetensors"), plan.weightFiles());
        assertTrue(plan.tensorBytes() > 1_400_000_000L && plan.tensorBytes() < 1_700_000_000L, "" + plan.tensorBytes());
    }

    @Test
    void tinyCheckpointLoadsAndRunsWithSaneLogits(@TempDir Path dir) throws IOException {
        RandomCheckpointWriter.write(ModelPreset.TINY, dir, DType.BF16, 7);
        assertEquals(4096, Tokenizer.load(dir).vocabSize());
        Checkpoint ckpt = Checkpoint.open(dir);
        assertEquals(DType.F32, ckpt.dtype("model.language_model.layers.0.linear_attn.A_log"));
        assertEquals(DType.BF16, ckpt.dtype("model.language_model.layers.0.linear_attn.in_proj_qkv.weight"));
        assertTrue(ckpt.contains("mtp.fc.weight"));
        assertLogitsSane(dir);
    }

    @Test
    void causalF32ShardedCheckpointLoadsAndRuns(@TempDir Path dir) throws IOException {
        RandomCheckpointWriter.write(ModelPreset.TINY, dir, DType.F32, 3, CheckpointLayout.CAUSAL, 2, 8_000_000);
        assertTrue(Files.exists(dir.resolve("model.safetensors.index.json")));
        assertFalse(Files.exists(dir.resolve("model.safetensors")));
        long numShards;
        try (var files = Files.list(dir)) {
            numShards = files.filter(f -> f.getFileName().toString().matches("model-\\d{5}-of-\\d{5}\\.safetensors")).count();
        }
        assertTrue(numShards >= 4, "shards: " + numShards); // 32.6 MB of F32 in shards of at most 8 MB
        assertEquals(CheckpointLayout.CAUSAL, ModelConfig.load(dir).layout());
        assertLogitsSane(dir);
    }

    @Test
    void sameSeedSameBytesWhateverTheThreadsDifferentSeedDifferentBytes(@TempDir Path dir) throws IOException {
        Path a = dir.resolve("a");
        Path b = dir.resolve("b");
        Path c = dir.resolve("c");
        RandomCheckpointWriter.write(ModelPreset.TINY, a, DType.BF16, 1, CheckpointLayout.CONDITIONAL, 1);
        RandomCheckpointWriter.write(ModelPreset.TINY, b, DType.BF16, 1, CheckpointLayout.CONDITIONAL, 3);
        RandomCheckpointWriter.write(ModelPreset.TINY, c, DType.BF16, 2, CheckpointLayout.CONDITIONAL, 2);
        byte[] wa = Files.readAllBytes(a.resolve("model.safetensors"));
        assertArrayEquals(wa, Files.readAllBytes(b.resolve("model.safetensors")));
        byte[] wc = Files.readAllBytes(c.resolve("model.safetensors"));
        assertEquals(wa.length, wc.length);
        assertFalse(java.util.Arrays.equals(wa, wc));
    }

    /** One prompt through the CPU backend: finite logits, spread like the plan's, varying argmax. */
    private static void assertLogitsSane(Path dir) {
        try (CpuBackend backend = CpuBackend.create(ModelLoader.load(dir), 2)) {
            backend.allocateCaches(new CacheLayout(8, 16, 1));
            int[] prompt = {5, 17, 3, 1000, 2000, 42, 42, 42, 7, 9};
            java.util.Set<Integer> argmaxes = new java.util.HashSet<>();
            for (int pos = 0; pos < prompt.length; pos++) {
                float[] logits = backend.forward(List.of(new SeqChunk(new int[] {prompt[pos]}, pos,
                        new int[] {0, 1, 2, 3}, 0, true)))[0];
                double sum = 0;
                double sumSq = 0;
                int best = 0;
                for (int i = 0; i < logits.length; i++) {
                    assertTrue(Float.isFinite(logits[i]), "logit " + i + " at position " + pos);
                    sum += logits[i];
                    sumSq += (double) logits[i] * logits[i];
                    best = logits[i] > logits[best] ? i : best;
                }
                double mean = sum / logits.length;
                double std = Math.sqrt(sumSq / logits.length - mean * mean);
                assertTrue(std > 0.5 && std < 5, "logit std " + std + " at position " + pos);
                argmaxes.add(best);
            }
            assertTrue(argmaxes.size() >= 5, "argmax barely varies: " + argmaxes);
        }
    }
}
