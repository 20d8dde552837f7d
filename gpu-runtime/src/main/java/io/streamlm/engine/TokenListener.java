package io.streamlm.engine;

/** Receives a request's output as it is produced, on the engine thread: keep it short. */
@FunctionalInterface
public interface TokenListener {
    /**
     * @param tokenId   the new token
     * @param textDelta the text it completes (may be empty while a multi-byte character is incomplete)
     */
    void onToken(int tokenId, String textDelta);
}
