package io.streamlm.backend.cuda;

/** sampling.cu: penalties, temperature, top-k, top-p, min-p and the seeded Philox draw, one block per row. */
final class SamplingLauncher extends Launcher {
    SamplingLauncher(CudaDevice d) {
        super(d, "sampling");
    }

    void sample(Buf outToken, Buf outLogprob, Buf logits, int numRows, int vocab, SamplingBatch b) {
        launch("sample_rows", numRows, 1, 1024, 1, new KernelArgs().buf(outToken).buf(outLogprob).buf(logits).i32(vocab)
                .buf(b.temperature).buf(b.topK).buf(b.topP).buf(b.minP).buf(b.repetition).buf(b.presence).buf(b.frequency)
                .buf(b.seed).buf(b.step).buf(b.penOff).buf(b.penIds).buf(b.penCounts));
    }
}
