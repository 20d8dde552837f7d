package io.streamlm.conformance;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamlm.model.Checkpoint;
import io.streamlm.model.DType;
import io.streamlm.model.Half;
import io.streamlm.model.Tensor;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Rewrites a generated checkpoint with some tensors in F16 (the reference writer knows only BF16 and F32; its
 * reader, which computes the goldens, reads F16), so the F16 load path is held to the bar too.
 */
final class F16Rewriter {
    private F16Rewriter() {}

    static void rewrite(Path src, Path dst, Predicate<String> toF16) throws IOException {
        Files.createDirectories(dst);
        Files.copy(src.resolve("config.json"), dst.resolve("config.json"), StandardCopyOption.REPLACE_EXISTING);
        Checkpoint ckpt = Checkpoint.open(src);
        ObjectNode header = Reference.JSON.createObjectNode();
        List<byte[]> data = new ArrayList<>();
        long offset = 0;
        for (String name : ckpt.names()) {
            Tensor t = ckpt.tensor(name);
            DType dtype = toF16.test(name) ? DType.F16 : t.dtype();
            byte[] bytes = encode(t.toFloatArray(), dtype);
            ObjectNode e = header.putObject(name);
            e.put("dtype", dtype.name());
            var shape = e.putArray("shape");
            for (long d : t.shape()) {
                shape.add(d);
            }
            e.putArray("data_offsets").add(offset).add(offset + bytes.length);
            offset += bytes.length;
            data.add(bytes);
        }
        byte[] h = Reference.JSON.writeValueAsString(header).getBytes(StandardCharsets.UTF_8);
        try (OutputStream out = Files.newOutputStream(dst.resolve("model.safetensors"))) {
            out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length).array());
            out.write(h);
            for (byte[] d : data) {
                out.write(d);
            }
        }
    }

    private static byte[] encode(float[] values, DType dtype) {
        ByteBuffer b = ByteBuffer.allocate(values.length * dtype.sizeBytes()).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            switch (dtype) {
                case F32 -> b.putFloat(v);
                case F16 -> b.putShort(Half.fromFloat(v));
                case BF16 -> b.putShort(io.streamlm.model.Bf16.fromFloat(v)); // exact: values came from BF16
            }
        }
        return b.array();
    }
}
