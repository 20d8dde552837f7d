// Matmul on bf16 weights: y[m, n] (+)= sum_k x[m, k] * W[n, k]     (y = x W^T, W as stored [out, in])
//   x f32 [M, K] row stride ldx; W bf16 [N, K] dense; y f32 [M, N] row stride ldy.
//   accumulate = 1 adds into y (the residual connection), 0 overwrites it.
//   Accumulation is always f32.
//
// matmul_gemv_bf16 (decode, M <= GEMV_MAX_M = 8): bandwidth-bound. Every weight byte is read once.
//   block 256 threads = 8 warps; a block owns GEMV_ROWS_PER_BLOCK = 16 consecutive outputs n (2 per warp);
//   grid (ceil(N / 16)): 320 blocks for N = 5120, enough to keep every SM's loads in flight. x is staged through shared memory in K tiles of GEMV_KTILE = 1024 columns
//   ([M, 1024] f32 = 32 KiB); each lane loads 8 bf16 of a weight row with one 16-byte load.
//   Requires K % 8 == 0 (16-byte aligned rows); the launcher checks.
//
// matmul_simt_f32 (the f32-activation reference mode, any M): exact f32 products of f32 x and widened
//   weights, tiled 64 x 64 with 16 x 16 threads computing 4 x 4 outputs each; K tiles of 16 in shared
//   memory. grid (ceil(N / 64), ceil(M / 64)), block (16, 16).
//
// matmul_simt_f32w: the same tiling for f32 weights W f32 [N, K] (f32 / f16 checkpoints in f32 mode).
//
// matmul_mma_bf16 (prefill / large batches, tensor cores): x is rounded to bf16 while it is staged
//   (the "BF16 fast path"), products accumulate in f32 through wmma 16x16x16 bf16 fragments.
//   Block tile 64 (M) x 64 (N) x 32 (K), 4 warps in a 2 x 2 grid, each warp 32 x 32 = 2 x 2 fragments.
//   grid (ceil(N / 64), ceil(M / 64), splitK), block 128. Any M, N, K (edges zero-filled).
//   splitK > 1 (small grids: decode batches on narrow matrices): block z sums K range z of splitK (multiples of
//   32) and atomically adds its partial sums into y, which the launcher zeroed unless accumulating.
#include "common.cuh"
#include <mma.h>
#include <cuda_bf16.h>

#define GEMV_MAX_M 8
#define GEMV_ROWS_PER_WARP 2
#define GEMV_ROWS_PER_BLOCK 16
#define GEMV_KTILE 1024

extern "C" __global__ void __launch_bounds__(256) matmul_gemv_bf16(float *y, int ldy, const float *x, int ldx,
        const uint16_t *w, int M, int N, int K, int accumulate) {
    __shared__ __align__(16) float xs[GEMV_MAX_M * GEMV_KTILE]; // [M, KTILE]
    int warp = threadIdx.x >> 5, lane = threadIdx.x & 31;
    int n0 = blockIdx.x * GEMV_ROWS_PER_BLOCK + warp * GEMV_ROWS_PER_WARP;
    float acc[GEMV_ROWS_PER_WARP][GEMV_MAX_M];
#pragma unroll
    for (int r = 0; r < GEMV_ROWS_PER_WARP; r++) {
#pragma unroll
        for (int m = 0; m < GEMV_MAX_M; m++) {
            acc[r][m] = 0.f;
        }
    }
    for (int k0 = 0; k0 < K; k0 += GEMV_KTILE) {
        int kt = min(GEMV_KTILE, K - k0);
        __syncthreads();
        for (int i = threadIdx.x; i < M * kt; i += blockDim.x) {
            int m = i / kt, k = i % kt;
            xs[m * GEMV_KTILE + k] = x[(size_t) m * ldx + k0 + k];
        }
        __syncthreads();
#pragma unroll
        for (int r = 0; r < GEMV_ROWS_PER_WARP; r++) {
            int n = n0 + r;
            if (n >= N) {
                break;
            }
            const uint16_t *wr = w + (size_t) n * K + k0;
            for (int k = lane * 8; k < kt; k += 32 * 8) {
                uint4 packed = *reinterpret_cast<const uint4 *>(wr + k);
                float wv[8];
                wv[0] = __uint_as_float(packed.x << 16); wv[1] = __uint_as_float(packed.x & 0xffff0000u);
                wv[2] = __uint_as_float(packed.y << 16); wv[3] = __uint_as_float(packed.y & 0xffff0000u);
                wv[4] = __uint_as_float(packed.z << 16); wv[5] = __uint_as_float(packed.z & 0xffff0000u);
                wv[6] = __uint_as_float(packed.w << 16); wv[7] = __uint_as_float(packed.w & 0xffff0000u);
#pragma unroll
                for (int m = 0; m < GEMV_MAX_M; m++) {
                    if (m < M) {
                        const float4 *xv = reinterpret_cast<const float4 *>(xs + m * GEMV_KTILE + k);
                        float4 a = xv[0], b = xv[1];
                        acc[r][m] += wv[0] * a.x + wv[1] * a.y + wv[2] * a.z + wv[3] * a.w
                                   + wv[4] * b.x + wv[5] * b.y + wv[6] * b.z + wv[7] * b.w;
                    }
                }
            }
        }
    }
#pragma unroll
    for (int r = 0; r < GEMV_ROWS_PER_WARP; r++) {
        int n = n0 + r;
#pragma unroll
        for (int m = 0; m < GEMV_MAX_M; m++) {
            float v = warp_sum(acc[r][m]);
            if (lane == 0 && n < N && m < M) {
                float *dst = y + (size_t) m * ldy + n;
                *dst = accumulate ? *dst + v : v;
            }
        }
    }
}

