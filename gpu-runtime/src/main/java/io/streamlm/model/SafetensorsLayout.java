package io.streamlm.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Where every tensor of a checkpoint goes: which shard file, at which byte offset, and each shard's
 * header. Shards follow Hugging Face's {@code save_pretrained}: tensors in name order fill a shard until the
 * next one would pass {@link #MAX_SHARD_BYTES}; one shard is written as {@code model.safetensors}, more as
 * {@code model-0000i-of-0000N.safetensors} plus {@code model.safetensors.index.json}. Inside a shard the
 * order is the reference serializer's (larger alignment first, then name), so every tensor starts at a
 * multiple of its element size.
 */
final class SafetensorsLayout {
    /** HF's default max_shard_size "5GB" (decimal). */
    static final long MAX_SHARD_BYTES = 5_000_000_000L;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One tensor's place: absolute file offset of its first byte. */
    record Placement(RandomTensorPlan.Spec spec, long fileOffset) {}

    /** One output file: its name, header bytes (length prefix included) and tensors. */
    record Shard(String fileName, byte[] headerBytes, List<Placement> tensors, long fileBytes) {}

    private SafetensorsLayout() {}

    static List<Shard> plan(List<RandomTensorPlan.Spec> specs, long maxShardBytes) {
        List<RandomTensorPlan.Spec> byName = new ArrayList<>(specs);
        byName.sort(Comparator.comparing(RandomTensorPlan.Spec::name));
        List<List<RandomTensorPlan.Spec>> groups = new ArrayList<>();
        List<RandomTensorPlan.Spec> current = new ArrayList<>();
        long currentBytes = 0;
        for (RandomTensorPlan.Spec s : byName) {
            if (!current.isEmpty() && currentBytes + s.numBytes() > maxShardBytes) {
                groups.add(current);
                current = new ArrayList<>();
                currentBytes = 0;
            }
            current.add(s);
            currentBytes += s.numBytes();
        }
        groups.add(current);
        List<Shard> shards = new ArrayList<>();
        for (int i = 0; i < groups.size(); i++) {
            String name = groups.size() == 1 ? "model.safetensors"
                    : String.format("model-%05d-of-%05d.safetensors", i + 1, groups.size());
            shards.add(shard(name, groups.get(i)));
        }
        return shards;
    }

    private static Shard shard(String fileName, List<RandomTensorPlan.Spec> specs) {
        List<RandomTensorPlan.Spec> ordered = new ArrayList<>(specs);
        ordered.sort(Comparator.comparing((RandomTensorPlan.Spec s) -> -s.dtype().sizeBytes())
                .thenComparing(RandomTensorPlan.Spec::name));
        ObjectNode header = JSON.createObjectNode();
        header.putObject("__metadata__").put("format", "pt");
        long offset = 0;
        List<Long> offsets = new ArrayList<>();
        for (RandomTensorPlan.Spec s : ordered) {
            ObjectNode t = header.putObject(s.name());
            t.put("dtype", s.dtype().name());
            ArrayNode shape = t.putArray("shape");
            for (long d : s.shape()) {
                shape.add(d);
            }
            t.putArray("data_offsets").add(offset).add(offset + s.numBytes());
            offsets.add(offset);
            offset += s.numBytes();
        }
        byte[] json = header.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        byte[] bytes = new byte[8 + padded];
        long len = padded;
        for (int i = 0; i < 8; i++) {
            bytes[i] = (byte) (len >>> (8 * i)); // little-endian u64 header length
        }
        System.arraycopy(json, 0, bytes, 8, json.length);
        for (int i = 8 + json.length; i < bytes.length; i++) {
            bytes[i] = ' ';
        }
        List<Placement> placements = new ArrayList<>();
        for (int i = 0; i < ordered.size(); i++) {
            placements.add(new Placement(ordered.get(i), bytes.length + offsets.get(i)));
        }
        return new Shard(fileName, bytes, placements, bytes.length + offset);
    }

    /** {@code model.safetensors.index.json}: total tensor bytes and the tensor -> file map, sorted. */
    static String indexJson(List<Shard> shards) {
        ObjectNode root = JSON.createObjectNode();
        long total = 0;
        List<String[]> entries = new ArrayList<>();
        for (Shard s : shards) {
            for (Placement p : s.tensors()) {
                total += p.spec().numBytes();
                entries.add(new String[] {p.spec().name(), s.fileName()});
            }
        }
        entries.sort(Comparator.comparing(e -> e[0]));
        root.putObject("metadata").put("total_size", total);
        ObjectNode map = root.putObject("weight_map");
        for (String[] e : entries) {
            map.put(e[0], e[1]);
        }
        return ConfigJsonWriter.pretty(root);
    }
}
