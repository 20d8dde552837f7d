package io.streamlm.engine;

import io.streamlm.backend.Backend;
import io.streamlm.backend.CacheLayout;
import io.streamlm.tokenizer.Tokenizer;
import java.time.Clock;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds an {@link LlmEngine}. Memory is given as budgets: {@code kvCacheBytes} (or {@code numKvBlocks})
 * for the paged KV pool of the attention layers, {@code stateCacheBytes} for prefix snapshots of the
 * Gated DeltaNet state. Every running request also gets its own state slot on top of that budget.
 */
public final class LlmEngineBuilder {
    /** More snapshots than this only slow lookups down: a prefix needs a handful. */
    static final int MAX_SNAPSHOTS = 1024;

    Backend backend;
    Tokenizer tokenizer;
    int maxBatchedTokens = 512;
    int maxRunningRequests = 64;
    int blockSize = 16;
    OptionalLong kvCacheBytes = OptionalLong.empty();
    OptionalInt numKvBlocks = OptionalInt.empty();
    long stateCacheBytes = 256L << 20;
    OptionalInt snapshotInterval = OptionalInt.empty();
    boolean enablePrefixCache = true;
    private static final Logger LOG = LoggerFactory.getLogger(LlmEngineBuilder.class);
    boolean closeBackendOnClose;
    String modelId = "default";
    PrefixHasher hasher = PrefixHasher.sha256();
    SamplerFactory samplerFactory = Samplers::create;
    Clock clock = Clock.systemUTC();

    LlmEngineBuilder() {}

    public LlmEngineBuilder backend(Backend backend) {
        this.backend = backend;
        return this;
    }

    /**
     * Makes the engine own its backend: {@link LlmEngine#close()} closes it too (its threads and cache
     * memory). For callers that open a backend per engine; tests that share one backend leave this off.
     */
    public LlmEngineBuilder closeBackendOnClose() {
        this.closeBackendOnClose = true;
        return this;
    }

    /** Needed for text and chat prompts, text deltas and stop strings; token prompts work without it. */
    public LlmEngineBuilder tokenizer(Tokenizer tokenizer) {
        this.tokenizer = tokenizer;
        return this;
    }

    /** Tokens computed per step at most (decodes + prefill chunks); the chunked-prefill size. Default 512. */
    public LlmEngineBuilder maxBatchedTokens(int n) {
        this.maxBatchedTokens = n;
        return this;
    }

    /** Requests in flight at most (each holds one state slot). Default 64. */
    public LlmEngineBuilder maxRunningRequests(int n) {
        this.maxRunningRequests = n;
        return this;
    }

    /** Tokens per KV block. Default 16. */
    public LlmEngineBuilder blockSize(int n) {
        this.blockSize = n;
        return this;
    }

    /** Memory for the KV pool; the number of blocks is this divided by the backend's block bytes. */
    public LlmEngineBuilder kvCacheBytes(long bytes) {
        this.kvCacheBytes = OptionalLong.of(bytes);
        return this;
    }

    /** The KV pool size in blocks (instead of {@link #kvCacheBytes}). */
    public LlmEngineBuilder numKvBlocks(int n) {
        this.numKvBlocks = OptionalInt.of(n);
        return this;
    }

    /** Memory for prefix snapshots of the recurrent state (0 disables them; at most 1024 snapshots). Default 256 MiB. */
    public LlmEngineBuilder stateCacheBytes(long bytes) {
        this.stateCacheBytes = bytes;
        return this;
    }

    /** Distance in tokens between aligned state snapshots; a multiple of the block size. Default 16 blocks. */
    public LlmEngineBuilder snapshotInterval(int tokens) {
        this.snapshotInterval = OptionalInt.of(tokens);
        return this;
    }

    public LlmEngineBuilder enablePrefixCache(boolean enable) {
        this.enablePrefixCache = enable;
        return this;
    }

    /** Part of every prefix-cache key, so caches never mix models. Default "default". */
    public LlmEngineBuilder modelId(String modelId) {
        this.modelId = modelId;
        return this;
    }

    LlmEngineBuilder hasher(PrefixHasher hasher) {
        this.hasher = hasher;
        return this;
    }

    LlmEngineBuilder samplerFactory(SamplerFactory f) {
        this.samplerFactory = f;
        return this;
    }

    LlmEngineBuilder clock(Clock clock) {
        this.clock = clock;
        return this;
    }

    /** Validates, allocates the backend's caches and starts the engine thread. */
    public LlmEngine build() {
        if (backend == null) {
            throw new IllegalStateException("backend is required: LlmEngine.builder().backend(CpuBackend.load(dir, threads))");
        }
        require(maxBatchedTokens >= 1, "maxBatchedTokens must be >= 1, got " + maxBatchedTokens);
        require(maxRunningRequests >= 1, "maxRunningRequests must be >= 1, got " + maxRunningRequests);
        require(blockSize >= 1 && blockSize <= 4096, "blockSize must be in [1, 4096], got " + blockSize);
        require(modelId != null && !modelId.isEmpty(), "modelId must not be empty");
        require(!(kvCacheBytes.isPresent() && numKvBlocks.isPresent()),
                "give either kvCacheBytes or numKvBlocks, not both");
        long blockBytes = backend.kvBlockBytes(blockSize);
        int blocks;
        if (numKvBlocks.isPresent()) {
            blocks = numKvBlocks.getAsInt();
        } else {
            long bytes = kvCacheBytes.orElse(1L << 30);
            require(bytes > 0, "kvCacheBytes must be > 0, got " + bytes);
            blocks = (int) Math.min(Integer.MAX_VALUE, blockBytes == 0 ? 1 << 16 : bytes / blockBytes);
            require(blocks >= 1, "kvCacheBytes " + bytes + " holds no KV block: one block of " + blockSize
                    + " tokens takes " + blockBytes + " bytes on backend " + backend.name());
        }
        require(blocks >= 1, "numKvBlocks must be >= 1, got " + blocks);
        int interval = snapshotInterval.orElse(16 * blockSize);
        require(interval >= blockSize && interval % blockSize == 0,
                "snapshotInterval must be a positive multiple of blockSize " + blockSize + ", got " + interval);
        require(stateCacheBytes >= 0, "stateCacheBytes must be >= 0, got " + stateCacheBytes);
        long slotBytes = backend.stateSlotBytes();
        int numSnapshotSlots = slotBytes == 0 ? 0 : (int) Math.min(MAX_SNAPSHOTS, stateCacheBytes / slotBytes);
        if (enablePrefixCache && slotBytes > 0 && numSnapshotSlots == 0) {
            LOG.warn("stateCacheBytes {} holds no recurrent-state snapshot (one takes {} bytes for this model): the "
                    + "prefix cache can never resume a request past its Gated DeltaNet layers, so every prompt is "
                    + "computed in full. Give it at least {} bytes (a few times that to share several prefixes).",
                    stateCacheBytes, slotBytes, slotBytes);
        }
        LOG.info("engine caches: {} KV blocks of {} tokens ({} tokens), {} running-request state slots, {} prefix "
                + "snapshots", blocks, blockSize, (long) blocks * blockSize, maxRunningRequests, numSnapshotSlots);
        this.snapshotInterval = OptionalInt.of(interval);
        return new LlmEngine(this, new CacheLayout(blocks, blockSize, maxRunningRequests + numSnapshotSlots), numSnapshotSlots);
    }

    int snapshotIntervalOrDefault() {
        return snapshotInterval.orElse(16 * blockSize);
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}