#define SIMT_TILE 64
#define SIMT_KT 16

template <typename W>
__device__ __forceinline__ float widen(W v);
template <> __device__ __forceinline__ float widen<uint16_t>(uint16_t v) { return bf16_to_f32(v); }
template <> __device__ __forceinline__ float widen<float>(float v) { return v; }

template <typename W>
__device__ __forceinline__ void simt_tile(float *y, int ldy, const float *x, int ldx, const W *w, int M, int N, int K,
                                          int accumulate) {
    __shared__ float xs[SIMT_KT][SIMT_TILE + 1]; // [k, m]
    __shared__ float ws[SIMT_KT][SIMT_TILE + 1]; // [k, n]
    int tx = threadIdx.x, ty = threadIdx.y, tid = ty * 16 + tx;
    int m0 = blockIdx.y * SIMT_TILE, n0 = blockIdx.x * SIMT_TILE;
    float acc[4][4] = {};
    for (int k0 = 0; k0 < K; k0 += SIMT_KT) {
        for (int i = tid; i < SIMT_TILE * SIMT_KT; i += 256) {
            int r = i / SIMT_KT, k = i % SIMT_KT;
            int gm = m0 + r, gn = n0 + r, gk = k0 + k;
            xs[k][r] = (gm < M && gk < K) ? x[(size_t) gm * ldx + gk] : 0.f;
            ws[k][r] = (gn < N && gk < K) ? widen<W>(w[(size_t) gn * K + gk]) : 0.f;
        }
        __syncthreads();
#pragma unroll
        for (int k = 0; k < SIMT_KT; k++) {
            float a[4], b[4];
#pragma unroll
            for (int i = 0; i < 4; i++) {
                a[i] = xs[k][ty + 16 * i];
                b[i] = ws[k][tx + 16 * i];
            }
#pragma unroll
            for (int i = 0; i < 4; i++) {
#pragma unroll
                for (int j = 0; j < 4; j++) {
                    acc[i][j] = fmaf(a[i], b[j], acc[i][j]);
                }
            }
        }
        __syncthreads();
    }
#pragma unroll
    for (int i = 0; i < 4; i++) {
#pragma unroll
        for (int j = 0; j < 4; j++) {
            int gm = m0 + ty + 16 * i, gn = n0 + tx + 16 * j;
            if (gm < M && gn < N) {
                float *dst = y + (size_t) gm * ldy + gn;
                *dst = accumulate ? *dst + acc[i][j] : acc[i][j];
            }
        }
    }
}

extern "C" __global__ void __launch_bounds__(256) matmul_simt_f32(float *y, int ldy, const float *x, int ldx,
        const uint16_t *w, int M, int N, int K, int accumulate) {
    simt_tile<uint16_t>(y, ldy, x, ldx, w, M, N, K, accumulate);
}

extern "C" __global__ void __launch_bounds__(256) matmul_simt_f32w(float *y, int ldy, const float *x, int ldx,
        const float *w, int M, int N, int K, int accumulate) {
    simt_tile<float>(y, ldy, x, ldx, w, M, N, K, accumulate);
}

#define MMA_BM 64
#define MMA_BN 64
#define MMA_BK 32
#define MMA_PAD 8

using namespace nvcuda;

