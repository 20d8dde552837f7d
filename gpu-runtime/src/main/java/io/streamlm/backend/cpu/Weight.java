package io.streamlm.backend.cpu;

import io.streamlm.model.DType;
import io.streamlm.model.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.IntStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A weight matrix {@code [rows, cols]} as the kernels read it. BF16 matrices are repacked once at load into
 * {@link PackedGemm}'s column-major panels on the heap when the heap has room for them (the mapped file's
 * pages are then no longer read, except the embedding rows a tied head shares); otherwise, and for F32, the
 * kernels read the tensor's (memory-mapped) bytes. F16 tensors are widened to F32 once when the backend is
 * built (the loader already does this for checkpoints; this covers hand-made weights).
 */
final class Weight {
    /** {@code -Dstreamlm.cpu.pack=false} keeps every matrix in its file layout (for comparisons). */
    static final boolean PACK = Boolean.parseBoolean(System.getProperty("streamlm.cpu.pack", "true"));
    private static final Logger LOG = LoggerFactory.getLogger(Weight.class);
    private static final AtomicBoolean WARNED = new AtomicBoolean();
    private static final AtomicBoolean COLLECTED = new AtomicBoolean();
    /** Heap kept free for activations, caches and the rest of the process when deciding to pack. */
    private static final long HEAP_RESERVE = 512L << 20;

    final String name;
    final DType dtype;
    final int rows;
    final int cols;
    /**
     * [ceil(rows / PANEL), cols, LANES] two BF16 rows per int (see {@link PackedGemm}), or null; set once by
     * {@link #pack} on the engine thread before the first forward (the pool's hand-off publishes it).
     */
    int[] packed;
    private final Tensor tensor;

    Weight(Tensor t) {
        Tensor use = t.dtype() == DType.F16 ? widenF16(t) : t;
        this.tensor = use;
        this.name = t.name();
        this.dtype = use.dtype();
        this.rows = Math.toIntExact(use.rows());
        this.cols = use.cols();
    }

    /**
     * Repacks a BF16 matrix into {@link #packed} if {@code -Dstreamlm.cpu.pack} allows and the heap has room
     * (warns once per process when it has not); no-op when packed already or F32.
     */
    void pack() {
        pack(new ConcurrentLinkedQueue<>());
    }

    /** {@link #pack()} with scratch buffers shared by a whole packing pass. */
    void pack(ConcurrentLinkedQueue<Scratch> scratch) {
        if (packed != null || dtype != DType.BF16 || !PACK) {
            return;
        }
        if (!heapHasRoom(packedLength(rows, cols))) {
            if (!WARNED.getAndSet(true)) {
                LOG.warn("{} (and any later BF16 matrix that does not fit) stays in its file layout: the heap (max "
                        + "{} MiB) has no room to repack it; batched decode and prefill run 2-3x slower. Raise -Xmx "
                        + "(about 2 bytes per parameter).", name, Runtime.getRuntime().maxMemory() >> 20);
            }
            return;
        }
        packed = repack(scratch);
    }

    static long packedLength(int rows, int cols) {
        return (long) ((rows + PackedGemm.PANEL - 1) / PackedGemm.PANEL) * cols * MatMul.LANES;
    }

    long packedBytes() {
        return packed == null ? 0 : 4L * packed.length;
    }

    /** Whether 4 * ints bytes fit with the reserve to spare; collects garbage once before saying no. */
    private static boolean heapHasRoom(long ints) {
        if (ints > Integer.MAX_VALUE - 64) {
            return false;
        }
        if (freeHeap() > 4 * ints + HEAP_RESERVE) {
            return true;
        }
        if (COLLECTED.getAndSet(true)) {
            return false;
        }
        System.gc(); // once per process: garbage must not count as used heap, but a tight heap must not GC per matrix
        return freeHeap() > 4 * ints + HEAP_RESERVE;
    }

    private static long freeHeap() {
        Runtime rt = Runtime.getRuntime();
        return rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
    }

    /**
     * Buffers for one group of panels, reused across the matrices of one packing pass ({@link CpuModel#packWeights}):
     * repacking 1.5 GB must not make 3 GB of garbage. One per packing task running at once; garbage after the pass.
     */
    static final class Scratch {
        ByteBuffer bytes = ByteBuffer.allocate(0);
        short[] shorts = new short[0];

        Scratch fit(int numShorts) {
            if (shorts.length < numShorts) {
                shorts = new short[numShorts];
                bytes = ByteBuffer.allocate(2 * numShorts).order(ByteOrder.LITTLE_ENDIAN);
            }
            return this;
        }
    }

    /** Panels read and repacked in groups of this many (one positional read each). */
    private static final int PANELS_PER_READ = 16;

    /**
     * Groups of panels in parallel (the common pool): packing a 0.8B model is 1.5 GB of reads and writes. The rows
     * are read with {@link Tensor#copyRows} (positional reads of the file), so the mapping is never touched and
     * no mapped page stays resident for a matrix that only exists packed.
     */
    private int[] repack(ConcurrentLinkedQueue<Scratch> scratch) {
        int lanes = MatMul.LANES;
        int panelRows = PackedGemm.PANEL;
        int numPanels = (rows + panelRows - 1) / panelRows;
        int[] dst = new int[Math.toIntExact(packedLength(rows, cols))];
        int groupShorts = PANELS_PER_READ * panelRows * cols;
        IntStream.range(0, (numPanels + PANELS_PER_READ - 1) / PANELS_PER_READ).parallel().forEach(g -> {
            int firstRow = g * PANELS_PER_READ * panelRows;
            int numRows = Math.min(PANELS_PER_READ * panelRows, rows - firstRow);
            Scratch sc = scratch.poll();
            sc = (sc == null ? new Scratch() : sc).fit(groupShorts);
            ByteBuffer bytes = sc.bytes.clear();
            tensor.copyRows(firstRow, numRows, bytes);
            short[] src = sc.shorts;
            bytes.flip();
            bytes.asShortBuffer().get(src, 0, numRows * cols);
            Arrays.fill(src, numRows * cols, groupShorts, (short) 0); // rows past the last: the padding
            for (int p = 0; p * panelRows < numRows; p++) {
                int o = (firstRow / panelRows + p) * cols * lanes;
                int lo = p * panelRows * cols;
                int hi = lo + lanes * cols;
                for (int k = 0; k < cols; k++) {
                    for (int j = 0; j < lanes; j++) {
                        dst[o++] = (src[lo + j * cols + k] & 0xFFFF) | (src[hi + j * cols + k] << 16);
                    }
                }
            }
            scratch.add(sc);
        });
        return dst;
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
