package io.streamlm.model;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * A read-only tensor whose bytes live outside the Java heap (a memory-mapped checkpoint file, or a direct
 * buffer), viewed as a matrix {@code [rows, cols]}: {@code cols} is the last dimension and {@code rows}
 * the product of the others (a 1-D tensor is one row).
 *
 * <p>A single {@code ByteBuffer} cannot exceed 2 GiB while real tensors do (Qwen3.6-27B's 248320 x 5120
 * BF16 embedding is 2.5 GB), so the bytes are split into chunks of whole rows: chunk {@code i} holds rows
 * {@code i * rowsPerChunk ..}, all little-endian, each starting at byte 0 of its buffer.
 */
public final class Tensor {
    /** Largest chunk: whole rows fitting in one ByteBuffer. */
    public static final long MAX_CHUNK_BYTES = 1L << 30;

    private final String name;
    private final DType dtype;
    private final long[] shape;
    private final long rows;
    private final int cols;
    private final ByteBuffer[] chunks; // [numChunks], each rowsPerChunk * cols * dtype bytes (last may be shorter)
    private final int rowsPerChunk;
    private final Path file;       // where the bytes come from when mapped from a file (else null) ...
    private final long fileOffset; // ... at which byte of it they start ...
    private final Object fileKey;  // ... and which file that was (inode), to notice a replaced file

    public Tensor(String name, DType dtype, long[] shape, ByteBuffer[] chunks, int rowsPerChunk) {
        this(name, dtype, shape, chunks, rowsPerChunk, null, 0);
    }

    /** A tensor mapped from {@code file}, whose bytes start at {@code fileOffset}: see {@link #copyRows}. */
    Tensor(String name, DType dtype, long[] shape, ByteBuffer[] chunks, int rowsPerChunk, Path file, long fileOffset) {
        this.file = file;
        this.fileOffset = fileOffset;
        this.fileKey = file == null ? null : fileKey(file);
        this.name = name;
        this.dtype = dtype;
        this.shape = shape.clone();
        this.cols = shape.length == 0 ? 1 : Math.toIntExact(shape[shape.length - 1]);
        long r = 1;
        for (int i = 0; i < shape.length - 1; i++) {
            r *= shape[i];
        }
        this.rows = r;
        this.chunks = new ByteBuffer[chunks.length];
        for (int i = 0; i < chunks.length; i++) {
            this.chunks[i] = chunks[i].duplicate().order(ByteOrder.LITTLE_ENDIAN);
        }
        this.rowsPerChunk = rowsPerChunk;
        long expectChunks = Math.max(1, (rows + rowsPerChunk - 1) / rowsPerChunk);
        if (chunks.length != expectChunks) {
            throw new IllegalArgumentException(name + ": " + chunks.length + " chunks for " + rows + " rows of "
                    + rowsPerChunk);
        }
    }

