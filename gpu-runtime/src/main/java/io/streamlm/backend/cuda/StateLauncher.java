package io.streamlm.backend.cuda;

/** state.cu: batched state-slot copies (prefix snapshots) and resets. */
final class StateLauncher extends Launcher {
    StateLauncher(CudaDevice d) {
        super(d, "state");
    }

    void copy(Buf pool, long slotElems, Buf src, Buf dst, int numPairs) {
        launch("state_copy", blocks(slotElems, 1024), numPairs, 256, 1, new KernelArgs().buf(pool).i64(slotElems).buf(src).buf(dst));
    }

    void zero(Buf pool, long slotElems, Buf slots, int numSlots) {
        launch("state_zero", blocks(slotElems, 1024), numSlots, 256, 1, new KernelArgs().buf(pool).i64(slotElems).buf(slots));
    }
}
