package io.streamlm.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One {@code .safetensors} file: an 8-byte little-endian header length N, N bytes of JSON header
 * ({@code name -> {dtype, shape, data_offsets}} plus optional {@code __metadata__}), then the tensor bytes,
 * offsets relative to the end of the header. Only the header is read onto the heap; tensors are
 * memory-mapped on demand, chunk by chunk of whole rows, so no tensor is ever copied whole.
 */
final class SafetensorsFile {
    /** The reference implementation's cap (safetensors' MAX_HEADER_SIZE): refuses absurd header lengths. */
    private static final long MAX_HEADER_BYTES = 100_000_000L;

    /** One header entry: bytes {@code [begin, end)} of the data section. */
    record Entry(String name, DType dtype, long[] shape, long begin, long end) {}

    private final Path file;
    private final long dataStart;
    private final Map<String, Entry> entries; // header order

    private SafetensorsFile(Path file, long dataStart, Map<String, Entry> entries) {
        this.file = file;
        this.dataStart = dataStart;
        this.entries = entries;
    }

    Path file() {
        return file;
    }

    Map<String, Entry> entries() {
        return Collections.unmodifiableMap(entries);
    }

    /** Reads and validates the header of {@code file}; maps nothing yet. */
    static SafetensorsFile open(Path file) {
        long fileBytes;
        byte[] headerBytes;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            fileBytes = ch.size();
            if (fileBytes < 8) {
                throw new CheckpointException(file + ": " + fileBytes + " bytes, too short for a safetensors header");
            }
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, len, 0);
            long headerLen = len.getLong(0);
            if (headerLen < 2 || headerLen > fileBytes - 8 || headerLen > MAX_HEADER_BYTES) {
                throw new CheckpointException(file + ": corrupt or truncated safetensors header: header length "
                        + Long.toUnsignedString(headerLen) + " does not fit in the file of " + fileBytes + " bytes");
            }
            ByteBuffer hb = ByteBuffer.allocate((int) headerLen);
            readFully(ch, hb, 8);
            headerBytes = hb.array();
        } catch (NoSuchFileException e) {
            throw new CheckpointException(file + ": missing");
        } catch (IOException e) {
            throw new CheckpointException(file + ": cannot read: " + e.getMessage(), e);
        }
        long dataStart = 8L + headerBytes.length;
        Map<String, Entry> entries = parseHeader(file, headerBytes, fileBytes - dataStart);
        return new SafetensorsFile(file, dataStart, entries);
    }

    private static void readFully(FileChannel ch, ByteBuffer dst, long pos) throws IOException {
        while (dst.hasRemaining()) {
            int n = ch.read(dst, pos + dst.position());
            if (n < 0) {
                throw new IOException("unexpected end of file");
            }
        }
    }

    private static Map<String, Entry> parseHeader(Path file, byte[] headerBytes, long dataBytes) {
        JsonNode header;
        try {
            header = new ObjectMapper().readTree(new String(headerBytes, StandardCharsets.UTF_8));
        } catch (JsonProcessingException e) {
            throw new CheckpointException(file + ": corrupt safetensors header (not valid JSON: "
                    + e.getOriginalMessage() + ")");
        }
        if (header == null || !header.isObject()) {
            throw new CheckpointException(file + ": corrupt safetensors header (not a JSON object)");
        }
        Map<String, Entry> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            if (!f.getKey().equals("__metadata__")) {
                out.put(f.getKey(), entry(file, f.getKey(), f.getValue(), dataBytes));
            }
        }
        checkNoOverlap(file, out);
        return out;
    }

    private static Entry entry(Path file, String name, JsonNode n, long dataBytes) {
        String where = file + ": tensor " + name;
        if (!n.isObject() || !n.path("dtype").isTextual() || !n.path("shape").isArray()
                || !n.path("data_offsets").isArray() || n.get("data_offsets").size() != 2) {
            throw new CheckpointException(where + ": header entry needs dtype, shape and two data_offsets, got " + n);
        }
        String dt = n.get("dtype").asText();
        DType dtype = DType.fromSafetensors(dt).orElseThrow(() -> new CheckpointException(
                where + " has unsupported dtype " + dt + " (supported: BF16, F16, F32)"));
        long[] shape = new long[n.get("shape").size()];
        long numElements = 1;
        for (int i = 0; i < shape.length; i++) {
            shape[i] = nonNegative(where, "shape", n.get("shape").get(i));
            numElements = Math.multiplyExact(numElements, shape[i]);
        }
        long begin = nonNegative(where, "data_offsets", n.get("data_offsets").get(0));
        long end = nonNegative(where, "data_offsets", n.get("data_offsets").get(1));
        if (begin > end || end > dataBytes) {
            throw new CheckpointException(where + ": data_offsets [" + begin + ", " + end
                    + "] lie outside the data section of " + dataBytes + " bytes (truncated file?)");
        }
        long needBytes = numElements * dtype.sizeBytes();
        if (end - begin != needBytes) {
            throw new CheckpointException(where + ": data_offsets span " + (end - begin) + " bytes but shape "
                    + Arrays.toString(shape) + " of " + dtype + " needs " + needBytes);
        }
        return new Entry(name, dtype, shape, begin, end);
    }

    private static long nonNegative(String where, String field, JsonNode v) {
        if (v == null || !v.canConvertToExactIntegral() || !v.canConvertToLong() || v.asLong() < 0) {
            throw new CheckpointException(where + ": " + field + " must hold non-negative integers, got " + v);
        }
        return v.asLong();
    }

    private static void checkNoOverlap(Path file, Map<String, Entry> entries) {
        List<Entry> sorted = new ArrayList<>(entries.values());
        sorted.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        for (int i = 1; i < sorted.size(); i++) {
            Entry prev = sorted.get(i - 1);
            Entry cur = sorted.get(i);
            if (cur.begin() < prev.end() && cur.end() > cur.begin()) {
                throw new CheckpointException(file + ": tensors " + prev.name() + " and " + cur.name()
                        + " overlap in the data section (corrupt header)");
            }
        }
    }

    /**
     * Maps {@code e}'s bytes read-only, in chunks of whole rows of at most {@code maxChunkBytes} each (a
     * single ByteBuffer cannot exceed 2 GiB; real tensors do).
     */
    Tensor map(Entry e, long maxChunkBytes) {
        long[] shape = e.shape();
        long cols = shape.length == 0 ? 1 : shape[shape.length - 1];
        long rows = cols == 0 ? 0 : (e.end() - e.begin()) / e.dtype().sizeBytes() / cols;
        long rowBytes = cols * e.dtype().sizeBytes();
        if (rowBytes > maxChunkBytes || cols > Integer.MAX_VALUE) {
            throw new CheckpointException(file + ": tensor " + e.name() + " has rows of " + rowBytes
                    + " bytes, more than one mappable chunk (" + maxChunkBytes + ")");
        }
        int rowsPerChunk = (int) Math.min(Integer.MAX_VALUE, rowBytes == 0 ? Math.max(1, rows) : maxChunkBytes / rowBytes);
        int numChunks = (int) Math.max(1, (rows + rowsPerChunk - 1) / rowsPerChunk);
        ByteBuffer[] chunks = new ByteBuffer[numChunks]; // [numChunks], rowsPerChunk * rowBytes each (last shorter)
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            for (int c = 0; c < numChunks; c++) {
                long firstRow = (long) c * rowsPerChunk;
                long chunkRows = Math.min(rowsPerChunk, rows - firstRow);
                long pos = dataStart + e.begin() + firstRow * rowBytes;
                chunks[c] = ch.map(FileChannel.MapMode.READ_ONLY, pos, Math.max(0, chunkRows) * rowBytes);
            }
        } catch (IOException ex) {
            throw new CheckpointException(file + ": cannot map tensor " + e.name() + ": " + ex.getMessage(), ex);
        }
        return new Tensor(e.name(), e.dtype(), shape, chunks, rowsPerChunk, file, dataStart + e.begin());
    }
}