extern "C" __global__ void __launch_bounds__(128) matmul_mma_bf16(float *y, int ldy, const float *x, int ldx,
        const uint16_t *w, int M, int N, int K, int accumulate) {
#if __CUDA_ARCH__ >= 800
    __shared__ __align__(32) __nv_bfloat16 as[MMA_BM][MMA_BK + MMA_PAD]; // [m, k] row-major A tile
    __shared__ __align__(32) __nv_bfloat16 bs[MMA_BN][MMA_BK + MMA_PAD]; // [n, k] = col-major B (K x N) tile
    __shared__ __align__(32) float cs[4][16 * 16];                        // per-warp epilogue staging
    int warp = threadIdx.x >> 5, lane = threadIdx.x & 31;
    int wm = (warp >> 1) * 32, wn = (warp & 1) * 32;
    int m0 = blockIdx.y * MMA_BM, n0 = blockIdx.x * MMA_BN;
    wmma::fragment<wmma::accumulator, 16, 16, 16, float> acc[2][2];
#pragma unroll
    for (int i = 0; i < 2; i++) {
#pragma unroll
        for (int j = 0; j < 2; j++) {
            wmma::fill_fragment(acc[i][j], 0.f);
        }
    }
    const bool kVec = (K % 8) == 0;
    int kPer = (K + gridDim.z - 1) / gridDim.z;
    kPer = (kPer + MMA_BK - 1) / MMA_BK * MMA_BK;
    int kBegin = blockIdx.z * kPer, kEnd = min(K, kBegin + kPer);
    for (int k0 = kBegin; k0 < kEnd; k0 += MMA_BK) {
        // A: 64 x 32 f32 -> bf16, 16 elements per thread
        for (int i = threadIdx.x; i < MMA_BM * MMA_BK; i += 128) {
            int r = i / MMA_BK, k = i % MMA_BK;
            int gm = m0 + r, gk = k0 + k;
            float v = (gm < M && gk < K) ? x[(size_t) gm * ldx + gk] : 0.f;
            as[r][k] = __float2bfloat16_rn(v);
        }
        // B: 64 rows of W, 32 bf16 each = 4 x 16-byte loads per row
        for (int i = threadIdx.x; i < MMA_BN * (MMA_BK / 8); i += 128) {
            int r = i / (MMA_BK / 8), k = (i % (MMA_BK / 8)) * 8;
            int gn = n0 + r, gk = k0 + k;
            if (kVec && gn < N && gk + 8 <= K) {
                uint4 v = *reinterpret_cast<const uint4 *>(w + (size_t) gn * K + gk);
                *reinterpret_cast<uint4 *>(&bs[r][k]) = v;
            } else {
#pragma unroll
                for (int e = 0; e < 8; e++) {
                    uint16_t bits = (gn < N && gk + e < K) ? w[(size_t) gn * K + gk + e] : (uint16_t) 0;
                    bs[r][k + e] = __ushort_as_bfloat16(bits);
                }
            }
        }
        __syncthreads();
#pragma unroll
        for (int kk = 0; kk < MMA_BK; kk += 16) {
            wmma::fragment<wmma::matrix_a, 16, 16, 16, __nv_bfloat16, wmma::row_major> fa[2];
            wmma::fragment<wmma::matrix_b, 16, 16, 16, __nv_bfloat16, wmma::col_major> fb[2];
#pragma unroll
            for (int i = 0; i < 2; i++) {
                wmma::load_matrix_sync(fa[i], &as[wm + 16 * i][kk], MMA_BK + MMA_PAD);
                wmma::load_matrix_sync(fb[i], &bs[wn + 16 * i][kk], MMA_BK + MMA_PAD);
            }
#pragma unroll
            for (int i = 0; i < 2; i++) {
#pragma unroll
                for (int j = 0; j < 2; j++) {
                    wmma::mma_sync(acc[i][j], fa[i], fb[j], acc[i][j]);
                }
            }
        }
        __syncthreads();
    }
#pragma unroll
    for (int i = 0; i < 2; i++) {
#pragma unroll
        for (int j = 0; j < 2; j++) {
            wmma::store_matrix_sync(cs[warp], acc[i][j], 16, wmma::mem_row_major);
            __syncwarp();
            for (int e = lane; e < 256; e += 32) {
                int gm = m0 + wm + 16 * i + e / 16, gn = n0 + wn + 16 * j + e % 16;
                if (gm < M && gn < N) {
                    float *dst = y + (size_t) gm * ldy + gn;
                    if (gridDim.z > 1) {
                        atomicAdd(dst, cs[warp][e]);
                    } else {
                        *dst = accumulate ? *dst + cs[warp][e] : cs[warp][e];
                    }
                }
            }
            __syncwarp();
        }
    }
#endif
}
