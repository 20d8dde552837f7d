package io.streamlm.model;

import io.streamlm.tokenizer.SyntheticTokenizer;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

/**
 * Writes a random-weight checkpoint at a preset's real shape, in the Hugging Face on-disk format
 * (config.json, model.safetensors or shards + index, tokenizer.json, tokenizer_config.json,
 * generation_config.json), as vLLM's {@code --load-format dummy} stands in for weights that cannot be
 * downloaded. Weights are scaled so activations stay sane (see {@link RandomTensorPlan}).
 *
 * <p>Streaming: blocks of {@link RandomFill#BLOCK_ELEMENTS} elements are generated in parallel into
 * per-thread direct buffers and written with positional writes, so memory stays at a few buffers whatever
 * the size (the 27B shape is 54 GB). The bytes depend only on (preset, layout, dtype, seed).
 */
public final class RandomCheckpointWriter {
    /** Free space kept on the target file system beyond the checkpoint itself. */
    static final long HEADROOM_BYTES = 1L << 30;

    /** What a write produces: files, tensor count, parameters, bytes. */
    public record Plan(ModelPreset preset, CheckpointLayout layout, DType dtype, List<String> weightFiles,
            int numTensors, long numParameters, long tensorBytes) {
        public String toJson() {
            return String.format("{\"preset\": \"%s\", \"layout\": \"%s\", \"dtype\": \"%s\", \"num_tensors\": %d, "
                    + "\"num_parameters\": %d, \"tensor_bytes\": %d, \"num_weight_files\": %d}", preset.cliName(),
                    layout.name().toLowerCase(), dtype.name(), numTensors, numParameters, tensorBytes,
                    weightFiles.size());
        }
    }

    private RandomCheckpointWriter() {}

    /** The conditional layout (as the published repos), all cores. */
    public static Plan write(ModelPreset preset, Path outDir, DType dtype, long seed) throws IOException {
        return write(preset, outDir, dtype, seed, CheckpointLayout.CONDITIONAL,
                Runtime.getRuntime().availableProcessors());
    }

    /** What {@link #write} would produce, without writing anything. */
    public static Plan plan(ModelPreset preset, CheckpointLayout layout, DType dtype) {
        return summarize(preset, layout, dtype, shards(preset, layout, dtype));
    }

    public static Plan write(ModelPreset preset, Path outDir, DType dtype, long seed, CheckpointLayout layout,
            int numThreads) throws IOException {
        return write(preset, outDir, dtype, seed, layout, numThreads, SafetensorsLayout.MAX_SHARD_BYTES);
    }

    /** As above with a smaller shard limit, so tests can exercise sharding on a small model. */
    static Plan write(ModelPreset preset, Path outDir, DType dtype, long seed, CheckpointLayout layout,
            int numThreads, long maxShardBytes) throws IOException {
        if (numThreads < 1) {
            throw new IllegalArgumentException("numThreads must be >= 1, got " + numThreads);
        }
        List<SafetensorsLayout.Shard> shards =
                SafetensorsLayout.plan(RandomTensorPlan.build(preset, layout, dtype), maxShardBytes);
        Plan plan = summarize(preset, layout, dtype, shards);
        Files.createDirectories(outDir);
        removeStaleWeights(outDir);
        requireSpace(outDir, plan.tensorBytes());

        SyntheticTokenizer.write(preset.vocabSize, outDir);
        int firstSpecial = preset.vocabSize - SyntheticTokenizer.SPECIAL_TOKENS.size();
        int endOfText = firstSpecial + SyntheticTokenizer.SPECIAL_TOKENS.indexOf("<|endoftext|>");
        int imEnd = firstSpecial + SyntheticTokenizer.SPECIAL_TOKENS.indexOf("<|im_end|>");
        Files.writeString(outDir.resolve("config.json"), ConfigJsonWriter.config(preset, layout, dtype, endOfText));
        Files.writeString(outDir.resolve("generation_config.json"), ConfigJsonWriter.generationConfig(imEnd, endOfText));

        ExecutorService pool = Executors.newFixedThreadPool(numThreads, r -> {
            Thread t = new Thread(r, "make-model");
            t.setDaemon(true);
            return t;
        });
        try {
            for (SafetensorsLayout.Shard shard : shards) {
                writeShard(outDir.resolve(shard.fileName()), shard, seed, pool);
            }
        } finally {
            pool.shutdownNow();
        }
        if (shards.size() > 1) {
            Files.writeString(outDir.resolve("model.safetensors.index.json"), SafetensorsLayout.indexJson(shards));
        }
        return plan;
    }

