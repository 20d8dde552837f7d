// SwiGLU of the MLP: out[t, j] = silu(gu[t, j]) * gu[t, I + j]
//   gu f32 [numTokens, ldgu]: the fused gate|up projection (gate columns 0 .. I, up columns I .. 2I);
//   out f32 [numTokens, I] dense. grid (ceil(numTokens * I / 256)), block 256.
#include "common.cuh"

extern "C" __global__ void swiglu(float *out, const float *gu, int ldgu, int numTokens, int intermediate) {
    size_t i = (size_t) blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= (size_t) numTokens * intermediate) {
        return;
    }
    size_t t = i / intermediate;
    int j = (int) (i % intermediate);
    const float *row = gu + t * ldgu;
    out[i] = siluf_(row[j]) * row[intermediate + j];
}
