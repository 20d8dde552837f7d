// Dummy weights generated on the device (--load-format dummy): a counter-based hash, no curand, so any
// preset shape (Qwen3.6-27B: 54 GB of bf16) is filled in place without a file or a host copy.
//   w[i] = scale * u(seed, i) + offset,  u uniform in [-1, 1) from splitmix64(seed ^ (i * 0x9E3779B97F4A7C15))
// init_hash_bf16: w bf16 [n] (rounded to nearest even); init_hash_f32: w f32 [n].
//   grid (min(ceil(n / 256), 65535 * 8)), block 256, grid-stride loop.
#include "common.cuh"

__device__ __forceinline__ float hash_uniform(unsigned long long seed, unsigned long long i) {
    unsigned long long z = seed ^ (i * 0x9E3779B97F4A7C15ull);
    z += 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    return (float) (z >> 40) * (1.0f / 8388608.0f) - 1.0f; // 24 bits -> [-1, 1)
}

extern "C" __global__ void init_hash_bf16(uint16_t *w, long long n, unsigned long long seed, float scale,
                                          float offset) {
    for (long long i = (long long) blockIdx.x * blockDim.x + threadIdx.x; i < n;
         i += (long long) gridDim.x * blockDim.x) {
        w[i] = f32_to_bf16(scale * hash_uniform(seed, (unsigned long long) i) + offset);
    }
}

extern "C" __global__ void init_hash_f32(float *w, long long n, unsigned long long seed, float scale,
                                         float offset) {
    for (long long i = (long long) blockIdx.x * blockDim.x + threadIdx.x; i < n;
         i += (long long) gridDim.x * blockDim.x) {
        w[i] = scale * hash_uniform(seed, (unsigned long long) i) + offset;
    }
}
