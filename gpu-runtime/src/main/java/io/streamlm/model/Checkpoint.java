package io.streamlm.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The tensors of a Hugging Face checkpoint directory: {@code model.safetensors}, or the shards a
 * {@code model.safetensors.index.json} names. Opening reads and validates every header (dtype, shape, byte
 * span, overlaps, index vs shards); tensor bytes are memory-mapped when first asked for and never copied
 * onto the heap. Every tensor is addressable by its checkpoint name, including those the text model skips
 * ({@code mtp.*} for speculative decoding, {@code model.visual.*}).
 *
 * <p>Thread-safe: tensors are immutable views, mapped at most once each.
 */
public final class Checkpoint {
    static final String SINGLE_FILE = "model.safetensors";
    static final String INDEX_FILE = "model.safetensors.index.json";

    private final Path dir;
    private final long maxChunkBytes;
    private final Map<String, SafetensorsFile> fileOf; // tensor name -> the file holding it, sorted by name
    private final Map<String, Tensor> mapped = new ConcurrentHashMap<>();

    private Checkpoint(Path dir, long maxChunkBytes, Map<String, SafetensorsFile> fileOf) {
        this.dir = dir;
        this.maxChunkBytes = maxChunkBytes;
        this.fileOf = fileOf;
    }

    /**
     * Opens the safetensors of {@code dir} (the index wins when both layouts are present, as in Hugging Face).
     *
     * @throws CheckpointException naming the file and tensor on a missing file, a truncated or corrupt header,
     *                             an unsupported dtype, a byte span that contradicts the shape, or an index
     *                             that disagrees with its shards
     */
    public static Checkpoint open(Path dir) {
        return open(dir, Tensor.MAX_CHUNK_BYTES);
    }

    /** {@link #open(Path)} with a smaller chunk size, so tests can exercise multi-chunk tensors on tiny files. */
    static Checkpoint open(Path dir, long maxChunkBytes) {
        if (!Files.isDirectory(dir)) {
            throw new CheckpointException(dir + ": checkpoint directory missing");
        }
        Path index = dir.resolve(INDEX_FILE);
        Map<String, SafetensorsFile> fileOf = new TreeMap<>();
        if (Files.isRegularFile(index)) {
            openShards(dir, index, fileOf);
        } else {
            Path single = dir.resolve(SINGLE_FILE);
            if (!Files.isRegularFile(single)) {
                throw new CheckpointException(dir + ": no " + SINGLE_FILE + " and no " + INDEX_FILE);
            }
            SafetensorsFile f = SafetensorsFile.open(single);
            f.entries().keySet().forEach(name -> fileOf.put(name, f));
        }
        return new Checkpoint(dir, maxChunkBytes, Collections.unmodifiableMap(fileOf));
    }

    private static void openShards(Path dir, Path index, Map<String, SafetensorsFile> fileOf) {
        Map<String, String> weightMap = readWeightMap(index);
        Map<String, SafetensorsFile> shards = new LinkedHashMap<>();
        for (Map.Entry<String, String> w : weightMap.entrySet()) {
            String shardName = w.getValue();
            SafetensorsFile shard = shards.computeIfAbsent(shardName, s -> openShard(dir, index, s, w.getKey()));
            if (!shard.entries().containsKey(w.getKey())) {
                throw new CheckpointException(shard.file() + ": tensor " + w.getKey() + " is missing ("
                        + INDEX_FILE + " places it in this shard)");
            }
            fileOf.put(w.getKey(), shard);
        }
        for (SafetensorsFile shard : shards.values()) {
            for (String name : shard.entries().keySet()) {
                if (!shard.file().getFileName().toString().equals(weightMap.get(name))) {
                    throw new CheckpointException(shard.file() + ": tensor " + name + " is not mapped to this shard by "
                            + index + " (it says " + weightMap.get(name) + ")");
                }
            }
        }
    }

    private static SafetensorsFile openShard(Path dir, Path index, String shardName, String someTensor) {
        Path base = dir.toAbsolutePath().normalize();
        Path shard = base.resolve(shardName).normalize();
        if (!base.equals(shard.getParent()) || !Files.isRegularFile(shard)) { // a shard must sit in dir itself
            throw new CheckpointException(shard + ": missing shard (" + index.getFileName() + " maps tensor "
                    + someTensor + " to '" + shardName + "')");
        }
        return SafetensorsFile.open(shard);
    }

    private static Map<String, String> readWeightMap(Path index) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(index.toFile());
        } catch (JsonProcessingException e) {
            throw new CheckpointException(index + ": not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new CheckpointException(index + ": cannot read: " + e.getMessage(), e);
        }
        JsonNode wm = root == null ? null : root.get("weight_map");
        if (wm == null || !wm.isObject()) {
            throw new CheckpointException(index + ": no weight_map object");
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = wm.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isTextual()) {
                throw new CheckpointException(index + ": weight_map entry " + e.getKey() + " must name a file");
            }
            out.put(e.getKey(), e.getValue().asText());
        }
        return out;
    }

    public Path dir() {
        return dir;
    }

    /** Every tensor name in the checkpoint, sorted. */
    public Set<String> names() {
        return Collections.unmodifiableSet(new TreeSet<>(fileOf.keySet()));
    }

    public boolean contains(String name) {
        return fileOf.containsKey(name);
    }

    /** The tensor, memory-mapped; empty when the checkpoint has no tensor of that name. */
    public Optional<Tensor> find(String name) {
        SafetensorsFile f = fileOf.get(name);
        if (f == null) {
            return Optional.empty();
        }
        return Optional.of(mapped.computeIfAbsent(name, n -> f.map(f.entries().get(n), maxChunkBytes)));
    }

    /** The tensor, memory-mapped; a {@link CheckpointException} naming it when absent. */
    public Tensor tensor(String name) {
        return find(name).orElseThrow(() -> new CheckpointException(dir + ": checkpoint has no tensor " + name));
    }

    /** The file holding {@code name}, for messages. */
    public Path fileOf(String name) {
        SafetensorsFile f = fileOf.get(name);
        if (f == null) {
            throw new CheckpointException(dir + ": checkpoint has no tensor " + name);
        }
        return f.file();
    }

    /** Header dtype of {@code name} without mapping it. */
    public DType dtype(String name) {
        fileOf(name);
        return fileOf.get(name).entries().get(name).dtype();
    }

    /** Header shape of {@code name} without mapping it. */
    public long[] shape(String name) {
        fileOf(name);
        return fileOf.get(name).entries().get(name).shape().clone();
    }
}
