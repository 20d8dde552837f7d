// Paged attention of the gated full-attention layers (GQA: query head h reads KV head h / (numHeads / numKvHeads)).
//
// Paged KV pool per layer: kCache, vCache f32 [numBlocks, blockSize, numKvHeads, headDim]; position p of a
// sequence lives in block blockTables[btOff[c] + p / blockSize], row p % blockSize.
// Token metadata of one batched step (tokens of all chunks flattened in chunk order):
//   tokPos int32 [numTokens] absolute position; tokChunk int32 [numTokens] chunk index;
//   btOff int32 [numChunks] offset of the chunk's block table inside blockTables (int32, flat).
//
// kv_cache_write: K and V of every token go to their paged slot.
//   k, v f32 read from the fused projection y (row stride ldy). grid (numTokens), block 256.
//
// For every query token t, head h (causal: keys 0 .. tokPos[t], all already in the cache):
//   o[t, h, :] = sum_s softmax_s(q[t, h, :] . K[s, h/rep, :] * scale) V[s, h/rep, :],  scale = headDim^-0.5
// with an online (running max) softmax in f32.
//
// paged_attention_decode (one query per (token, head) block; decode steps and short chunks):
//   grid (numTokens, numHeads), block 128 = 4 warps; each warp takes every 4th key, lane owns dims
//   lane + 32 i (headDim <= 256); warps merge (max, sum, acc) through shared memory.
// paged_attention_prefill (query tiles: up to 8 consecutive tokens of one chunk share each K/V tile):
//   grid (numTiles, numHeads), block 256 = 8 warps, warp w = query tileTok0[tile] + w;
//   K/V tiles of 16 keys staged in shared memory (41 KiB at headDim 256); a key's dot product is split
//   over two half-warps (lane & 15 = key, lane >> 4 = half of the head dims).
#include "common.cuh"

#define ATT_MAX_HD 256
#define ATT_DEC_WARPS 4
#define ATT_PF_WARPS 8
#define ATT_PF_KEYS 16

__device__ __forceinline__ size_t kv_row(const int *blockTable, int p, int blockSize, int numKvHeads, int kvh,
                                         int headDim) {
    int blk = blockTable[p / blockSize];
    return (((size_t) blk * blockSize + p % blockSize) * numKvHeads + kvh) * headDim;
}

extern "C" __global__ void kv_cache_write(float *kCache, float *vCache, const float *k, const float *v, int ldy,
                                          const int *tokPos, const int *tokChunk, const int *btOff,
                                          const int *blockTables, int blockSize, int numKvHeads, int headDim) {
    int t = blockIdx.x;
    int p = tokPos[t];
    const int *bt = blockTables + btOff[tokChunk[t]];
    int kvDim = numKvHeads * headDim;
    size_t base = kv_row(bt, p, blockSize, numKvHeads, 0, headDim);
    for (int j = threadIdx.x; j < kvDim; j += blockDim.x) {
        kCache[base + j] = k[(size_t) t * ldy + j];
        vCache[base + j] = v[(size_t) t * ldy + j];
    }
}

extern "C" __global__ void __launch_bounds__(128) paged_attention_decode(float *o, const float *q,
        const float *kCache, const float *vCache, const int *tokPos, const int *tokChunk, const int *btOff,
        const int *blockTables, int blockSize, int numHeads, int numKvHeads, int headDim, float scale) {
    __shared__ float wm[ATT_DEC_WARPS], wl[ATT_DEC_WARPS];
    __shared__ float wacc[ATT_DEC_WARPS][ATT_MAX_HD];
    int t = blockIdx.x, h = blockIdx.y;
    int warp = threadIdx.x >> 5, lane = threadIdx.x & 31;
    int kvh = h / (numHeads / numKvHeads);
    const int *bt = blockTables + btOff[tokChunk[t]];
    int last = tokPos[t];
    const float *qr = q + ((size_t) t * numHeads + h) * headDim;
    float qv[ATT_MAX_HD / 32], acc[ATT_MAX_HD / 32];
#pragma unroll
    for (int i = 0; i < ATT_MAX_HD / 32; i++) {
        qv[i] = lane + 32 * i < headDim ? qr[lane + 32 * i] : 0.f;
        acc[i] = 0.f;
    }
    float m = -INFINITY, l = 0.f;
    for (int s = warp; s <= last; s += ATT_DEC_WARPS) {
        size_t row = kv_row(bt, s, blockSize, numKvHeads, kvh, headDim);
        float dot = 0.f;
#pragma unroll
        for (int i = 0; i < ATT_MAX_HD / 32; i++) {
            if (lane + 32 * i < headDim) {
                dot += qv[i] * kCache[row + lane + 32 * i];
            }
        }
        float sc = warp_sum(dot) * scale;
        float mNew = fmaxf(m, sc);
        float corr = expf(m - mNew), p = expf(sc - mNew);
        l = l * corr + p;
#pragma unroll
        for (int i = 0; i < ATT_MAX_HD / 32; i++) {
            if (lane + 32 * i < headDim) {
                acc[i] = acc[i] * corr + p * vCache[row + lane + 32 * i];
            }
        }
        m = mNew;
    }
    if (lane == 0) {
        wm[warp] = m;
        wl[warp] = l;
    }
#pragma unroll
    for (int i = 0; i < ATT_MAX_HD / 32; i++) {
        if (lane + 32 * i < headDim) {
            wacc[warp][lane + 32 * i] = acc[i];
        }
    }
    __syncthreads();
    float mAll = -INFINITY;
    for (int w = 0; w < ATT_DEC_WARPS; w++) {
        mAll = fmaxf(mAll, wm[w]);
    }
    float lAll = 0.f;
    for (int w = 0; w < ATT_DEC_WARPS; w++) {
        lAll += wm[w] == -INFINITY ? 0.f : wl[w] * expf(wm[w] - mAll);
    }
    float *orow = o + ((size_t) t * numHeads + h) * headDim;
    for (int d = threadIdx.x; d < headDim; d += blockDim.x) {
        float sum = 0.f;
        for (int w = 0; w < ATT_DEC_WARPS; w++) {
            if (wm[w] != -INFINITY) {
                sum += wacc[w][d] * expf(wm[w] - mAll);
            }
        }
        orow[d] = sum / lAll;
    }
}

