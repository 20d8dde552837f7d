// RMSNorms of the Qwen3.5 hybrid decoder.
//
// rmsnorm_zc (Qwen3_5RMSNorm, zero-centred weight):
//   out[r, c] = x[r, c] * rsqrt(mean_c(x[r, :]^2) + eps) * (1 + w[c])
//   x f32 [rows, cols] (row stride ldx), w f32 [cols], out f32 [rows, cols] (row stride ldo)
//   grid (rows), block 256; one block reduces one row (sum of squares in f32), then scales it.
//   Used for input/post-attention/final norms and, with rows = tokens * heads, for QK-norm.
//
// rmsnorm_gated (Qwen3_5RMSNormGated, weight used as-is, SiLU gate):
//   out[t, h, d] = x[t, h, d] * rsqrt(mean_d(x[t, h, :]^2) + eps) * w[d] * silu(z[t, h, d])
//   x f32 [numTokens, numHeads, headDim] dense; z f32 [numTokens, numHeads * headDim] row stride ldz;
//   w f32 [headDim]; out f32 [numTokens, numHeads * headDim] dense.
//   grid (numTokens * numHeads), block 128.
#include "common.cuh"

extern "C" __global__ void rmsnorm_zc(float *out, int ldo, const float *x, int ldx, const float *w,
                                      int cols, float eps) {
    __shared__ float scratch[32];
    const float *xr = x + (size_t) blockIdx.x * ldx;
    float *orow = out + (size_t) blockIdx.x * ldo;
    float ss = 0.f;
    for (int c = threadIdx.x; c < cols; c += blockDim.x) {
        float v = xr[c];
        ss += v * v;
    }
    ss = block_sum(ss, scratch);
    float inv = rsqrtf(ss / cols + eps);
    for (int c = threadIdx.x; c < cols; c += blockDim.x) {
        orow[c] = xr[c] * inv * (1.f + w[c]);
    }
}

extern "C" __global__ void rmsnorm_gated(float *out, const float *x, const float *z, int ldz, const float *w,
                                         int numHeads, int headDim, float eps) {
    __shared__ float scratch[32];
    int t = blockIdx.x / numHeads, h = blockIdx.x % numHeads;
    const float *xr = x + ((size_t) t * numHeads + h) * headDim;
    const float *zr = z + (size_t) t * ldz + (size_t) h * headDim;
    float *orow = out + ((size_t) t * numHeads + h) * headDim;
    float ss = 0.f;
    for (int d = threadIdx.x; d < headDim; d += blockDim.x) {
        float v = xr[d];
        ss += v * v;
    }
    ss = block_sum(ss, scratch);
    float inv = rsqrtf(ss / headDim + eps);
    for (int d = threadIdx.x; d < headDim; d += blockDim.x) {
        orow[d] = xr[d] * inv * w[d] * siluf_(zr[d]);
    }
}
