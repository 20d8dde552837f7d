// Shared device helpers for every StreamLM kernel family (included, never compiled on its own).
//
// Conventions used by all kernels:
//   * activations are f32, row-major [rows, cols] with an explicit leading dimension (ld, in elements)
//     so that kernels can read column ranges of a fused projection output without copies;
//   * weights are bf16 (raw uint16 bits, the upper half of an IEEE f32), row-major [out, in] as stored
//     in Hugging Face checkpoints;
//   * every kernel is extern "C" so the Java launchers find it by its plain name in the cubin.
#pragma once
#include <stdint.h>

#define SLM_WARP 32

__device__ __forceinline__ float bf16_to_f32(uint16_t b) {
    return __uint_as_float(((uint32_t) b) << 16);
}

// round to nearest even, NaN stays NaN (same as io.streamlm.model.Bf16.fromFloat)
__device__ __forceinline__ uint16_t f32_to_bf16(float f) {
    uint32_t u = __float_as_uint(f);
    if ((u & 0x7fffffffu) > 0x7f800000u) {
        return (uint16_t) ((u >> 16) | 0x40u);
    }
    uint32_t bias = ((u >> 16) & 1u) + 0x7fffu;
    return (uint16_t) ((u + bias) >> 16);
}

__device__ __forceinline__ float warp_sum(float v) {
#pragma unroll
    for (int o = 16; o > 0; o >>= 1) {
        v += __shfl_xor_sync(0xffffffffu, v, o);
    }
    return v;
}

__device__ __forceinline__ float warp_max(float v) {
#pragma unroll
    for (int o = 16; o > 0; o >>= 1) {
        v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, o));
    }
    return v;
}

// Block-wide sum; every thread gets the result. scratch: >= 32 floats of shared memory.
__device__ __forceinline__ float block_sum(float v, float *scratch) {
    int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, numWarps = (blockDim.x + 31) >> 5;
    v = warp_sum(v);
    __syncthreads();
    if (lane == 0) {
        scratch[warp] = v;
    }
    __syncthreads();
    float t = lane < numWarps ? scratch[lane] : 0.f;
    return warp_sum(t);
}

__device__ __forceinline__ float block_max(float v, float *scratch) {
    int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, numWarps = (blockDim.x + 31) >> 5;
    v = warp_max(v);
    __syncthreads();
    if (lane == 0) {
        scratch[warp] = v;
    }
    __syncthreads();
    float t = lane < numWarps ? scratch[lane] : -INFINITY;
    return warp_max(t);
}

__device__ __forceinline__ float sigmoidf_(float x) {
    return 1.f / (1.f + expf(-x));
}

__device__ __forceinline__ float siluf_(float x) {
    return x / (1.f + expf(-x));
}
