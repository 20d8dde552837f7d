// Token sampling on the device, one block per logits row (the rows whose next token is wanted).
//   1. penalties over the row's listed tokens (penIds[penOff[r] .. penOff[r+1]), ids unique per row,
//      penCounts = occurrences in the output so far, 0 for prompt-only tokens):
//        repetition (HF): l = l > 0 ? l / rep : l * rep          (every listed token)
//        presence, frequency (OpenAI): l -= pres + freq * count  (listed tokens with count > 0)
//   2. temperature == 0: argmax (lowest id on ties); logprob = l - logsumexp(l).
//   3. otherwise p = softmax(l / T), written over the row; then in order
//        top-k:  tauK = the k-th largest p                       (topK >= vocab: off)
//        top-p:  tauP = the largest tau >= tauK whose mass {p >= tau} >= topP * mass{p >= tauK}
//        min-p:  tauM = minP * max(p)
//      kept = {p >= max(tauK, tauP, tauM)}; thresholds are found by bisection on the f32 bit pattern
//      (monotone for p >= 0), so they are exact values of p and ties are all kept.
//      A uniform u from Philox4x32-10 (key = seed, counter = (step, 0, 0, 0)) picks the token where the
//      running sum of kept p in id order passes u * mass(kept); logprob = log(p / mass(kept)).
//   logits f32 [numRows, vocab] (overwritten); per row: temperature, topP, minP, repetition, presence,
//   frequency f32, topK int32, seed u64, step u64 (tokens sampled so far: the stream never repeats);
//   outToken int32 [numRows], outLogprob f32 [numRows].
//   grid (numRows), block 1024 (the bisections are block reductions over the row, which stays in L2).
#include "common.cuh"

#define SMP_THREADS 1024

__device__ __forceinline__ void philox_round(uint32_t &c0, uint32_t &c1, uint32_t &c2, uint32_t &c3,
                                             uint32_t k0, uint32_t k1) {
    uint32_t hi0 = __umulhi(0xD2511F53u, c0), lo0 = 0xD2511F53u * c0;
    uint32_t hi1 = __umulhi(0xCD9E8D57u, c2), lo1 = 0xCD9E8D57u * c2;
    uint32_t n0 = hi1 ^ c1 ^ k0, n2 = hi0 ^ c3 ^ k1;
    c0 = n0; c1 = lo1; c2 = n2; c3 = lo0;
}

// Philox4x32-10 (Salmon et al. 2011), first output word; the Java twin is io.streamlm.backend.cuda.Philox.
__device__ uint32_t philox4x32_10(uint32_t c0, uint32_t c1, uint32_t c2, uint32_t c3, uint32_t k0, uint32_t k1) {
    for (int r = 0; r < 10; r++) {
        philox_round(c0, c1, c2, c3, k0, k1);
        k0 += 0x9E3779B9u;
        k1 += 0xBB67AE85u;
    }
    return c0;
}

__device__ float mass_at_least(const float *p, int vocab, float tau, float *scratch) {
    float s = 0.f;
    for (int i = threadIdx.x; i < vocab; i += blockDim.x) {
        float v = p[i];
        s += v >= tau ? v : 0.f;
    }
    return block_sum(s, scratch);
}

__device__ float count_at_least(const float *p, int vocab, float tau, float *scratch) {
    float s = 0.f;
    for (int i = threadIdx.x; i < vocab; i += blockDim.x) {
        s += p[i] >= tau ? 1.f : 0.f;
    }
    return block_sum(s, scratch);
}