    /**
     * Copies the raw bytes of rows {@code [firstRow, firstRow + numRows)} into {@code dst} from its position.
     * A file-backed tensor is read with positional reads, not through its mapping, so a one-time copy (the CPU
     * backend repacking its weights) leaves no mapped pages resident in the process. When the file is gone or
     * is no longer the one that was mapped (replaced on disk), the bytes come from the mapping, which still
     * holds the original.
     */
    public void copyRows(long firstRow, int numRows, ByteBuffer dst) {
        int len = Math.toIntExact((long) numRows * cols * dtype.sizeBytes());
        if (file != null && fileKey != null && fileKey.equals(fileKey(file))) {
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
                long pos = fileOffset + firstRow * cols * dtype.sizeBytes();
                ByteBuffer view = dst.slice().limit(len);
                while (view.hasRemaining()) {
                    if (ch.read(view, pos + view.position()) < 0) {
                        throw new IOException("end of file at byte " + (pos + view.position()));
                    }
                }
                dst.position(dst.position() + len);
                return;
            } catch (IOException e) {
                // fall through to the mapping
            }
        }
        for (long r = firstRow; r < firstRow + numRows; ) {
            int n = (int) Math.min(firstRow + numRows - r, rowsPerChunk - r % rowsPerChunk);
            dst.put(chunkOf(r).slice(byteOffsetInChunk(r), n * cols * dtype.sizeBytes()));
            r += n;
        }
    }

    /** The file's identity (inode) where the file system has one, else null. */
    private static Object fileKey(Path file) {
        try {
            return Files.readAttributes(file, BasicFileAttributes.class).fileKey();
        } catch (IOException e) {
            return null;
        }
    }

    /** How many whole rows of {@code rowBytes} fit in one chunk. */
    public static int rowsPerChunk(long rowBytes) {
        return (int) Math.max(1, MAX_CHUNK_BYTES / Math.max(1, rowBytes));
    }

    public String name() {
        return name;
    }

    public DType dtype() {
        return dtype;
    }

    public long[] shape() {
        return shape.clone();
    }

    public long rows() {
        return rows;
    }

    public int cols() {
        return cols;
    }

    public long numElements() {
        return rows * cols;
    }

    public long sizeBytes() {
        return numElements() * dtype.sizeBytes();
    }

    public int numChunks() {
        return chunks.length;
    }

    public int rowsPerChunk() {
        return rowsPerChunk;
    }

    /** The chunk holding {@code row}; read it with absolute gets (never change its position). */
    public ByteBuffer chunkOf(long row) {
        return chunks[(int) (row / rowsPerChunk)];
    }

    /** Byte offset of {@code row} inside {@link #chunkOf}. */
    public int byteOffsetInChunk(long row) {
        return (int) (row % rowsPerChunk) * cols * dtype.sizeBytes();
    }

    /** Widens row {@code row} into {@code dst[off .. off + cols)} as f32. */
    public void readRow(long row, float[] dst, int off) {
        ByteBuffer b = chunkOf(row);
        int p = byteOffsetInChunk(row);
        switch (dtype) {
            case F32 -> {
                for (int i = 0; i < cols; i++) {
                    dst[off + i] = b.getFloat(p + 4 * i);
                }
            }
            case BF16 -> {
                for (int i = 0; i < cols; i++) {
                    dst[off + i] = Float.intBitsToFloat((b.getShort(p + 2 * i) & 0xFFFF) << 16);
                }
            }
            case F16 -> {
                for (int i = 0; i < cols; i++) {
                    dst[off + i] = Half.toFloat(b.getShort(p + 2 * i));
                }
            }
        }
    }

    /** The whole tensor as f32 on the heap: for small tensors only (norm weights, conv kernels, biases). */
    public float[] toFloatArray() {
        if (numElements() > (1 << 26)) {
            throw new IllegalStateException(name + " has " + numElements() + " elements; too large for the heap");
        }
        float[] out = new float[(int) numElements()];
        for (long r = 0; r < rows; r++) {
            readRow(r, out, (int) (r * cols));
        }
        return out;
    }

    /** Builds a tensor in a direct buffer from f32 values, rounding to {@code dtype} (tests, generated models). */
    public static Tensor fromFloats(String name, DType dtype, long[] shape, float[] values) {
        long n = Arrays.stream(shape).reduce(1, (a, b) -> a * b);
        if (n != values.length) {
            throw new IllegalArgumentException(name + ": " + values.length + " values for shape " + Arrays.toString(shape));
        }
        ByteBuffer b = ByteBuffer.allocateDirect(values.length * dtype.sizeBytes()).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            switch (dtype) {
                case F32 -> b.putFloat(v);
                case BF16 -> b.putShort(Bf16.fromFloat(v));
                case F16 -> b.putShort(Half.fromFloat(v));
            }
        }
        b.flip();
        int cols = shape.length == 0 ? 1 : (int) shape[shape.length - 1];
        int rpc = rowsPerChunk((long) cols * dtype.sizeBytes());
        if ((long) values.length * dtype.sizeBytes() > MAX_CHUNK_BYTES) {
            throw new IllegalArgumentException(name + ": fromFloats builds single-chunk tensors only");
        }
        return new Tensor(name, dtype, shape, new ByteBuffer[] {b}, rpc);
    }

    @Override
    public String toString() {
        return name + " " + dtype + Arrays.toString(shape);
    }
}