extern "C" __global__ void __launch_bounds__(256) paged_attention_prefill(float *o, const float *q,
        const float *kCache, const float *vCache, const int *tokPos, const int *tokChunk, const int *btOff,
        const int *blockTables, const int *tileTok0, const int *tileLen, int blockSize, int numHeads,
        int numKvHeads, int headDim, float scale) {
    __shared__ float ks[ATT_PF_KEYS][ATT_MAX_HD + 1];
    __shared__ float vs[ATT_PF_KEYS][ATT_MAX_HD];
    __shared__ float qs[ATT_PF_WARPS][ATT_MAX_HD];
    int tile = blockIdx.x, h = blockIdx.y;
    int warp = threadIdx.x >> 5, lane = threadIdx.x & 31;
    int kvh = h / (numHeads / numKvHeads);
    int halfDim = (headDim + 1) / 2;
    int t0 = tileTok0[tile], len = tileLen[tile];
    bool active = warp < len;
    int t = t0 + (active ? warp : 0);
    const int *bt = blockTables + btOff[tokChunk[t0]];
    int myPos = tokPos[t];
    int lastPos = tokPos[t0 + len - 1];
    const float *qr = q + ((size_t) t * numHeads + h) * headDim;
    for (int d = lane; d < headDim; d += 32) {
        qs[warp][d] = qr[d];
    }
    float acc[ATT_MAX_HD / 32];
#pragma unroll
    for (int i = 0; i < ATT_MAX_HD / 32; i++) {
        acc[i] = 0.f;
    }
    float m = -INFINITY, l = 0.f;
    int key = lane & 15, half = lane >> 4;
    for (int s0 = 0; s0 <= lastPos; s0 += ATT_PF_KEYS) {
        __syncthreads();
        for (int i = threadIdx.x; i < ATT_PF_KEYS * headDim; i += blockDim.x) {
            int j = i / headDim, d = i % headDim, s = s0 + j;
            float kv = 0.f, vv = 0.f;
            if (s <= lastPos) {
                size_t row = kv_row(bt, s, blockSize, numKvHeads, kvh, headDim);
                kv = kCache[row + d];
                vv = vCache[row + d];
            }
            ks[j][d] = kv;
            vs[j][d] = vv;
        }
        __syncthreads();
        if (!active) {
            continue;
        }
        float dot = 0.f;
        for (int d = half * halfDim; d < min(headDim, (half + 1) * halfDim); d++) {
            dot += qs[warp][d] * ks[key][d];
        }
        dot += __shfl_xor_sync(0xffffffffu, dot, 16);
        int s = s0 + key;
        float sc = s <= myPos ? dot * scale : -INFINITY;
        float mNew = fmaxf(m, warp_max(sc));
        if (mNew == -INFINITY) {
            continue;
        }
        float p = expf(sc - mNew);
        float corr = expf(m - mNew);
        l = l * corr + warp_sum(lane < 16 ? p : 0.f);
#pragma unroll
        for (int i = 0; i < ATT_MAX_HD / 32; i++) {
            acc[i] *= corr;
        }
        for (int j = 0; j < ATT_PF_KEYS; j++) {
            float pj = __shfl_sync(0xffffffffu, p, j);
            if (pj != 0.f) {
#pragma unroll
                for (int i = 0; i < ATT_MAX_HD / 32; i++) {
                    if (lane + 32 * i < headDim) {
                        acc[i] += pj * vs[j][lane + 32 * i];
                    }
                }
            }
        }
        m = mNew;
    }
    if (active) {
        float *orow = o + ((size_t) t * numHeads + h) * headDim;
#pragma unroll
        for (int i = 0; i < ATT_MAX_HD / 32; i++) {
            if (lane + 32 * i < headDim) {
                orow[lane + 32 * i] = acc[i] / l;
            }
        }
    }
}
