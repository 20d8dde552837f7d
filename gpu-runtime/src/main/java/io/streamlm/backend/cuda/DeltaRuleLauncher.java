package io.streamlm.backend.cuda;

/** delta_rule.cu: Gated DeltaNet gates and the gated delta rule over each chunk's tokens. */
final class DeltaRuleLauncher extends Launcher {
    static final int MAX_DK = 128;

    DeltaRuleLauncher(CudaDevice d) {
        super(d, "delta_rule");
    }

    void gates(Buf beta, Buf g, Buf b, Buf a, int ld, Buf aLog, Buf dtBias, int numTokens, int numValueHeads) {
        launch("gdn_gates", blocks((long) numTokens * numValueHeads, 256), 1, 256, 1, new KernelArgs().buf(beta).buf(g)
                .buf(b).buf(a).i32(ld).buf(aLog).buf(dtBias).i32(numTokens).i32(numValueHeads));
    }

    void recurrent(Buf core, Buf conv, Buf beta, Buf g, Buf state, long slotStride, StepMeta m, int numKeyHeads,
                   int numValueHeads, int dk, int dv) {
        if (dk > MAX_DK || dv > 256) {
            throw new CudaException("delta_rule.cu supports key head dim <= " + MAX_DK + " and value head dim <= 256, "
                    + "the model has " + dk + " and " + dv);
        }
        int threads = (dv + 31) / 32 * 32;
        launch("gdn_recurrent", m.numChunks, numValueHeads, threads, 1, new KernelArgs().buf(core).buf(conv).buf(beta)
                .buf(g).buf(state).i64(slotStride).buf(m.chunkTok0).buf(m.chunkLen).buf(m.chunkSlot).i32(numKeyHeads)
                .i32(numValueHeads).i32(dk).i32(dv));
    }
}
