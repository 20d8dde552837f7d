package io.streamlm.backend.cuda;

/** How the GPU backend multiplies: activations are f32 in memory either way. */
public enum Precision {
    /**
     * f32 products of f32 activations and the stored weights (bf16 widened, f32 kept as f32): the mode that
     * passes the conformance fixtures exactly like the CPU backend.
     */
    F32,
    /**
     * The fast path: weights in bf16, activations rounded to bf16 at the tensor-core matmuls (prefill and
     * batches above 8 rows), f32 accumulation; decode steps of up to 8 rows use the exact GEMV kernel.
     */
    BF16
}
