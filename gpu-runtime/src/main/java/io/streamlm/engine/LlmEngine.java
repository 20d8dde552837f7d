package io.streamlm.engine;

import io.streamlm.backend.Backend;
import io.streamlm.backend.CacheLayout;
import io.streamlm.model.LayerType;
import io.streamlm.tokenizer.StopStringMatcher;
import io.streamlm.tokenizer.Tokenizer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The serving engine: continuous batching over a paged KV cache shared by prefix, with recurrent-state
 * snapshots for the hybrid layers. Built by {@link #builder()}; runs its steps on its own thread
 * ({@code streamlm-engine}), where handles complete and listeners are called. Thread-safe.
 */
public final class LlmEngine implements Engine {
    private final Backend backend;
    private final boolean closeBackendOnClose;
    private final Optional<Tokenizer> tokenizer;
    private final SamplerFactory samplerFactory;
    private final EngineThread loop;
    private final Thread thread;
    private final int maxContextTokens;
    private final int numKvBlocks;
    private final int blockSize;
    private final AtomicLong arrivalSeq = new AtomicLong();
    private final Set<String> inFlight = ConcurrentHashMap.newKeySet();
    private volatile EngineStats lastStats;
    private volatile boolean closed;

    LlmEngine(LlmEngineBuilder b, CacheLayout layout, int numSnapshotSlots) {
        this.backend = b.backend;
        this.closeBackendOnClose = b.closeBackendOnClose;
        this.tokenizer = Optional.ofNullable(b.tokenizer);
        this.samplerFactory = b.samplerFactory;
        this.blockSize = layout.blockSize();
        this.numKvBlocks = layout.numKvBlocks();
        this.maxContextTokens = backend.config().maxPositionEmbeddings();
        backend.allocateCaches(layout);
        int[] seqSlots = range(0, b.maxRunningRequests);
        int[] snapshotSlots = range(b.maxRunningRequests, b.maxRunningRequests + numSnapshotSlots);
        BlockPool pool = new BlockPool(layout.numKvBlocks());
        boolean hybrid = backend.config().layerTypes().contains(LayerType.LINEAR_ATTENTION);
        CacheManager cache = new CacheManager(pool, new SnapshotCache(pool, snapshotSlots), b.hasher, b.modelId,
                blockSize, b.snapshotIntervalOrDefault(), b.enablePrefixCache, hybrid, backend.canCopyKvBlocks());
        Scheduler scheduler = new Scheduler(
                new Scheduler.Config(b.maxBatchedTokens, b.maxRunningRequests, maxContextTokens), cache, seqSlots);
        StatsTracker stats = new StatsTracker();
        this.lastStats = stats.snapshot(scheduler);
        this.loop = new EngineThread(scheduler, new ModelRunner(backend), b.clock, stats, s -> lastStats = s);
        this.thread = new Thread(loop, "streamlm-engine");
        thread.setDaemon(true);
        thread.start();
    }

    public static LlmEngineBuilder builder() {
        return new LlmEngineBuilder();
    }

    @Override
    public RequestHandle submit(GenerationRequest request, TokenListener listener) {
        long now = System.nanoTime();
        SamplingParams sampling = request.sampling();
        RequestOutput out = new RequestOutput(request.id(), listener, tokenizer.map(Tokenizer::newStreamDecoder),
                new StopStringMatcher(sampling.stopStrings()), now);
        Optional<String> problem = Optional.empty();
        int[] promptTokens = new int[0];
        TokenChooser chooser = logits -> {
            throw new IllegalStateException("request " + request.id() + " is invalid and has no sampler");
        };
        try {
            promptTokens = promptTokens(request);
            problem = validate(request, promptTokens);
            if (problem.isEmpty()) {
                chooser = samplerFactory.create(sampling, sampling.seed().orElse(seedFromId(request.id())), promptTokens);
            }
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            problem = Optional.of(e.getMessage());
        }
        if (problem.isEmpty() && !inFlight.add(request.id())) {
            problem = Optional.of("request id '" + request.id() + "' is already in flight; ids must be unique");
        } else if (problem.isEmpty()) {
            out.result.whenComplete((r, e) -> inFlight.remove(request.id()));
        }
        Request r = new Request(request.id(), request, promptTokens, stopTokenIds(request), chooser,
                arrivalSeq.getAndIncrement(), out);
        r.errorMessage = problem;
        if (closed) {
            Scheduler.rejectUnscheduled(r, "engine is closed");
            out.complete(r, System.nanoTime());
        } else {
            loop.submit(r);
        }
        return new Handle(r, out.result, loop);
    }

    @Override
    public EngineStats stats() {
        return lastStats;
    }

    /**
     * Stops the engine thread; unfinished requests complete with CANCELLED. The backend stays open unless the
     * builder said {@code closeBackendOnClose()}.
     */
    @Override
    public void close() {
        closed = true;
        loop.stop();
        try {
            thread.join(TimeUnit.MINUTES.toMillis(1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (closeBackendOnClose) {
            backend.close();
        }
    }

    /** Test hook: drops every cached prefix and snapshot on the engine thread, then waits for it. */
    void dropCaches() throws Exception {
        CompletableFuture<Void> done = new CompletableFuture<>();
        loop.runOnEngineThread(s -> {
            s.cache().snapshots.clear();
            s.cache().prefixCache.clear();
            done.complete(null);
        });
        done.get(1, TimeUnit.MINUTES);
        Thread.sleep(50); // lets the loop publish fresh stats
    }

    private int[] promptTokens(GenerationRequest request) {
        Prompt p = request.prompt();
        if (p instanceof Prompt.Tokens t) {
            return t.ids().clone();
        } else if (p instanceof Prompt.Text t) {
            return requireTokenizer("text").encode(t.text());
        }
        Tokenizer tok = requireTokenizer("chat");
        return tok.encode(tok.renderChat(((Prompt.Chat) p).messages(), true));
    }

    private Tokenizer requireTokenizer(String kind) {
        return tokenizer.orElseThrow(() -> new UnsupportedOperationException(
                "a " + kind + " prompt needs a tokenizer, but the engine was built without one (builder().tokenizer(...))"));
    }

    private Optional<String> validate(GenerationRequest request, int[] promptTokens) {
        int vocab = backend.config().vocabSize();
        if (promptTokens.length == 0) {
            return Optional.of("prompt is empty after tokenization");
        }
        for (int i = 0; i < promptTokens.length; i++) {
            if (promptTokens[i] < 0 || promptTokens[i] >= vocab) {
                return Optional.of("prompt token " + i + " is " + promptTokens[i] + ", outside the vocabulary [0, " + vocab + ")");
            }
        }
        if (promptTokens.length >= maxContextTokens) {
            return Optional.of("prompt has " + promptTokens.length + " tokens but the context holds " + maxContextTokens
                    + " (max_position_embeddings) including at least one generated token");
        }
        int blocksNeeded = (promptTokens.length + blockSize) / blockSize;
        if (blocksNeeded > numKvBlocks) {
            return Optional.of("prompt has " + promptTokens.length + " tokens and needs " + blocksNeeded + " KV blocks of "
                    + blockSize + " tokens, but the KV cache holds only " + numKvBlocks + " blocks (raise kvCacheBytes)");
        }
        if (!request.sampling().stopStrings().isEmpty() && tokenizer.isEmpty()) {
            return Optional.of("stop strings need a tokenizer, but the engine was built without one");
        }
        return Optional.empty();
    }

    private Set<Integer> stopTokenIds(GenerationRequest request) {
        Set<Integer> ids = new LinkedHashSet<>(request.sampling().stopTokenIds());
        if (request.prompt() instanceof Prompt.Chat) {
            tokenizer.ifPresent(t -> ids.addAll(t.eosTokenIds()));
        }
        return ids;
    }

    /** FNV-1a of the id: a request without a seed replays the same way under the same id. */
    static long seedFromId(String id) {
        long h = 0xcbf29ce484222325L;
        for (byte b : id.getBytes(StandardCharsets.UTF_8)) {
            h = (h ^ (b & 0xff)) * 0x100000001b3L;
        }
        return h;
    }

    private static int[] range(int from, int to) {
        int[] out = new int[to - from];
        for (int i = 0; i < out.length; i++) {
            out[i] = from + i;
        }
        return out;
    }

    private record Handle(Request request, CompletableFuture<GenerationResult> result, EngineThread loop)
            implements RequestHandle {
        @Override
        public String id() {
            return request.id;
        }

        @Override
        public void cancel() {
            request.cancelRequested = true;
            loop.wake();
        }
    }
}
