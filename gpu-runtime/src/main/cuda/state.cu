// Recurrent-state slot copies for prefix-cache snapshots (take and restore) and slot resets.
// A slot is one contiguous run of slotElems f32 holding every Gated DeltaNet layer's conv state and
// delta-rule state, so one launch copies a whole snapshot.
//
// state_copy: pool[dst[p] * slotElems + i] = pool[src[p] * slotElems + i] for every pair p.
//   src, dst int32 [numPairs] (pairs must not overlap: a dst is never another pair's src).
//   grid (ceil(slotElems / 1024), numPairs), block 256, 4 elements per thread.
// state_zero: pool[slots[p] * slotElems + i] = 0. Same geometry.
#include "common.cuh"

extern "C" __global__ void state_copy(float *pool, long long slotElems, const int *src, const int *dst) {
    int p = blockIdx.y;
    const float *from = pool + (long long) src[p] * slotElems;
    float *to = pool + (long long) dst[p] * slotElems;
    long long base = (long long) blockIdx.x * 1024;
    for (int e = threadIdx.x; e < 1024; e += blockDim.x) {
        long long i = base + e;
        if (i < slotElems) {
            to[i] = from[i];
        }
    }
}

extern "C" __global__ void state_zero(float *pool, long long slotElems, const int *slots) {
    float *to = pool + (long long) slots[blockIdx.y] * slotElems;
    long long base = (long long) blockIdx.x * 1024;
    for (int e = threadIdx.x; e < 1024; e += blockDim.x) {
        long long i = base + e;
        if (i < slotElems) {
            to[i] = 0.f;
        }
    }
}
