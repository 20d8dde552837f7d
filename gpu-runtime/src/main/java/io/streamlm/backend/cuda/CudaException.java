package io.streamlm.backend.cuda;

/** A CUDA driver call failed, or the GPU backend cannot run here; the message names the call and the reason. */
public final class CudaException extends RuntimeException {
    public CudaException(String message) {
        super(message);
    }

    public CudaException(String message, Throwable cause) {
        super(message, cause);
    }
}
