package io.streamlm.operators.inference;

import io.streamlm.backend.Backend;
import io.streamlm.backend.Backends;
import io.streamlm.engine.Engine;
import io.streamlm.engine.LlmEngine;
import io.streamlm.tokenizer.Tokenizer;
import java.nio.file.Path;

/**
 * The real engine: a checkpoint directory on the TaskManager's disk, a backend, and the engine's memory
 * and batch sizes. Everything here is a value, so it ships with the job graph; the model is loaded on
 * the TaskManager by {@link #create()}, once per process (see {@link SharedEngines}).
 *
 * @param modelDir          checkpoint directory (config.json, safetensors, tokenizer.json)
 * @param backend           where the model runs
 * @param numThreads        CPU backend worker threads
 * @param kvCacheBytes      paged KV pool of the attention layers
 * @param stateCacheBytes   prefix snapshots of the Gated DeltaNet state
 * @param maxRunningRequests requests in one engine step at most
 * @param maxBatchedTokens  tokens per engine step at most (the chunked-prefill size)
 * @param blockSize         tokens per KV block
 * @param modelId           names the model in outputs and salts the prefix cache
 */
public record ModelEngineFactory(
        String modelDir,
        BackendKind backend,
        int numThreads,
        long kvCacheBytes,
        long stateCacheBytes,
        int maxRunningRequests,
        int maxBatchedTokens,
        int blockSize,
        String modelId) implements EngineFactory {

    /** Which backend runs the model. AUTO = CUDA when a GPU is usable, else CPU. */
    public enum BackendKind { CPU, CUDA, AUTO }

    @Override
    public String sharingKey() {
        return String.join("|", modelDir, backend.name(), String.valueOf(numThreads), String.valueOf(kvCacheBytes),
                String.valueOf(stateCacheBytes), String.valueOf(maxRunningRequests), String.valueOf(maxBatchedTokens),
                String.valueOf(blockSize), modelId);
    }

    @Override
    public Engine create() {
        Path dir = Path.of(modelDir);
        return LlmEngine.builder()
                .backend(openBackend(dir))
                .tokenizer(Tokenizer.load(dir))
                .kvCacheBytes(kvCacheBytes)
                .stateCacheBytes(stateCacheBytes)
                .maxRunningRequests(maxRunningRequests)
                .maxBatchedTokens(maxBatchedTokens)
                .blockSize(blockSize)
                .modelId(modelId)
                .closeBackendOnClose()
                .build();
    }

    /** auto picks CUDA where the probe finds a GPU and kernels, else the CPU (see {@link Backends}). */
    private Backend openBackend(Path dir) {
        return Backends.open(dir, backend.name().toLowerCase(java.util.Locale.ROOT), numThreads);
    }
}