extern "C" __global__ void __launch_bounds__(SMP_THREADS) sample_rows(int *outToken, float *outLogprob,
        float *logits, int vocab, const float *temperature, const int *topK, const float *topP, const float *minP,
        const float *repetition, const float *presence, const float *frequency, const unsigned long long *seed,
        const unsigned long long *step, const int *penOff, const int *penIds, const int *penCounts) {
    __shared__ float scratch[32];
    __shared__ float segSum[SMP_THREADS];
    __shared__ int pick, lastKept;
    int r = blockIdx.x, tid = threadIdx.x;
    float *l = logits + (size_t) r * vocab;
    for (int e = penOff[r] + tid; e < penOff[r + 1]; e += blockDim.x) {
        int id = penIds[e], cnt = penCounts[e];
        float v = l[id];
        v = v > 0.f ? v / repetition[r] : v * repetition[r];
        if (cnt > 0) {
            v -= presence[r] + frequency[r] * (float) cnt;
        }
        l[id] = v;
    }
    __syncthreads();
    float temp = temperature[r];
    float mx = -INFINITY;
    int arg = 0x7fffffff;
    for (int i = tid; i < vocab; i += blockDim.x) {
        if (l[i] > mx) {
            mx = l[i];
            arg = i;
        }
    }
    float gmax = block_max(mx, scratch);
    if (temp == 0.f) {
        if (tid == 0) {
            pick = 0x7fffffff;
        }
        __syncthreads();
        if (mx == gmax) {
            atomicMin(&pick, arg);
        }
        float z = 0.f;
        for (int i = tid; i < vocab; i += blockDim.x) {
            z += expf(l[i] - gmax);
        }
        z = block_sum(z, scratch);
        if (tid == 0) {
            outToken[r] = pick != 0x7fffffff ? pick : -1;
            outLogprob[r] = -logf(z);
        }
        return;
    }
    float z = 0.f;
    for (int i = tid; i < vocab; i += blockDim.x) {
        z += expf((l[i] - gmax) / temp);
    }
    z = block_sum(z, scratch);
    for (int i = tid; i < vocab; i += blockDim.x) {
        l[i] = expf((l[i] - gmax) / temp) / z;
    }
    __syncthreads();
    float *p = l;
    float pmax = 1.f / z;
    // top-k: largest tau with count(p >= tau) >= k; invariant count(lo) >= k > count(hi)
    float tauK = 0.f;
    if (topK[r] < vocab) {
        unsigned lo = 0u, hi = __float_as_uint(pmax) + 1u;
        while (hi - lo > 1u) {
            unsigned mid = lo + (hi - lo) / 2u;
            if (count_at_least(p, vocab, __uint_as_float(mid), scratch) >= (float) topK[r]) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        tauK = __uint_as_float(lo);
    }
    float tau = tauK;
    if (topP[r] < 1.f) {
        float target = topP[r] * mass_at_least(p, vocab, tauK, scratch);
        unsigned lo = __float_as_uint(tauK), hi = __float_as_uint(pmax) + 1u;
        while (hi - lo > 1u) {
            unsigned mid = lo + (hi - lo) / 2u;
            if (mass_at_least(p, vocab, __uint_as_float(mid), scratch) >= target) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        tau = __uint_as_float(lo);
    }
    tau = fmaxf(tau, minP[r] * pmax);
    // inverse CDF over kept tokens in id order: thread tid owns ids [tid * seg, (tid + 1) * seg)
    int seg = (vocab + blockDim.x - 1) / blockDim.x;
    int b0 = tid * seg, b1 = min(vocab, b0 + seg);
    float mine = 0.f;
    int last = -1;
    for (int i = b0; i < b1; i++) {
        if (p[i] >= tau) {
            mine += p[i];
            last = i;
        }
    }
    segSum[tid] = mine;
    if (tid == 0) {
        pick = 0x7fffffff;
        lastKept = -1;
    }
    __syncthreads();
    if (last >= 0) {
        atomicMax(&lastKept, last);
    }
    if (tid == 0) { // serial exclusive scan of 1024 partial sums: cheap next to the bisections
        float run = 0.f;
        for (int i = 0; i < blockDim.x; i++) {
            float s = segSum[i];
            segSum[i] = run;
            run += s;
        }
        scratch[0] = run;
    }
    __syncthreads();
    float kept = scratch[0];
    unsigned long long sd = seed[r], st = step[r];
    uint32_t bits = philox4x32_10((uint32_t) st, (uint32_t) (st >> 32), 0u, 0u, (uint32_t) sd, (uint32_t) (sd >> 32));
    float u = (float) (bits >> 8) * (1.0f / 16777216.0f) * kept;
    float run = segSum[tid];
    for (int i = b0; i < b1; i++) {
        if (p[i] >= tau) {
            run += p[i];
            if (run > u) {
                atomicMin(&pick, i);
                break;
            }
        }
    }
    __syncthreads();
    if (tid == 0) {
        // u rounded past the total: the last kept id; no kept id at all (NaN row): -1, the launcher throws
        int chosen = pick != 0x7fffffff ? pick : lastKept;
        outToken[r] = chosen;
        outLogprob[r] = chosen >= 0 ? logf(p[chosen] / kept) : __int_as_float(0x7fc00000);
    }
}
