package io.streamlm.engine;

/**
 * Serves a stream of generation requests with one model: continuous batching, paged KV shared by
 * prefix, recurrent-state snapshots for the hybrid layers. Thread-safe: submit, cancel and stats may be
 * called from any thread; the engine runs its steps on its own thread.
 */
public interface Engine extends AutoCloseable {

    /**
     * Queues a request. Invalid requests (empty prompt, prompt beyond the context length, ...) are not
     * thrown at the caller: the handle completes with finish reason ERROR and a message naming the problem.
     */
    RequestHandle submit(GenerationRequest request, TokenListener listener);

    default RequestHandle submit(GenerationRequest request) {
        return submit(request, (id, delta) -> { });
    }

    EngineStats stats();

    /** Stops the engine; unfinished requests complete with CANCELLED. */
    @Override
    void close();
}
