// Embedding gather and row gather.
//
// embedding_gather_bf16:  out[t, :] = widen(table[ids[t], :])
//   table bf16 [vocab, hidden]; ids int32 [numTokens]; out f32 [numTokens, hidden]
//   grid (numTokens), block 256; each thread copies hidden/256 columns (coalesced).
//   An id outside [0, vocab) writes NaN so the bad token is visible, never a stray read.
//
// embedding_gather_f32: the same for an f32 table (f32 checkpoints in the f32-activation mode).
//
// gather_rows_f32:        out[r, :] = x[rows[r], :]   (picks the positions whose logits are wanted)
//   x f32 [*, cols]; rows int32 [numRows]; out f32 [numRows, cols]; grid (numRows), block 256.
#include "common.cuh"

extern "C" __global__ void embedding_gather_bf16(float *out, const uint16_t *table, const int *ids,
                                                 int vocab, int hidden) {
    int t = blockIdx.x;
    int id = ids[t];
    float *dst = out + (size_t) t * hidden;
    if (id < 0 || id >= vocab) {
        for (int c = threadIdx.x; c < hidden; c += blockDim.x) {
            dst[c] = __int_as_float(0x7fc00000);
        }
        return;
    }
    const uint16_t *src = table + (size_t) id * hidden;
    for (int c = threadIdx.x; c < hidden; c += blockDim.x) {
        dst[c] = bf16_to_f32(src[c]);
    }
}

extern "C" __global__ void gather_rows_f32(float *out, const float *x, const int *rows, int cols) {
    int r = blockIdx.x;
    const float *src = x + (size_t) rows[r] * cols;
    float *dst = out + (size_t) r * cols;
    for (int c = threadIdx.x; c < cols; c += blockDim.x) {
        dst[c] = src[c];
    }
}

extern "C" __global__ void embedding_gather_f32(float *out, const float *table, const int *ids, int vocab,
                                                int hidden) {
    int t = blockIdx.x;
    int id = ids[t];
    float *dst = out + (size_t) t * hidden;
    bool ok = id >= 0 && id < vocab;
    const float *src = table + (size_t) (ok ? id : 0) * hidden;
    for (int c = threadIdx.x; c < hidden; c += blockDim.x) {
        dst[c] = ok ? src[c] : __int_as_float(0x7fc00000);
    }
}