    private static List<SafetensorsLayout.Shard> shards(ModelPreset preset, CheckpointLayout layout, DType dtype) {
        return SafetensorsLayout.plan(RandomTensorPlan.build(preset, layout, dtype), SafetensorsLayout.MAX_SHARD_BYTES);
    }

    private static Plan summarize(ModelPreset preset, CheckpointLayout layout, DType dtype,
            List<SafetensorsLayout.Shard> shards) {
        int numTensors = 0;
        long numParameters = 0;
        long bytes = 0;
        List<String> files = new ArrayList<>();
        for (SafetensorsLayout.Shard s : shards) {
            files.add(s.fileName());
            for (SafetensorsLayout.Placement p : s.tensors()) {
                numTensors++;
                numParameters += p.spec().numElements();
                bytes += p.spec().numBytes();
            }
        }
        return new Plan(preset, layout, dtype, files, numTensors, numParameters, bytes);
    }

    private static void removeStaleWeights(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                String n = f.getFileName().toString();
                if (n.endsWith(".safetensors") || n.equals("model.safetensors.index.json")) {
                    Files.delete(f);
                }
            }
        }
    }

    private static void requireSpace(Path dir, long bytes) throws IOException {
        long usable = Files.getFileStore(dir).getUsableSpace();
        if (usable < bytes + HEADROOM_BYTES) {
            throw new IOException(String.format("not enough disk space in %s: the checkpoint needs %.1f GB "
                    + "(+%.1f GB headroom), %.1f GB free", dir, bytes / 1e9, HEADROOM_BYTES / 1e9, usable / 1e9));
        }
    }

    private static void writeShard(Path file, SafetensorsLayout.Shard shard, long seed, ExecutorService pool)
            throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(shard.fileBytes());
            FileChannel ch = raf.getChannel();
            writeFully(ch, ByteBuffer.wrap(shard.headerBytes()), 0);
            List<Future<?>> tasks = new ArrayList<>();
            for (SafetensorsLayout.Placement p : shard.tensors()) {
                long n = p.spec().numElements();
                for (long first = 0; first < n; first += RandomFill.BLOCK_ELEMENTS) {
                    long start = first;
                    int count = (int) Math.min(RandomFill.BLOCK_ELEMENTS, n - first);
                    tasks.add(pool.submit(() -> {
                        Scratch s = Scratch.LOCAL.get();
                        RandomFill.fill(p.spec(), seed, start, count, s.values, s.bytes);
                        writeFully(ch, s.bytes, p.fileOffset() + start * p.spec().dtype().sizeBytes());
                        return null;
                    }));
                }
            }
            await(tasks, file);
        }
    }

    private static void await(List<Future<?>> tasks, Path file) throws IOException {
        try {
            for (Future<?> f : tasks) {
                f.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while writing " + file, e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof UncheckedIOException u) {
                throw new IOException("cannot write " + file + ": " + u.getCause().getMessage(), u.getCause());
            }
            throw new IOException("cannot write " + file + ": " + c, c);
        }
    }

    private static void writeFully(FileChannel ch, ByteBuffer buf, long position) {
        try {
            long pos = position;
            while (buf.hasRemaining()) {
                pos += ch.write(buf, pos);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One thread's buffers: values as floats, then their bytes. */
    private static final class Scratch {
        static final ThreadLocal<Scratch> LOCAL = ThreadLocal.withInitial(Scratch::new);
        final float[] values = new float[RandomFill.BLOCK_ELEMENTS]; // [block elements]
        final ByteBuffer bytes = ByteBuffer.allocateDirect(RandomFill.BLOCK_ELEMENTS * 4); // [block bytes]
    }
}
