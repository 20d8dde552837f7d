// Gated delta rule of the Gated DeltaNet layers (grouped value heads: value head h reads q/k head
// h / (Hv / Hk)).
//
// gdn_gates:  beta[t, h] = sigmoid(b[t, h]);  g[t, h] = -exp(A_log[h]) * softplus(a[t, h] + dt_bias[h])
//   (softplus(x) = x for x > 20, as torch). b, a f32 read from the fused projection (row stride ld);
//   beta, g f32 [numTokens, Hv] dense. grid (ceil(numTokens * Hv / 256)), block 256.
//
// gdn_recurrent, per chunk (one sequence's tokens in order) and value head h, state S [dk, dv]:
//   q = l2norm(q_t) * dk^-0.5, k = l2norm(k_t)      (l2norm(x) = x * rsqrt(sum x^2 + 1e-6))
//   S = S * exp(g_t);  delta = (v_t - S^T k) * beta_t;  S = S + k delta^T;  out_t = S^T q
//   conv f32 [numTokens, convDim] = [q (Hk*dk) | k (Hk*dk) | v (Hv*dv)] after conv1d + SiLU;
//   state f32: slot s at state + s * slotStride, layout [Hv, dk, dv] (as HF's recurrent_state);
//   chunkTok0, chunkLen, chunkSlot int32 [numChunks]; core f32 [numTokens, Hv, dv].
//   grid (numChunks, Hv), block dv rounded up to 32: thread j keeps column j of S in registers
//   (dk <= GDN_MAX_DK = 128; the launcher rejects larger heads), q and k go through shared memory.
//   This serves prefill and decode: prefill work is sequential in t per (sequence, head), 3 * dk FMAs per
//   thread per token, which is small next to the projections (the chunked WY form is not implemented).
#include "common.cuh"

#define GDN_MAX_DK 128

__device__ __forceinline__ float softplusf_(float x) {
    return x > 20.f ? x : log1pf(expf(x));
}

extern "C" __global__ void gdn_gates(float *beta, float *g, const float *b, const float *a, int ld,
                                     const float *aLog, const float *dtBias, int numTokens, int numValueHeads) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= numTokens * numValueHeads) {
        return;
    }
    int t = i / numValueHeads, h = i % numValueHeads;
    beta[i] = sigmoidf_(b[(size_t) t * ld + h]);
    g[i] = -expf(aLog[h]) * softplusf_(a[(size_t) t * ld + h] + dtBias[h]);
}

extern "C" __global__ void __launch_bounds__(256) gdn_recurrent(float *core, const float *conv, const float *beta,
        const float *g, float *state, long long slotStride, const int *chunkTok0, const int *chunkLen,
        const int *chunkSlot, int numKeyHeads, int numValueHeads, int dk, int dv) {
    __shared__ float scratch[32];
    __shared__ float qs[GDN_MAX_DK], ks[GDN_MAX_DK];
    int chunk = blockIdx.x, h = blockIdx.y, j = threadIdx.x;
    int kh = h / (numValueHeads / numKeyHeads);
    int convDim = 2 * numKeyHeads * dk + numValueHeads * dv;
    bool owns = j < dv;
    float *S = state + (long long) chunkSlot[chunk] * slotStride + (size_t) h * dk * dv;
    float s[GDN_MAX_DK];
#pragma unroll
    for (int i = 0; i < GDN_MAX_DK; i++) {
        s[i] = (owns && i < dk) ? S[(size_t) i * dv + j] : 0.f;
    }
    float qScale = rsqrtf((float) dk);
    int t0 = chunkTok0[chunk], n = chunkLen[chunk];
    for (int t = t0; t < t0 + n; t++) {
        const float *row = conv + (size_t) t * convDim;
        float sq = 0.f, sk = 0.f;
        __syncthreads();
        for (int i = threadIdx.x; i < dk; i += blockDim.x) {
            float qv = row[kh * dk + i], kv = row[numKeyHeads * dk + kh * dk + i];
            qs[i] = qv;
            ks[i] = kv;
            sq += qv * qv;
            sk += kv * kv;
        }
        sq = block_sum(sq, scratch);
        sk = block_sum(sk, scratch);
        float qn = rsqrtf(sq + 1e-6f) * qScale, kn = rsqrtf(sk + 1e-6f);
        float decay = expf(g[(size_t) t * numValueHeads + h]);
        float bt = beta[(size_t) t * numValueHeads + h];
        if (owns) {
            float v = row[2 * numKeyHeads * dk + h * dv + j];
            float kv = 0.f;
#pragma unroll
            for (int i = 0; i < GDN_MAX_DK; i++) {
                if (i < dk) {
                    s[i] *= decay;
                    kv += s[i] * ks[i];
                }
            }
            float delta = (v - kv * kn) * bt;
            float out = 0.f;
#pragma unroll
            for (int i = 0; i < GDN_MAX_DK; i++) {
                if (i < dk) {
                    s[i] += ks[i] * kn * delta;
                    out += s[i] * qs[i];
                }
            }
            core[((size_t) t * numValueHeads + h) * dv + j] = out * qn;
        }
    }
    if (owns) {
#pragma unroll
        for (int i = 0; i < GDN_MAX_DK; i++) {
            if (i < dk) {
                S[(size_t) i * dv + j] = s[i];
            }
        }
    }
}
