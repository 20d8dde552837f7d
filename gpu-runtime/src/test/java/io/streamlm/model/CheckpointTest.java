package io.streamlm.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointTest {
    @TempDir
    Path dir;

    @Test
    void tinyAHasEveryTensorIncludingMtp() {
        Checkpoint c = Checkpoint.open(LoaderFixtures.sharedDir().resolve("conformance/tiny-a"));
        assertTrue(c.names().contains("model.language_model.embed_tokens.weight"));
        assertEquals(15, c.names().stream().filter(n -> n.startsWith("mtp.")).count());
        Tensor fc = c.tensor("mtp.fc.weight");
        assertArrayEquals(new long[] {64, 128}, fc.shape());
        assertEquals(DType.BF16, fc.dtype());
        assertFalse(c.find("no.such.tensor").isPresent());
    }

    @Test
    void readsEveryDtypeAndMultiChunkTensors() throws IOException {
        float[] values = new float[7 * 5];
        for (int i = 0; i < values.length; i++) {
            values[i] = i * 0.25f - 3;
        }
        new SafetensorsWriter()
                .put("a.f32", DType.F32, new long[] {7, 5}, values)
                .put("b.bf16", DType.BF16, new long[] {7, 5}, values)
                .put("c.f16", DType.F16, new long[] {7, 1, 5}, values)
                .write(dir.resolve("model.safetensors"));
        // 2 rows of F32 (40 bytes) per 48-byte chunk: 4 chunks for 7 rows, the last one shorter
        Checkpoint c = Checkpoint.open(dir, 48);
        for (String name : List.of("a.f32", "b.bf16", "c.f16")) {
            Tensor t = c.tensor(name);
            assertEquals(7, t.rows());
            assertEquals(5, t.cols());
            assertTrue(t.numChunks() > 1, name + " should span chunks");
            assertArrayEquals(values, t.toFloatArray(), name); // all values exact in every dtype
        }
        assertEquals(4, c.tensor("a.f32").numChunks());
        assertEquals(DType.F16, c.dtype("c.f16"));
    }

    /** Raw row bytes by positional file reads (mapped tensors) and across chunks (in-memory ones), every range. */
    @Test
    void copyRowsGivesTheRowsBytesFromFileAndChunks() throws IOException {
        float[] values = new float[7 * 5];
        for (int i = 0; i < values.length; i++) {
            values[i] = i * 0.5f - 7;
        }
        new SafetensorsWriter()
                .put("pad", DType.F32, new long[] {3}, new float[] {1, 2, 3}) // the tensor does not start at 0
                .put("b.bf16", DType.BF16, new long[] {7, 5}, values)
                .write(dir.resolve("model.safetensors"));
        Tensor mapped = Checkpoint.open(dir, 24).tensor("b.bf16"); // 2 rows per chunk
        ByteBuffer all = Tensor.fromFloats("m", DType.BF16, new long[] {7, 5}, values).chunkOf(0);
        ByteBuffer[] chunks = new ByteBuffer[3]; // 3 rows (30 bytes) per chunk, the last one shorter
        for (int c = 0; c < 3; c++) {
            chunks[c] = all.slice(30 * c, Math.min(30, 70 - 30 * c));
        }
        Tensor inMemory = new Tensor("m", DType.BF16, new long[] {7, 5}, chunks, 3);
        assertEquals(3, inMemory.numChunks());
        for (Tensor t : List.of(mapped, inMemory)) {
            for (int first = 0; first < 7; first++) {
                for (int n = 0; first + n <= 7; n++) {
                    ByteBuffer b = ByteBuffer.allocate(3 + 10 * n).order(ByteOrder.LITTLE_ENDIAN);
                    b.position(3);
                    t.copyRows(first, n, b);
                    assertEquals(3 + 10 * n, b.position());
                    for (int i = 0; i < 5 * n; i++) {
                        assertEquals(values[first * 5 + i], Bf16.toFloat(b.getShort(3 + 2 * i)),
                                t.name() + " rows " + first + "+" + n + " element " + i);
                    }
                }
            }
        }
        // the file replaced on disk after mapping: the rows still come from the mapped original
        Files.delete(dir.resolve("model.safetensors"));
        new SafetensorsWriter().put("pad", DType.F32, new long[] {3}, new float[] {9, 9, 9})
                .put("b.bf16", DType.BF16, new long[] {7, 5}, new float[35]).write(dir.resolve("model.safetensors"));
        ByteBuffer b = ByteBuffer.allocate(70).order(ByteOrder.LITTLE_ENDIAN);
        mapped.copyRows(0, 7, b);
        for (int i = 0; i < 35; i++) {
            assertEquals(values[i], Bf16.toFloat(b.getShort(2 * i)), "after the file was replaced, element " + i);
        }
    }

    @Test
    void f16WideningKeepsValuesAcrossChunks() throws IOException {
        float[] values = new float[9 * 3];
        Random rnd = new Random(3);
        for (int i = 0; i < values.length; i++) {
            values[i] = Half.toFloat(Half.fromFloat(rnd.nextFloat() * 8 - 4));
        }
        new SafetensorsWriter().put("w", DType.F16, new long[] {9, 3}, values).write(dir.resolve("model.safetensors"));
        Tensor wide = ModelLoader.widenF16(Checkpoint.open(dir, 16).tensor("w"), 24); // 2 f32 rows per chunk
        assertEquals(DType.F32, wide.dtype());
        assertEquals(5, wide.numChunks());
        assertArrayEquals(values, wide.toFloatArray());
    }

    @Test
    void shardsThroughTheIndex() throws IOException {
        new SafetensorsWriter().put("x", DType.F32, new long[] {2}, new float[] {1, 2})
                .write(dir.resolve("model-00001-of-00002.safetensors"));
        new SafetensorsWriter().put("y", DType.BF16, new long[] {1}, new float[] {3})
                .write(dir.resolve("model-00002-of-00002.safetensors"));
        writeIndex("{\"x\": \"model-00001-of-00002.safetensors\", \"y\": \"model-00002-of-00002.safetensors\"}");
        Checkpoint c = Checkpoint.open(dir);
        assertEquals(List.of("x", "y"), List.copyOf(c.names()));
        assertArrayEquals(new float[] {3}, c.tensor("y").toFloatArray());
        assertTrue(c.fileOf("y").endsWith("model-00002-of-00002.safetensors"));
    }

    @Test
    void indexErrorsNameShardAndTensor() throws IOException {
        new SafetensorsWriter().put("x", DType.F32, new long[] {2}, new float[] {1, 2})
                .write(dir.resolve("model-00001-of-00002.safetensors"));
        writeIndex("{\"x\": \"model-00001-of-00002.safetensors\", \"y\": \"model-00002-of-00002.safetensors\"}");
        assertError("model-00002-of-00002.safetensors", "y");
        writeIndex("{\"x\": \"model-00001-of-00002.safetensors\", \"y\": \"model-00001-of-00002.safetensors\"}");
        assertError("model-00001-of-00002.safetensors", "tensor y");
        new SafetensorsWriter().put("x", DType.F32, new long[] {2}, new float[] {1, 2})
                .put("z", DType.F32, new long[] {1}, new float[] {1})
                .write(dir.resolve("model-00001-of-00002.safetensors"));
        writeIndex("{\"x\": \"model-00001-of-00002.safetensors\"}");
        assertError("model-00001-of-00002.safetensors", "tensor z"); // in the shard, not in the index
        writeIndex("{\"x\": \"../elsewhere.safetensors\"}");
        assertError("elsewhere.safetensors", "x");
        Files.writeString(dir.resolve(Checkpoint.INDEX_FILE), "{\"weight_map\": ");
        assertError(Checkpoint.INDEX_FILE, "JSON");
    }

    @Test
    void missingFiles() throws IOException {
        assertError("model.safetensors", "no ");
        assertThrows(CheckpointException.class, () -> Checkpoint.open(dir.resolve("nope")));
    }

    @Test
    void corruptHeaders() throws IOException {
        Path f = dir.resolve("model.safetensors");
        Files.write(f, new byte[] {1, 2, 3});
        assertError("model.safetensors", "too short");
        SafetensorsWriter.writeRaw(f, "{\"x\": {}}".getBytes(StandardCharsets.UTF_8), List.of());
        Files.write(f, java.util.Arrays.copyOf(Files.readAllBytes(f), 12)); // header cut off
        assertError("model.safetensors", "header length");
        SafetensorsWriter.writeRaw(f, "not json at all".getBytes(StandardCharsets.UTF_8), List.of());
        assertError("model.safetensors", "JSON");
        SafetensorsWriter.writeRaw(f, "[1, 2]".getBytes(StandardCharsets.UTF_8), List.of());
        assertError("model.safetensors", "JSON object");
    }

    @Test
    void badEntriesNameTheTensor() throws IOException {
        SafetensorsWriter w = new SafetensorsWriter()
                .put("t.one", DType.F32, new long[] {2, 2}, new float[4])
                .put("t.two", DType.F32, new long[] {2}, new float[2]);
        Path f = dir.resolve("model.safetensors");
        w.put("t.f64", new SafetensorsWriter.Spec("F64", new long[] {1}, new byte[8])).write(f);
        assertError("t.f64", "F64");
        w.tensors().remove("t.f64");
        w.write(f, h -> offsets(h, "t.two", 16, 40));
        assertError("t.two", "outside the data section");
        w.write(f, h -> offsets(h, "t.two", 8, 16));
        assertError("t.two", "overlap");
        w.write(f, h -> offsets(h, "t.two", 16, 20));
        assertError("t.two", "needs 8");
        w.write(f, h -> ((ObjectNode) h.get("t.one")).putArray("shape").add(2).add(-2));
        assertError("t.one", "shape");
        w.write(f);
        byte[] full = Files.readAllBytes(f);
        Files.write(f, java.util.Arrays.copyOf(full, full.length - 4)); // data section truncated
        assertError("t.two", "truncated");
    }

    private static void offsets(ObjectNode header, String name, long begin, long end) {
        ((ObjectNode) header.get(name)).putArray("data_offsets").add(begin).add(end);
    }

    private void writeIndex(String weightMap) throws IOException {
        Files.writeString(dir.resolve(Checkpoint.INDEX_FILE), "{\"metadata\": {}, \"weight_map\": " + weightMap + "}");
    }

    private void assertError(String... mentions) {
        CheckpointException e = assertThrows(CheckpointException.class, () -> Checkpoint.open(dir));
        for (String m : mentions) {
            assertTrue(e.getMessage().contains(m), "message should mention '" + m + "': " + e.getMessage());
        }
    }
}
