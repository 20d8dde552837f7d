package io.streamlm.backend.cpu;

import io.streamlm.model.DType;
import io.streamlm.model.Tensor;
import java.nio.ByteBuffer;

/**
 * A weight matrix {@code [rows, cols]} as the kernels read it: straight from the tensor's (memory-mapped)
 * bytes, BF16 or F32. F16 tensors are widened to F32 once when the backend is built (the loader already
 * does this for checkpoints; this covers hand-made weights).
 */
final class Weight {
    final String name;
    final DType dtype;
    final int rows;
    final int cols;
    private final Tensor tensor;

    Weight(Tensor t) {
        Tensor use = t.dtype() == DType.F16 ? widenF16(t) : t;
        this.tensor = use;
        this.name = t.name();
        this.dtype = use.dtype();
        this.rows = Math.toIntExact(use.rows());
        this.cols = use.cols();
    }

    /** The buffer holding {@code row}; read with absolute accesses only. */
    ByteBuffer buffer(int row) {
        return tensor.chunkOf(row);
    }

    /** Byte offset of {@code row} in {@link #buffer}. */
    int offset(int row) {
        return tensor.byteOffsetInChunk(row);
    }

    long sizeBytes() {
        return (long) rows * cols * dtype.sizeBytes();
    }

    Tensor tensor() {
        return tensor;
    }

    private static Tensor widenF16(Tensor t) {
        if (t.numElements() > (1 << 26)) {
            throw new IllegalArgumentException(t.name() + ": F16 weights must be widened to F32 by the loader");
        }
        return Tensor.fromFloats(t.name(), DType.F32, t.shape(), t.toFloatArray());
    }

    @Override
    public String toString() {
        return name + " " + dtype + "[" + rows + ", " + cols + "]";
    }
}
