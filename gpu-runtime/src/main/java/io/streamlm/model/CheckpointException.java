package io.streamlm.model;

/**
 * A checkpoint the runtime cannot load: a missing or corrupt file, a config value it does not support, a
 * tensor whose dtype, bytes or shape contradict the header or the config. The message always names the file
 * and, where there is one, the key or tensor, so a user can act on it without a stack trace.
 */
public final class CheckpointException extends RuntimeException {
    public CheckpointException(String message) {
        super(message);
    }

    public CheckpointException(String message, Throwable cause) {
        super(message, cause);
    }
}
