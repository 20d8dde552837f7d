// Sigmoid output gate of the gated full-attention layers:
//   o[t, h, d] *= sigmoid(gate[t * ldg + h * headStride + d])
//   o f32 [numTokens, numHeads * headDim] dense; gate f32 read from the fused projection output
//   (q_proj's per-head [query | gate]: the caller offsets the pointer by headDim, headStride = 2 * headDim).
//   grid (ceil(numTokens * numHeads * headDim / 256)), block 256, one element per thread.
#include "common.cuh"

extern "C" __global__ void sigmoid_gate_mul(float *o, const float *gate, int ldg, int headStride,
                                            int numTokens, int numHeads, int headDim) {
    size_t i = (size_t) blockIdx.x * blockDim.x + threadIdx.x;
    size_t width = (size_t) numHeads * headDim;
    if (i >= (size_t) numTokens * width) {
        return;
    }
    size_t t = i / width;
    int j = (int) (i % width), h = j / headDim, d = j % headDim;
    o[i] *= sigmoidf_(gate[t * ldg + (size_t) h * headStride + d]);
}
