// QK-norm + partial RoPE of the gated full-attention layers (Qwen3_5Attention, text-only mRoPE == RoPE).
//
// For query heads h < numHeads (read from the fused projection y: per head [query | gate], 2 * headDim wide)
// and key heads (read from y at column kOff):
//   n[d]   = x[d] * rsqrt(mean(x^2) + eps) * (1 + normW[d])                 zero-centred RMSNorm per head
//   for d < rotaryDim (pairs d and d + rotaryDim/2, i = d mod rotaryDim/2, theta = pos * invFreq[i]):
//     out[d] = n[d] * cos(theta) - n[d + rd/2] * sin(theta)                 d <  rd/2
//     out[d] = n[d] * cos(theta) + n[d - rd/2] * sin(theta)                 rd/2 <= d < rd
//   out[d] = n[d] for d >= rotaryDim (partial rotary: the rest passes through)
// theta is formed in double precision (positions reach 262144; an f32 angle would lose ~0.01 rad).
//
//   y f32 [numTokens, ldy]: q heads at column h * 2 * headDim, k heads at kOff + h * headDim
//   positions int32 [numTokens]; invFreq f64 [rotaryDim / 2]; qNorm, kNorm f32 [headDim]
//   qOut f32 [numTokens, numHeads, headDim] (dense); k is rewritten in place inside y.
//   grid (numTokens, numHeads + numKvHeads), block 128 (threads loop over headDim <= 256).
#include "common.cuh"

#define ROPE_MAX_HD 256

extern "C" __global__ void qk_norm_rope(float *qOut, float *y, int ldy, int kOff, const int *positions,
                                        const double *invFreq, const float *qNorm, const float *kNorm,
                                        int numHeads, int headDim, int rotaryDim, float eps) {
    __shared__ float scratch[32];
    __shared__ float n[ROPE_MAX_HD];
    int t = blockIdx.x, h = blockIdx.y;
    bool isQ = h < numHeads;
    float *src = isQ ? y + (size_t) t * ldy + (size_t) h * 2 * headDim
                     : y + (size_t) t * ldy + kOff + (size_t) (h - numHeads) * headDim;
    float *dst = isQ ? qOut + ((size_t) t * numHeads + h) * headDim : src;
    const float *w = isQ ? qNorm : kNorm;
    float ss = 0.f;
    for (int d = threadIdx.x; d < headDim; d += blockDim.x) {
        float v = src[d];
        ss += v * v;
    }
    ss = block_sum(ss, scratch);
    float inv = rsqrtf(ss / headDim + eps);
    for (int d = threadIdx.x; d < headDim; d += blockDim.x) {
        n[d] = src[d] * inv * (1.f + w[d]);
    }
    __syncthreads();
    int half = rotaryDim / 2;
    double pos = (double) positions[t];
    for (int d = threadIdx.x; d < headDim; d += blockDim.x) {
        float out;
        if (d < rotaryDim) {
            int i = d < half ? d : d - half;
            double s, c;
            sincos(pos * invFreq[i], &s, &c);
            float rot = d < half ? -n[d + half] : n[d - half];
            out = n[d] * (float) c + rot * (float) s;
        } else {
            out = n[d];
        }
        dst[d] = out;
    }
}
