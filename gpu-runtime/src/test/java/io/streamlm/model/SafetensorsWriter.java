package io.streamlm.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;

/** Writes small safetensors files for loader tests, with a hook to corrupt the header on purpose. */
final class SafetensorsWriter {
    /** A tensor to write: dtype name as safetensors spells it, shape, raw little-endian bytes. */
    record Spec(String dtype, long[] shape, byte[] bytes) {}

    private final Map<String, Spec> tensors = new LinkedHashMap<>();

    SafetensorsWriter put(String name, Spec spec) {
        tensors.put(name, spec);
        return this;
    }

    /** A tensor of {@code dtype} filled with {@code values} (rounded to the dtype). */
    SafetensorsWriter put(String name, DType dtype, long[] shape, float[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * dtype.sizeBytes()).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            switch (dtype) {
                case F32 -> b.putFloat(v);
                case BF16 -> b.putShort(Bf16.fromFloat(v));
                case F16 -> b.putShort(Half.fromFloat(v));
            }
        }
        return put(name, new Spec(dtype.name(), shape, b.array()));
    }

    /** A tensor of random values in [-1, 1). */
    SafetensorsWriter random(String name, DType dtype, long[] shape, Random rnd) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        float[] v = new float[(int) n];
        for (int i = 0; i < v.length; i++) {
            v[i] = rnd.nextFloat() * 2 - 1;
        }
        return put(name, dtype, shape, v);
    }

    Map<String, Spec> tensors() {
        return tensors;
    }

    void write(Path file) throws IOException {
        write(file, h -> {});
    }

    /** Writes the file; {@code editHeader} may change the JSON header before it is serialised. */
    void write(Path file, Consumer<ObjectNode> editHeader) throws IOException {
        ObjectMapper om = new ObjectMapper();
        ObjectNode header = om.createObjectNode();
        header.putObject("__metadata__").put("format", "pt");
        long offset = 0;
        List<byte[]> data = new ArrayList<>();
        for (Map.Entry<String, Spec> e : tensors.entrySet()) {
            ObjectNode t = header.putObject(e.getKey());
            t.put("dtype", e.getValue().dtype());
            var shape = t.putArray("shape");
            for (long d : e.getValue().shape()) {
                shape.add(d);
            }
            t.putArray("data_offsets").add(offset).add(offset + e.getValue().bytes().length);
            offset += e.getValue().bytes().length;
            data.add(e.getValue().bytes());
        }
        editHeader.accept(header);
        writeRaw(file, om.writeValueAsString(header).getBytes(StandardCharsets.UTF_8), data);
    }

    static void writeRaw(Path file, byte[] header, List<byte[]> data) throws IOException {
        try (OutputStream out = Files.newOutputStream(file)) {
            out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length).array());
            out.write(header);
            for (byte[] d : data) {
                out.write(d);
            }
        }
    }
}
