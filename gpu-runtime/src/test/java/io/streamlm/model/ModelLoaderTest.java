package io.streamlm.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelLoaderTest {
    @TempDir
    Path dir;

    @Test
    void loadsTinyAAndSkipsMtp() {
        ModelWeights w = ModelLoader.load(LoaderFixtures.sharedDir().resolve("conformance/tiny-a"));
        assertEquals(4, w.layers().size());
        assertInstanceOf(LayerWeights.LinearAttention.class, w.layers().get(0));
        assertInstanceOf(LayerWeights.FullAttention.class, w.layers().get(3));
        assertEquals("model.language_model.embed_tokens.weight", w.embedding().name());
        assertEquals("lm_head.weight", w.lmHead().name());
        assertEquals(64, w.finalNorm().length);
        LayerWeights.LinearAttention l0 = (LayerWeights.LinearAttention) w.layers().get(0);
        assertEquals((2 * 4 * 16 + 4 * 16) * 4, l0.conv1d().length); // [convDim, 1, K] flattened
        assertEquals(DType.BF16, l0.inProjQkv().dtype());
    }

    @Test
    void causalLayoutVectorsAndMatrices() throws IOException {
        SafetensorsWriter wr = LoaderFixtures.writeCheckpoint(dir, LoaderFixtures.causalConfig(), DType.F32);
        ModelWeights w = ModelLoader.load(dir);
        LayerWeights.LinearAttention l0 = (LayerWeights.LinearAttention) w.layers().get(0);
        LayerWeights.FullAttention l1 = (LayerWeights.FullAttention) w.layers().get(1);
        assertArrayEquals(new long[] {2 * 2 * 4 + 4 * 6, 16}, l0.inProjQkv().shape());
        assertArrayEquals(new long[] {2 * 2 * 12, 16}, l1.qProj().shape());
        assertEquals(4, l0.aLog().length);
        assertEquals(6, l0.norm().length);
        float[] want = floats(wr.tensors().get("model.layers.0.linear_attn.A_log").bytes());
        assertArrayEquals(want, l0.aLog());
    }

    @Test
    void tiedHeadIsTheEmbedding() throws IOException {
        ObjectNode cfg = LoaderFixtures.causalConfig();
        cfg.put("tie_word_embeddings", true);
        LoaderFixtures.writeCheckpoint(dir, cfg, DType.BF16);
        ModelWeights w = ModelLoader.load(dir);
        assertSame(w.embedding(), w.lmHead());
    }

    @Test
    void f16MatricesAreWidenedToF32() throws IOException {
        SafetensorsWriter wr = LoaderFixtures.writeCheckpoint(dir, LoaderFixtures.causalConfig(), DType.F16);
        ModelWeights w = ModelLoader.load(dir);
        Tensor up = w.layers().get(1).mlp().up();
        assertEquals(DType.F32, up.dtype());
        Tensor stored = Checkpoint.open(dir).tensor("model.layers.1.mlp.up_proj.weight");
        assertEquals(DType.F16, stored.dtype());
        assertArrayEquals(stored.toFloatArray(), up.toFloatArray());
        assertTrue(wr.tensors().size() > 10);
    }

    @Test
    void shapeMismatchNamesTensorAndShapes() throws IOException {
        SafetensorsWriter wr = LoaderFixtures.writeCheckpoint(dir, LoaderFixtures.causalConfig(), DType.F32);
        wr.random("model.layers.1.self_attn.k_proj.weight", DType.F32, new long[] {24, 16}, new Random(1));
        wr.write(dir.resolve("model.safetensors"));
        assertError("model.layers.1.self_attn.k_proj.weight", "[24, 16]", "[12, 16]", "model.safetensors");
    }

    @Test
    void missingTensorIsNamed() throws IOException {
        SafetensorsWriter wr = LoaderFixtures.writeCheckpoint(dir, LoaderFixtures.causalConfig(), DType.F32);
        wr.tensors().remove("lm_head.weight");
        wr.write(dir.resolve("model.safetensors"));
        assertError("lm_head.weight", "[40, 16]");
    }

    @Test
    void unexpectedDecoderTensorsAreRejected() throws IOException {
        SafetensorsWriter wr = LoaderFixtures.writeCheckpoint(dir, LoaderFixtures.causalConfig(), DType.F32);
        wr.random("model.layers.2.mlp.up_proj.weight", DType.F32, new long[] {24, 16}, new Random(1));
        wr.write(dir.resolve("model.safetensors"));
        assertError("model.layers.2.mlp.up_proj.weight", "unexpected");
        wr.tensors().remove("model.layers.2.mlp.up_proj.weight");
        wr.random("model.language_model.norm.weight", DType.F32, new long[] {16}, new Random(1));
        wr.write(dir.resolve("model.safetensors"));
        assertError("model.language_model.norm.weight", "unexpected");
    }

    @Test
    void visionAndMtpTensorsAreSkippedButAddressable() throws IOException {
        SafetensorsWriter wr = LoaderFixtures.writeCheckpoint(dir, LoaderFixtures.causalConfig(), DType.F32);
        wr.random("model.visual.patch_embed.proj.weight", DType.F32, new long[] {3, 5}, new Random(1));
        wr.random("mtp.fc.weight", DType.F32, new long[] {16, 32}, new Random(1));
        wr.write(dir.resolve("model.safetensors"));
        assertEquals(2, ModelLoader.load(dir).layers().size());
        assertArrayEquals(new long[] {16, 32}, Checkpoint.open(dir).tensor("mtp.fc.weight").shape());
    }

    private void assertError(String... mentions) {
        CheckpointException e = assertThrows(CheckpointException.class, () -> ModelLoader.load(dir));
        for (String m : mentions) {
            assertTrue(e.getMessage().contains(m), "message should mention '" + m + "': " + e.getMessage());
        }
    }

    private static float[] floats(byte[] f32) {
        java.nio.FloatBuffer fb = java.nio.ByteBuffer.wrap(f32).order(java.nio.ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        float[] out = new float[fb.remaining()];
        fb.get(out);
        return out;
    }
}
