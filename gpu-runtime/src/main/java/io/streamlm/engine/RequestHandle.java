package io.streamlm.engine;

import java.util.concurrent.CompletableFuture;

/** A submitted request: its result, and a way to cancel it. */
public interface RequestHandle {

    String id();

    /** Completes exactly once, on the engine thread, when the request ends for any reason. */
    CompletableFuture<GenerationResult> result();

    /** Ends the request with CANCELLED (no effect once finished); its memory is freed at the next step. */
    void cancel();
}
