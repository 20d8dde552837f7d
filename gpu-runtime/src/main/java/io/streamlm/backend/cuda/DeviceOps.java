package io.streamlm.backend.cuda;

import java.nio.ByteBuffer;

/**
 * Every device operation the GPU forward pass needs: memory and one method per kernel entry point, with
 * the kernel's own argument order (see the header of each .cu file for the math and shapes). Two
 * implementations: {@link CudaOps} launches the kernels; the CPU twin (tests) runs a plain Java port of
 * each kernel on arrays, so the forward orchestration in {@link ForwardPass} is tested without a GPU and
 * every kernel is compared against its twin on a GPU. Calls are ordered (one stream); downloads wait.
 */
interface DeviceOps extends AutoCloseable {

    /**
     * Makes the calling thread able to issue operations (a CUDA context is current per thread; the engine
     * drives the backend from its own thread). Cheap when the thread did not change.
     */
    default void bindThread() {}

    Buf alloc(Buf.Elem elem, long length, String what);

    void free(Buf buf);

    void upload(Buf dst, float[] src);

    void upload(Buf dst, int[] src);

    void upload(Buf dst, double[] src);

    void upload(Buf dst, long[] src);

    /** Raw little-endian bytes of {@code dst}'s element type (a checkpoint tensor chunk), from position 0. */
    void uploadRaw(Buf dst, ByteBuffer src, long bytes);

    float[] downloadF32(Buf src, int length);

    int[] downloadI32(Buf src, int length);

    /** Waits for all queued work. */
    void synchronize();

    void copy(Buf dst, Buf src, long elems);

    void zero(Buf dst, long elems);

    // ---- kernels (argument order as in the .cu files) ----

    void embeddingGather(Buf out, Buf table, Buf ids, int numTokens, int vocab, int hidden);

    void gatherRows(Buf out, Buf x, Buf rows, int numRows, int cols);

    void rmsnormZc(Buf out, int ldo, Buf x, int ldx, Buf w, int rows, int cols, float eps);

    void rmsnormGated(Buf out, Buf x, Buf z, int ldz, Buf w, int numTokens, int numHeads, int headDim, float eps);

    /** y (+)= x W^T; the kernel is chosen by {@code precision}, M and the weight type. */
    void matmul(Buf y, int ldy, Buf x, int ldx, Buf w, int m, int n, int k, boolean accumulate, Precision precision);

    void qkNormRope(Buf qOut, Buf y, int ldy, int kOff, Buf positions, Buf invFreq, Buf qNorm, Buf kNorm,
                    int numTokens, int numHeads, int numKvHeads, int headDim, int rotaryDim, float eps);

    void kvCacheWrite(Buf kCache, Buf vCache, Buf k, Buf v, int ldy, StepMeta meta, int blockSize, int numKvHeads,
                      int headDim);

    void attentionDecode(Buf o, Buf q, Buf kCache, Buf vCache, StepMeta meta, int blockSize, int numHeads,
                         int numKvHeads, int headDim, float scale);

    void attentionPrefill(Buf o, Buf q, Buf kCache, Buf vCache, StepMeta meta, int blockSize, int numHeads,
                          int numKvHeads, int headDim, float scale);

    void sigmoidGateMul(Buf o, Buf gate, int ldg, int headStride, int numTokens, int numHeads, int headDim);

    void causalConv1d(Buf out, Buf x, int ldx, Buf w, Buf state, long slotStride, StepMeta meta, int convDim, int k);

    void gdnGates(Buf beta, Buf g, Buf b, Buf a, int ld, Buf aLog, Buf dtBias, int numTokens, int numValueHeads);

    void gdnRecurrent(Buf core, Buf conv, Buf beta, Buf g, Buf state, long slotStride, StepMeta meta,
                      int numKeyHeads, int numValueHeads, int dk, int dv);

    void swiglu(Buf out, Buf gu, int ldgu, int numTokens, int intermediate);

    void stateCopy(Buf pool, long slotElems, Buf src, Buf dst, int numPairs);

    void stateZero(Buf pool, long slotElems, Buf slots, int numSlots);

    void initHash(Buf w, long n, long seed, float scale, float offset);

    /** Samples one token per row; see sampling.cu. Row parameters are uploaded by the caller. */
    void sampleRows(Buf outToken, Buf outLogprob, Buf logits, int numRows, int vocab, SamplingBatch batch);

    @Override
    void close();
}
