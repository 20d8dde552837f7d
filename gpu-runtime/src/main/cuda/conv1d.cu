// Causal depthwise conv1d of the Gated DeltaNet layers, with its per-sequence state, then SiLU:
//   out[t, c] = silu( sum_{j < K} w[c, j] * xp[t + j, c] ),   xp = [state (K-1 earlier inputs) ; x of the chunk]
// and afterwards state := the last K-1 inputs (zeros before position 0). One kernel serves prefill (a chunk
// of many tokens) and the decode update (a chunk of one token): each thread walks its channel through the
// chunk's tokens in order, keeping the window in registers (K <= CONV_MAX_K = 8).
//   x f32 [numTokens, ldx] (mixed q|k|v, columns 0 .. convDim); w f32 [convDim, K];
//   state f32: slot s at state + s * slotStride, layout [K-1, convDim] (oldest first);
//   chunkTok0, chunkLen, chunkSlot int32 [numChunks]; out f32 [numTokens, convDim] dense.
//   grid (ceil(convDim / 128), numChunks), block 128.
#include "common.cuh"

#define CONV_MAX_K 8

extern "C" __global__ void causal_conv1d(float *out, const float *x, int ldx, const float *w, float *state,
                                         long long slotStride, const int *chunkTok0, const int *chunkLen,
                                         const int *chunkSlot, int convDim, int K) {
    int c = blockIdx.x * blockDim.x + threadIdx.x;
    int chunk = blockIdx.y;
    if (c >= convDim) {
        return;
    }
    float *st = state + (long long) chunkSlot[chunk] * slotStride;
    float win[CONV_MAX_K], wc[CONV_MAX_K];
#pragma unroll
    for (int j = 0; j < CONV_MAX_K; j++) {
        win[j] = (j < K - 1) ? st[(size_t) j * convDim + c] : 0.f;
        wc[j] = (j < K) ? w[(size_t) c * K + j] : 0.f;
    }
    int t0 = chunkTok0[chunk], n = chunkLen[chunk];
    for (int t = t0; t < t0 + n; t++) {
        float xt = x[(size_t) t * ldx + c];
        float acc = wc[K - 1] * xt;
#pragma unroll
        for (int j = 0; j < CONV_MAX_K - 1; j++) {
            if (j < K - 1) {
                acc += wc[j] * win[j];
            }
        }
        out[(size_t) t * convDim + c] = siluf_(acc);
#pragma unroll
        for (int j = 0; j < CONV_MAX_K - 1; j++) {
            if (j < K - 2) {
                win[j] = win[j + 1];
            }
        }
        if (K >= 2) {
#pragma unroll
            for (int j = 0; j < CONV_MAX_K - 1; j++) {
                if (j == K - 2) {
                    win[j] = xt;
                }
            }
        }
    }
#pragma unroll
    for (int j = 0; j < CONV_MAX_K - 1; j++) {
        if (j < K - 1) {
            st[(size_t) j * convDim + c] = win[j];
        }
    }
}
